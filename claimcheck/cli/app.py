"""What every command shares: the typer app, common options, settings, errors as one line, a progress bar."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import Settings
from ..errors import ClaimcheckError


class _LazyModule:
    """A module imported on first attribute access."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):  # noqa: ANN204
        return getattr(importlib.import_module(self._name), attr)


# The store pulls in sqlite-utils and numpy: imported on first use so that --help stays fast.
store = _LazyModule("claimcheck.store")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    help="Find the claims news articles share and show where their numbers, dates and attributions disagree.",
)

DbOption = Annotated[Optional[Path], typer.Option("--db", help="Database file (default claimcheck.db, or $CLAIMCHECK_DB).")]
ModelOption = Annotated[
    Optional[str], typer.Option("--model", help="sentence-transformers model name or folder (default all-MiniLM-L6-v2, offline).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
MaxMbOption = Annotated[Optional[float], typer.Option("--max-mb", help="Refuse files larger than this (default 20 MB).")]


def settings_from(db: Path | None, model: str | None = None, max_mb: float | None = None) -> Settings:
    return Settings.from_env(db_path=db, model=model, max_file_bytes=int(max_mb * 1e6) if max_mb is not None else None)


def err(message: str) -> None:
    typer.echo(message, err=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's errors into one line and exit code 1; Ctrl-C into exit code 130."""
    try:
        yield
    except ClaimcheckError as error:
        err(f"Error: {error}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err("Interrupted: finished work is saved; run the command again to continue.")
        raise typer.Exit(130) from None


def open_database(settings: Settings):  # noqa: ANN201 - sqlite_utils.Database
    """The command's database, closed by `close_databases` when the command ends."""
    database = store.open_db(settings.db_path)
    _opened.append(database)
    return database


_opened: list = []  # the databases the running command opened


@app.callback()
def _before_each_command(ctx: typer.Context) -> None:
    # Every command's databases are closed when it ends, whether it succeeds or fails.
    ctx.call_on_close(close_databases)


def close_databases() -> None:
    """Close every database the command opened: the last connection to close folds the WAL into the file. Left to
    the garbage collector, a connection that a cursor in a reference cycle still holds stays open until the
    interpreter's last collection, which `cli.main` skips."""
    while _opened:
        database = _opened.pop()
        with contextlib.suppress(Exception):  # closed already, or broken: nothing left to fold in
            database.close()


@contextlib.contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (silent when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)

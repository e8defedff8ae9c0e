"""The command line: parse -> one library call -> print -> exit code. The only module that prints.

Exit codes: 0 success, 1 an error (one line on stderr, no traceback), 2 finished but some input
was skipped (listed on stderr).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from .config import Settings
from .errors import ClaimcheckError, InputError, NotFoundError

class _LazyModule:
    """A module imported on first attribute access."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):  # noqa: ANN204
        import importlib

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


def _settings(db: Path | None, model: str | None = None, max_mb: float | None = None) -> Settings:
    return Settings.from_env(db_path=db, model=model, max_file_bytes=int(max_mb * 1e6) if max_mb is not None else None)


def _err(message: str) -> None:
    typer.echo(message, err=True)


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the library's errors into one line and exit code 1; Ctrl-C into exit code 130."""
    try:
        yield
    except ClaimcheckError as error:
        _err(f"Error: {error}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        _err("Interrupted: finished work is saved; run the command again to continue.")
        raise typer.Exit(130) from None


def _open(settings: Settings):  # noqa: ANN202 - sqlite_utils.Database
    return store.open_db(settings.db_path)


@contextlib.contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (silent when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _report_problems(problems) -> bool:  # noqa: ANN001 - list[ingest.Problem]
    for problem in problems:
        _err(f"Skipped {problem.source}: {problem.reason}")
    return bool(problems)


def _summarise_ingest(result) -> None:  # noqa: ANN001 - pipeline.IngestResult
    parts = [f"{len(result.added)} new", f"{len(result.replaced)} replaced", f"{len(result.unchanged)} unchanged"]
    if result.duplicates:
        parts.append(f"{len(result.duplicates)} duplicate(s) of articles already read")
    typer.echo("Articles: " + ", ".join(parts) + ".")
    for new, old in result.duplicates:
        typer.echo(f"  {new} has the same text as {old}: stored once, both names remembered.")


# --- the main job -------------------------------------------------------------------------------


@app.command()
def report(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the built-in seeds/).")] = None,
    db: DbOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Report file (default reports/report.md).")] = None,
    model: ModelOption = None,
    max_mb: MaxMbOption = None,
) -> None:
    """Ingest articles, pair and check their claims, and write a Markdown report.

    Example: claimcheck report seeds/ --out reports/calais.md
    """
    from . import pipeline

    settings = _settings(db, model, max_mb)
    with _user_errors():
        database = _open(settings)
        result = pipeline.run_report(database, settings, paths, out, progress=_progress)
    _summarise_ingest(result.ingested)
    compared = result.compared
    typer.echo(f"Claims: {compared.new_claims} new, {compared.embedded} embedded, {compared.new_pairs} new pairs, "
               f"{compared.checked_pairs} pairs checked.")
    for a, b in compared.copies:
        typer.echo(f"  {a} and {b} are copies of one source.")
    counts = store.counts(database)
    typer.echo(f"Flags: {counts['flags']}; agreements: {counts['agreements']}.")
    typer.echo(f"Report written to {result.path}")
    if _report_problems(result.ingested.problems):
        raise typer.Exit(2)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt, .md, .html or .jsonl articles.")],
    db: DbOption = None,
    max_mb: MaxMbOption = None,
) -> None:
    """Read articles into the database (the first half of `report`).

    Example: claimcheck ingest articles/ --db story.db
    """
    from . import pipeline

    settings = _settings(db, max_mb=max_mb)
    with _user_errors():
        result = pipeline.ingest(_open(settings), paths, settings, progress=_progress)
    _summarise_ingest(result)
    if _report_problems(result.problems):
        raise typer.Exit(2)


@app.command()
def compare(db: DbOption = None, model: ModelOption = None) -> None:
    """Embed, index, pair and check the ingested claims (the second half of `report`).

    Example: claimcheck compare --db story.db
    """
    from . import pipeline

    settings = _settings(db, model)
    with _user_errors():
        result = pipeline.compare(_open(settings), settings, progress=_progress)
    typer.echo(f"Claims: {result.new_claims} new, {result.embedded} embedded, {result.new_pairs} new pairs, "
               f"{result.checked_pairs} pairs checked.")


# --- reading the results --------------------------------------------------------------------------


@app.command()
def query(
    text: Annotated[Optional[str], typer.Argument(help="A claim or question.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many claims to return.")] = 5,
    file: Annotated[Optional[Path], typer.Option("--file", help="Answer one query per line of this file.")] = None,
    article: Annotated[Optional[str], typer.Option("--article", help="Only claims from articles whose name contains this.")] = None,
    min_score: Annotated[Optional[float], typer.Option("--min-score", help="Only hits scoring at least this.")] = None,
    db: DbOption = None,
    model: ModelOption = None,
    as_json: JsonOption = False,
) -> None:
    """The claims most similar to TEXT across all articles (meaning plus shared names and numbers).

    Example: claimcheck query "When did the Sangatte camp close?" -k 5
    """
    from . import search

    settings = _settings(db, model)
    with _user_errors():
        texts = _query_texts(text, file)
        if k < 1:
            raise InputError("-k must be at least 1")
        results = search.query(_open(settings), settings, texts, k=k, min_score=min_score, article=article)
    if as_json:
        if file is None:
            typer.echo(json.dumps(results[0], ensure_ascii=False, indent=2))
        else:
            for hits in results:
                typer.echo(json.dumps(hits, ensure_ascii=False))
        return
    for text_, hits in zip(texts, results):
        if len(texts) > 1:
            typer.echo(f"\n> {text_}")
        _print_hits(hits)


def _query_texts(text: str | None, file: Path | None) -> list[str]:
    if file is not None:
        try:
            lines = [line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"cannot read {file}: {error}") from None
        if not lines:
            raise InputError(f"{file} holds no queries")
        return lines
    if not text or not text.strip():
        raise InputError("give a TEXT to search for, or --file with one query per line")
    return [text]


def _print_hits(hits: list[dict]) -> None:
    if not hits:
        typer.echo("No similar claims.")
    for hit in hits:
        marks = []
        if hit["quantities"]:
            marks.append("numbers: " + ", ".join(hit["quantities"]))
        if hit["speaker"]:
            marks.append(f"speaker: {hit['speaker']}")
        typer.echo(f"{hit['score']:.3f}  {hit['article']}:{hit['line']}  {hit['text']}")
        if marks:
            typer.echo("       [" + "; ".join(marks) + "]")


FLAG_FIELDS = ("id", "kind", "verdict", "relation", "status", "article_a", "article_b", "text_a", "text_b", "value_a",
               "value_b", "norm_a", "norm_b", "about", "measure", "time_a", "time_b", "source_a", "source_b",
               "similarity", "confidence", "reason", "note", "reviewer", "decided_at")
RELATIONS = ("conflict", "update", "revision")


def _flag_json(flag: dict) -> dict:
    return {key: flag.get(key) for key in FLAG_FIELDS}


@app.command()
def flags(
    kind: Annotated[Optional[str], typer.Option("--kind", help="numeric, date or attribution.")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="open, confirmed or dismissed.")] = None,
    relation: Annotated[Optional[str], typer.Option("--relation", help="conflict, update or revision.")] = None,
    article: Annotated[Optional[str], typer.Option("--article", help="Only flags involving an article whose name contains this.")] = None,
    min_confidence: Annotated[float, typer.Option("--min-confidence", help="Only flags at least this confident.")] = 0.0,
    include_revisions: Annotated[bool, typer.Option("--revisions", help="Also list differences between copies of one source.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List flagged conflicts, worst first.

    Example: claimcheck flags --kind date --status open --json
    """
    settings = _settings(db)
    with _user_errors():
        rows = _select_flags(_open(settings), kind, status, relation, article, min_confidence, include_revisions)
    if as_json:
        typer.echo(json.dumps([_flag_json(row) for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("No flags match.")
        return
    typer.echo(f"{'ID':<10}  {'KIND':<11}  {'STATUS':<9}  {'CONF':>4}  VALUES / ARTICLES")
    for row in rows:
        typer.echo(f"{row['id']:<10}  {row['kind']:<11}  {row['status']:<9}  {row['confidence']:>4.2f}  "
                   f"{row['value_a']} vs {row['value_b']}  ({row['about']})")
        typer.echo(f"{'':<41}{row['article_a']} / {row['article_b']}")


def _select_flags(database, kind, status, relation, article, min_confidence, include_revisions) -> list[dict]:  # noqa: ANN001
    if kind and kind not in {"numeric", "date", "attribution"}:
        raise InputError(f"unknown --kind {kind!r}: use numeric, date or attribution")
    if status and status not in {"open", "confirmed", "dismissed"}:
        raise InputError(f"unknown --status {status!r}: use open, confirmed or dismissed")
    if relation and relation not in RELATIONS:
        raise InputError(f"unknown --relation {relation!r}: use {', '.join(RELATIONS[:-1])} or {RELATIONS[-1]}")
    where, params = ["flags.confidence >= ?"], [min_confidence]
    if relation:
        where.append("flags.relation = ?")  # names the relation wanted, revisions included
        params.append(relation)
    elif not include_revisions:
        where.append("flags.verdict = 'conflict'")
    if kind:
        where.append("flags.kind = ?")
        params.append(kind)
    if status:
        where.append("coalesce(reviews.decision, 'open') = ?")
        params.append(status)
    if article:
        where.append("(aa.name LIKE ? OR ab.name LIKE ?)")
        params += [f"%{article}%"] * 2
    return store.flags(database, " AND ".join(where), params)


def _find_flag(database, flag_id: str) -> dict:  # noqa: ANN001
    rows = store.flags(database, "flags.id LIKE ?", [f"{flag_id}%"])
    if not rows:
        raise NotFoundError(f"no flag with id {flag_id!r}: `claimcheck flags` lists them")
    if len(rows) > 1:
        raise InputError(f"{flag_id!r} matches {len(rows)} flags; give more of the id")
    return rows[0]


@app.command()
def show(flag_id: Annotated[str, typer.Argument(help="A flag id (or a unique prefix).")], db: DbOption = None) -> None:
    """Show one flag: both claims in context, their articles, the values that disagree and why.

    Example: claimcheck show 3f2a9c
    """
    settings = _settings(db)
    with _user_errors():
        database = _open(settings)
        flag = _find_flag(database, flag_id)
        typer.echo(_flag_text(database, flag))


def _flag_text(database, flag: dict) -> str:  # noqa: ANN001
    lines = [
        f"Flag {flag['id']} · {flag['kind']} · {flag['status']} · confidence {flag['confidence']:.2f} · "
        f"similarity {flag['similarity']:.2f}",
        f"About:  {flag['about']}",
        f"Why:    {flag['reason']}",
        f"Values: {typer.style(flag['value_a'], bold=True)}  vs  {typer.style(flag['value_b'], bold=True)}",
    ]
    if flag.get("measure") and flag["measure"] != flag["about"]:
        lines.insert(1, f"Measure: {flag['measure']}")
    if flag.get("relation") not in (None, "conflict"):
        lines.insert(1, f"Relation: {flag['relation']}")
    for label, key in (("Times", "time"), ("Sources", "source")):
        if flag.get(f"{key}_a") or flag.get(f"{key}_b"):
            lines.append(f"{label + ':':<7} {flag.get(f'{key}_a') or '—'}  vs  {flag.get(f'{key}_b') or '—'}")
    for side in ("a", "b"):
        claim = store.claims(database, "claims.id = ?", [flag[f"claim_{side}"]])[0]
        article = store.article(database, claim["article_id"])
        meta = " · ".join(x for x in (article["title"], article["outlet"], article["published"]) if x)
        lines += ["", f"[{side.upper()}] {article['name']}, line {claim['line']}" + (f" ({meta})" if meta else "")]
        context = store.claims(database, "claims.article_id = ? AND claims.idx BETWEEN ? AND ?",
                               [claim["article_id"], claim["idx"] - 1, claim["idx"] + 1])
        for row in context:
            text = row["text"]
            if row["id"] == claim["id"]:
                value = flag[f"value_{side}"]
                text = text.replace(value, typer.style(value, bold=True, fg="red"), 1)
                lines.append(f"  > {text}")
            else:
                lines.append(f"    {text}")
    if flag["status"] != "open":
        lines += ["", f"Review: {flag['status']} by {flag['reviewer'] or 'someone'} at {flag['decided_at']}: {flag['note'] or ''}"]
    return "\n".join(lines)


@app.command()
def review(
    flag_id: Annotated[Optional[str], typer.Argument(help="A flag id; omit to walk through the open flags.")] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="The disagreement is real.")] = False,
    dismiss: Annotated[bool, typer.Option("--dismiss", help="A false alarm.")] = False,
    note: Annotated[Optional[str], typer.Option("--note", help="Why; kept across re-runs.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Reviewer name.")] = None,
    db: DbOption = None,
) -> None:
    """Confirm or dismiss a flag; with no id, walk through the open flags one at a time, worst first.

    Example: claimcheck review 3f2a9c --dismiss --note "different periods" --by ana
    """
    settings = _settings(db)
    with _user_errors():
        database = _open(settings)
        if flag_id is None:
            _walk_open_flags(database, by)
            return
        if confirm == dismiss:
            raise InputError("give exactly one of --confirm or --dismiss")
        flag = _find_flag(database, flag_id)
        decision = "confirmed" if confirm else "dismissed"
        with store.transaction(database):
            store.save_review(database, flag["id"], decision, note, by)
    typer.echo(f"Flag {flag['id']} {decision}.")


def _walk_open_flags(database, by: str | None) -> None:  # noqa: ANN001
    open_flags = store.flags(database, "coalesce(reviews.decision, 'open') = 'open' AND flags.verdict = 'conflict'")
    if not open_flags:
        typer.echo("No open flags.")
        return
    for number, flag in enumerate(open_flags, start=1):
        typer.echo(f"\n--- {number} of {len(open_flags)} ---")
        typer.echo(_flag_text(database, flag))
        choice = typer.prompt("[c]onfirm, [d]ismiss, [s]kip, [q]uit", default="s").strip().lower()[:1]
        if choice == "q":
            break
        if choice not in {"c", "d"}:
            continue
        note = typer.prompt("Note (optional)", default="", show_default=False) or None
        decision = "confirmed" if choice == "c" else "dismissed"
        with store.transaction(database):
            store.save_review(database, flag["id"], decision, note, by)
        typer.echo(f"Flag {flag['id']} {decision}.")


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="json, jsonl or csv.")] = "json",
    what: Annotated[str, typer.Option("--what", help="flags, pairs or claims.")] = "flags",
    out: Annotated[Optional[Path], typer.Option("--out", help="File to write (default: standard output).")] = None,
    db: DbOption = None,
) -> None:
    """Export flags, pairs or claims for spreadsheets and other tools.

    Example: claimcheck export --format csv --what flags --out flags.csv
    """
    settings = _settings(db)
    with _user_errors():
        if fmt not in {"json", "jsonl", "csv"}:
            raise InputError(f"unknown --format {fmt!r}: use json, jsonl or csv")
        if what not in {"flags", "pairs", "claims"}:
            raise InputError(f"unknown --what {what!r}: use flags, pairs or claims")
        if out is not None and not out.parent.exists():
            raise InputError(f"the folder for --out does not exist: {out.parent}")
        database = _open(settings)
        rows = _export_rows(database, what)
        text = _serialise(rows, fmt)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"Wrote {len(rows)} {what} to {out}", err=True)


def _export_rows(database, what: str) -> list[dict]:  # noqa: ANN001
    if what == "flags":
        return [_flag_json(row) for row in store.flags(database)]
    if what == "pairs":
        keys = ("id", "claim_a", "claim_b", "article_a", "article_b", "text_a", "text_b", "similarity", "lexical", "score")
        return [{key: row[key] for key in keys} for row in store.pairs(database)]
    keys = ("id", "article", "idx", "start", "end", "line", "text", "speaker", "quantities")
    return [{key: row[key] for key in keys} for row in store.claims(database)]


def _serialise(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


@app.command()
def articles(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the ingested articles: name, title, outlet, date, claims and flags.

    Example: claimcheck articles --json
    """
    settings = _settings(db)
    with _user_errors():
        database = _open(settings)
        rows = store.articles(database)
        flag_counts = _flag_counts(database)
    keys = ("id", "name", "names", "title", "outlet", "published", "n_claims")
    listing = [{**{key: row[key] for key in keys}, "n_flags": flag_counts.get(row["id"], 0)} for row in rows]
    if as_json:
        typer.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    if not listing:
        typer.echo("No articles yet: `claimcheck ingest PATH` or `claimcheck report`.")
    for row in listing:
        extra = " · ".join(str(x) for x in (row["title"], row["outlet"], row["published"]) if x)
        typer.echo(f"{row['id']:>4}  {row['name']}  {row['n_claims']} claims, {row['n_flags']} flags" + (f"  ({extra})" if extra else ""))


def _flag_counts(database) -> dict[int, int]:  # noqa: ANN001
    counts: dict[int, int] = {}
    for flag in store.flags(database, "flags.verdict = 'conflict'"):
        for side in ("a", "b"):
            counts[flag[f"article_id_{side}"]] = counts.get(flag[f"article_id_{side}"], 0) + 1
    return counts


@app.command()
def stats(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Count everything and tell which model and index the database uses.

    Example: claimcheck stats
    """
    settings = _settings(db)
    with _user_errors():
        database = _open(settings)
        info = {
            "database": str(settings.db_path),
            "counts": store.counts(database),
            "models": dict(store.embedding_models(database)),
            "index": _index_info(settings),
        }
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    typer.echo(f"Database: {info['database']}")
    for table, count in info["counts"].items():
        typer.echo(f"  {table:<11} {count}")
    typer.echo("Models: " + (", ".join(f"{m} ({n} vectors)" for m, n in info["models"].items()) or "none"))
    typer.echo(f"Index: {info['index']}")


def _index_info(settings: Settings) -> str:
    sidecar = settings.index_path.with_name(settings.index_path.name + ".json")
    if not sidecar.exists():
        return "none yet (built on the next compare or query)"
    try:
        meta = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return "unreadable (will be rebuilt)"
    kind = "exact (Flat, inner product)" if meta.get("exact") else "approximate (HNSW)"
    return f"{settings.index_path} · {kind} · {meta.get('size')} vectors · model {meta.get('model')}"


@app.command()
def check(
    text_a: Annotated[Optional[str], typer.Argument(help="The first claim.")] = None,
    text_b: Annotated[Optional[str], typer.Argument(help="The second claim.")] = None,
    pairs_file: Annotated[Optional[Path], typer.Option("--pairs", help='JSONL of {"a": ..., "b": ...}; one result per line.')] = None,
    model: ModelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Do two claims disagree? Similarity, each side's quantities and speaker, and any flags with reasons.

    Example: claimcheck check "The camp closed in 2002." "Sangatte was shut in 2003." --json
    """
    from . import direct, embed

    settings = _settings(None, model)
    with _user_errors():
        if pairs_file is not None:
            records = _read_pairs(pairs_file)
            results = direct.check_texts([(r["a"], r["b"]) for r in records], settings,
                                         embed.load_embedder(settings.model, settings.batch_size))
            for record, result in zip(records, results):
                extra = {k: v for k, v in record.items() if k not in result}
                typer.echo(json.dumps({**extra, **result}, ensure_ascii=False))
            return
        if not text_a or not text_b:
            raise InputError("give two claims (TEXT_A TEXT_B) or --pairs FILE.jsonl")
        [result] = direct.check_texts([(text_a, text_b)], settings, embed.load_embedder(settings.model, settings.batch_size))
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    typer.echo(f"Similarity {result['similarity']:.3f} · score {result['score']:.3f} · "
               f"{'would be paired' if result['paired'] else 'would not be paired'}")
    for side in ("a", "b"):
        facts = result[side]
        numbers = ", ".join(f"{q['text']} ({q['kind']})" for q in facts["quantities"]) or "none"
        typer.echo(f"{side.upper()}: quantities: {numbers}; speaker: {facts['speaker'] or 'none'}")
    for flag in result["flags"]:
        typer.echo(f"FLAG {flag['kind']}: {flag['value_a']} vs {flag['value_b']} — {flag['reason']} "
                   f"(confidence {flag['confidence']:.2f})")
    for agreement in result["agreements"]:
        typer.echo(f"AGREE {agreement['kind']}: {agreement['value_a']} = {agreement['value_b']} — {agreement['reason']}")
    if not result["flags"]:
        typer.echo("No disagreement found.")


def _read_pairs(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path}: {error}") from None
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{path} line {number} is not valid JSON ({error.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("a"), str) or not isinstance(record.get("b"), str):
            raise InputError(f'{path} line {number} needs "a" and "b" strings')
        records.append(record)
    return records


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="A file to read, or the text itself.")],
    as_json: JsonOption = False,
) -> None:
    """The claims of one text with their quantities and attributions (offsets in characters).

    Example: claimcheck extract seeds/000_9f8486816fdba1ea.txt --json
    """
    from . import direct
    from .ingest import decode

    with _user_errors():
        path = Path(source)
        text = source
        if len(source) < 4096 and "\n" not in source and path.is_file():
            text = decode(path.read_bytes())
        result = direct.extract(text)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for claim in result["claims"]:
        typer.echo(f"[{claim['start']}:{claim['end']}] {claim['text']}")
        for q in result["quantities"]:
            if claim["start"] <= q["start"] < claim["end"]:
                typer.echo(f"    {q['kind']}: {q['text']} = {q['value']} {q['unit']}".rstrip())
        for a in result["attributions"]:
            if a["content_start"] < claim["end"] and a["content_end"] > claim["start"]:
                typer.echo(f"    said by: {a['canonical']} ({a['cue']})")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    sys.exit(main())

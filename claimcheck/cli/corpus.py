"""Commands that build the corpus and ask it: report, ingest, compare, query."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import (DbOption, JsonOption, MaxMbOption, ModelOption, app, err, open_database, progress_bar,
                  settings_from, store, user_errors)


def _report_problems(problems) -> bool:  # noqa: ANN001 - list[ingest.Problem]
    for problem in problems:
        err(f"Skipped {problem.source}: {problem.reason}")
    return bool(problems)


def _summarise_ingest(result) -> None:  # noqa: ANN001 - pipeline.IngestResult
    parts = [f"{len(result.added)} new", f"{len(result.replaced)} replaced", f"{len(result.unchanged)} unchanged"]
    if result.duplicates:
        parts.append(f"{len(result.duplicates)} duplicate(s) of articles already read")
    typer.echo("Articles: " + ", ".join(parts) + ".")
    for new, old in result.duplicates:
        typer.echo(f"  {new} has the same text as {old}: stored once, both names remembered.")


def _summarise_compare(result) -> None:  # noqa: ANN001 - pipeline.CompareResult
    for note in result.notes:  # what an upgrade made claimcheck redo
        typer.echo(note[0].upper() + note[1:] + ".")
    typer.echo(f"Claims: {result.new_claims} new, {result.embedded} embedded, {result.new_pairs} new pairs, "
               f"{result.checked_pairs} pairs checked.")
    for a, b in result.copies:
        typer.echo(f"  {a} and {b} are copies of one source.")


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
    from .. import pipeline

    settings = settings_from(db, model, max_mb)
    with user_errors():
        database = open_database(settings)
        result = pipeline.run_report(database, settings, paths, out, progress=progress_bar)
    _summarise_ingest(result.ingested)
    _summarise_compare(result.compared)
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
    from .. import pipeline

    settings = settings_from(db, max_mb=max_mb)
    with user_errors():
        result = pipeline.ingest(open_database(settings), paths, settings, progress=progress_bar)
    _summarise_ingest(result)
    if _report_problems(result.problems):
        raise typer.Exit(2)


@app.command()
def compare(db: DbOption = None, model: ModelOption = None) -> None:
    """Embed, index, pair and check the ingested claims (the second half of `report`).

    Example: claimcheck compare --db story.db
    """
    from .. import pipeline

    settings = settings_from(db, model)
    with user_errors():
        result = pipeline.compare(open_database(settings), settings, progress=progress_bar)
    _summarise_compare(result)


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

    Claims ingested but not yet compared are embedded first. Example: claimcheck query "When did the Sangatte camp close?" -k 5
    """
    from .. import search

    settings = settings_from(db, model)
    with user_errors():
        texts = search.query_texts(text, file)
        results = search.query(open_database(settings), settings, texts, k=k, min_score=min_score, article=article,
                               progress=progress_bar)
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

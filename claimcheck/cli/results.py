"""Commands that read and review the results: flags, show, review, export, articles, stats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import InputError
from .app import DbOption, JsonOption, ModelOption, app, open_database, settings_from, store, user_errors


def _review():  # noqa: ANN202 - the claimcheck.review module, imported at first use (it pulls in the store)
    from .. import review

    return review


@app.command()
def flags(
    kind: Annotated[Optional[str], typer.Option("--kind", help="numeric, date or attribution.")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="open, confirmed or dismissed.")] = None,
    relation: Annotated[Optional[str], typer.Option("--relation", help="conflict, update or revision.")] = None,
    article: Annotated[Optional[str], typer.Option("--article", help="Only flags involving an article whose name contains this.")] = None,
    min_confidence: Annotated[float, typer.Option("--min-confidence", help="Only flags at least this confident.")] = 0.0,
    include_revisions: Annotated[bool, typer.Option("--revisions", help="Also list differences between copies of one source.")] = False,
    every_repeat: Annotated[bool, typer.Option("--repeats", help="Also list the flags that repeat another's two articles and values from other sentences.")] = False,
    every_update: Annotated[bool, typer.Option("--every-update", help="Also list updates that skip a date their measure has between them.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the flags, worst first: conflicts, updates (a figure that changed between dates) and, with --revisions,
    differences between copies. A finding met in several sentences of the same two articles (a headline and its
    lead) is listed once, with how many flags repeat it; an update is listed between neighbouring dates of its
    measure (the report's timelines show each measure whole).

    Example: claimcheck flags --relation conflict --status open
    """
    review = _review()
    settings = settings_from(db)
    with user_errors():
        rows = review.select_flags(open_database(settings), kind, status, relation, article, min_confidence,
                                   include_revisions, every_repeat, every_update)
    if as_json:
        typer.echo(json.dumps([review.flag_json(row) for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("No flags match.")
        return
    # The relation has its own column: "200,000 vs 316,000" two years apart is an update, not a disagreement.
    typer.echo(f"{'ID':<10}  {'KIND':<11}  {'RELATION':<8}  {'STATUS':<9}  {'CONF':>4}  VALUES / ARTICLES")
    for row in rows:
        typer.echo(f"{row['id']:<10}  {row['kind']:<11}  {row['relation'] or row['verdict']:<8}  {row['status']:<9}  "
                   f"{row['confidence']:>4.2f}  {row['value_a']} vs {row['value_b']}  ({row['about']})")
        typer.echo(f"{'':<51}{row['article_a']} / {row['article_b']}{_repeat_note(row)}")


def _repeat_note(row: dict) -> str:
    if row.get("repeat_of"):
        return f"  (repeats {row['repeat_of']})"
    return f"  (+{len(row['repeats'])} repeating it)" if row.get("repeats") else ""


@app.command()
def show(flag_id: Annotated[str, typer.Argument(help="A flag id (or a unique prefix).")], db: DbOption = None) -> None:
    """Show one flag: both claims in context, their articles, the values that disagree and why.

    Example: claimcheck show 3f2a9c
    """
    settings = settings_from(db)
    with user_errors():
        database = open_database(settings)
        flag = _review().find_flag(database, flag_id)
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
        claim, article, context = _review().claim_context(database, flag[f"claim_{side}"])
        meta = " · ".join(x for x in (article["title"], article["outlet"], article["published"]) if x)
        lines += ["", f"[{side.upper()}] {article['name']}, line {claim['line']}" + (f" ({meta})" if meta else "")]
        for row in context:
            text = row["text"]
            if row["id"] == claim["id"]:
                value = flag[f"value_{side}"]
                text = text.replace(value, typer.style(value, bold=True, fg="red"), 1)
                lines.append(f"  > {text}")
            else:
                lines.append(f"    {text}")
    if flag.get("repeats"):
        lines += ["", f"Also said in (the same two values; a decision covers these too): " + "; ".join(
            f"{row['article_a']} line {row['line_a']} / {row['article_b']} line {row['line_b']}" for row in flag["repeats"])]
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
    settings = settings_from(db)
    with user_errors():
        database = open_database(settings)
        if flag_id is None:
            _walk_open_flags(database, by)
            return
        if confirm == dismiss:
            raise InputError("give exactly one of --confirm or --dismiss")
        flag = _review().find_flag(database, flag_id)
        decision = "confirmed" if confirm else "dismissed"
        recorded = _review().decide(database, flag["id"], decision, note, by)
    typer.echo(f"Flag {flag['id']} {decision}{_with_repeats(recorded)}.")


def _with_repeats(recorded: int) -> str:
    return f", with the {recorded - 1} flag(s) repeating it" if recorded > 1 else ""


def _walk_open_flags(database, by: str | None) -> None:  # noqa: ANN001
    open_flags = _review().open_conflicts(database)
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
        recorded = _review().decide(database, flag["id"], decision, note, by)
        typer.echo(f"Flag {flag['id']} {decision}{_with_repeats(recorded)}.")


@app.command()
def export(
    fmt: Annotated[str, typer.Option(
        "--format", help="json, jsonl, csv, or claimreview (confirmed flags as schema.org JSON-LD).")] = "json",
    what: Annotated[str, typer.Option("--what", help="flags, pairs or claims.")] = "flags",
    out: Annotated[Optional[Path], typer.Option("--out", help="File to write (default: standard output).")] = None,
    db: DbOption = None,
) -> None:
    """Export flags, pairs or claims for spreadsheets and other tools.

    Example: claimcheck export --format csv --what flags --out flags.csv
    (--format claimreview ignores --what: it writes the confirmed flags.)
    """
    settings = settings_from(db)
    with user_errors():
        if out is not None and not out.parent.exists():
            raise InputError(f"the folder for --out does not exist: {out.parent}")
        count, text = _review().export(open_database(settings), what, fmt)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            typer.echo(f"Wrote {count} {'ClaimReviews' if fmt == 'claimreview' else what} to {out}", err=True)


@app.command()
def articles(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the ingested articles: name, title, outlet, date, claims and flags.

    Example: claimcheck articles --json
    """
    settings = settings_from(db)
    with user_errors():
        listing = _review().article_listing(open_database(settings))
    if as_json:
        typer.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    if not listing:
        typer.echo("No articles yet: `claimcheck ingest PATH` or `claimcheck report`.")
    for row in listing:
        dated = f"dated {row['dated']} ({row['dated_by']})" if row["dated"] else "undated"
        extra = " · ".join(str(x) for x in (row["title"], row["outlet"], dated) if x)
        typer.echo(f"{row['id']:>4}  {row['name']}  {row['n_claims']} claims, {row['n_flags']} flags" + (f"  ({extra})" if extra else ""))


@app.command()
def stats(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Count everything and tell which model and index the database uses.

    Example: claimcheck stats
    """
    from .. import index

    settings = settings_from(db)
    with user_errors():
        database = open_database(settings)
        info = {
            "database": str(settings.db_path),
            "counts": store.counts(database),
            "models": dict(store.embedding_models(database)),
            "index": index.describe(settings.index_path),
        }
    if as_json:
        typer.echo(json.dumps(info, indent=2))
        return
    typer.echo(f"Database: {info['database']}")
    for table, count in info["counts"].items():
        typer.echo(f"  {table:<11} {count}")
    typer.echo("Models: " + (", ".join(f"{m} ({n} vectors)" for m, n in info["models"].items()) or "none"))
    typer.echo(f"Index: {info['index']}")


@app.command()
def serve(
    db: DbOption = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8321,
    host: Annotated[str, typer.Option("--host", help="Address to bind (default 127.0.0.1: this machine only).")] = "127.0.0.1",
    read_only: Annotated[bool, typer.Option("--read-only", help="Serve the pages but accept no decisions.")] = False,
    model: ModelOption = None,
) -> None:
    """Review in the browser: flags, one flag side by side, measures, articles and query, until Ctrl-C.

    Example: claimcheck serve --db story.db --port 8321
    """
    from .. import web

    settings = settings_from(db, model)
    with user_errors():
        open_database(settings).close()
    where = "this machine only" if host in {"127.0.0.1", "localhost", "::1"} else "ANYONE who can reach this machine"
    mode = "read-only" if read_only else "decisions are saved"
    typer.echo(f"Serving {settings.db_path} at http://{host}:{port}/ ({where}; {mode}). Ctrl-C stops.")
    web.serve(settings, host, port, read_only)

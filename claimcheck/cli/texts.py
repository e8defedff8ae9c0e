"""Commands on texts that never enter a database: check two claims, extract one text's facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import InputError
from .app import JsonOption, MaxMbOption, ModelOption, app, settings_from, user_errors


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
    from .. import direct

    settings = settings_from(None, model)
    with user_errors():
        if pairs_file is not None:
            records = direct.read_pairs(pairs_file)
            results = direct.check_texts([(r["a"], r["b"]) for r in records], settings)
            for record, result in zip(records, results):
                extra = {k: v for k, v in record.items() if k not in result}
                typer.echo(json.dumps({**extra, **result}, ensure_ascii=False))
            return
        if not text_a or not text_b:
            raise InputError("give two claims (TEXT_A TEXT_B) or --pairs FILE.jsonl")
        [result] = direct.check_texts([(text_a, text_b)], settings)
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


@app.command()
def extract(
    source: Annotated[str, typer.Argument(help="A file to read, or the text itself.")],
    max_mb: MaxMbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The claims of one text with their quantities and attributions (offsets in characters).

    Example: claimcheck extract seeds/000_9f8486816fdba1ea.txt --json
    """
    from .. import direct

    settings = settings_from(None, max_mb=max_mb)
    with user_errors():
        if settings.max_file_bytes <= 0:
            raise InputError("--max-mb must be more than 0")
        result = direct.extract_source(source, settings.max_file_bytes)
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

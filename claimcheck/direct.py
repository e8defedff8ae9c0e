"""The pipeline's stages on texts that never enter a database: `check` two claims, `extract` one text.

`check` is what a user runs to compare a claim with a source, and what the evaluation runs on;
it uses the same segmentation, quantities, attribution, hybrid score and checks as a corpus run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

from . import attribution, checks, pair, quantities
from .config import Settings
from .embed import Embedder
from .errors import InputError
from .ingest import Article, clean_text, read_text
from .segment import Claim, Segmented, segment

# Without a corpus to count document frequencies, every content word weighs like a
# moderately rare term (normalised IDF of a term in ~1 % of a 10,000-claim corpus).
DEFAULT_IDF = 0.5


def _segment_texts(texts: Sequence[str]) -> list[Segmented]:
    articles = [Article(source=f"<text {n}>", name=f"text {n}", text=clean_text(text)) for n, text in enumerate(texts)]
    return list(segment(articles))


def _whole_text_claims(segmented: Segmented) -> list[Claim]:
    """A text's claims; a text too short to count as a claim is still checked as one."""
    if segmented.claims:
        return list(segmented.claims)
    from .segment import claim_terms, load_nlp

    doc = load_nlp()(segmented.article.text)
    attributions = attribution.extract_attributions(doc)
    return [Claim(0, 0, len(doc.text), 1, doc.text, tuple(claim_terms(doc[:])),
                  tuple(quantities.extract_quantities(doc[:])), attribution.speaker_for_span(0, len(doc.text), attributions))]


def check_texts(
    pairs: Sequence[tuple[str, str]], settings: Settings, embedder: Embedder | None = None,
    idf: Mapping[str, float] | None = None,
) -> list[dict]:
    """For each (a, b): similarity, whether claimcheck would pair them, each side's facts, and any flags."""
    from .embed import load_embedder

    embedder = embedder or load_embedder(settings.model, settings.batch_size)
    texts = [text for pair_ in pairs for text in pair_]
    segmented = _segment_texts(texts)
    vectors = embedder.embed_batch([seg.article.text for seg in segmented])
    results = []
    for n in range(len(pairs)):
        side_a, side_b = segmented[2 * n], segmented[2 * n + 1]
        similarity = float(vectors[2 * n] @ vectors[2 * n + 1])
        results.append(_pair_result(side_a, side_b, similarity, settings, idf or {}))
    return results


def _pair_result(side_a: Segmented, side_b: Segmented, similarity: float, settings: Settings,
               idf: Mapping[str, float]) -> dict:
    claims_a, claims_b = _whole_text_claims(side_a), _whole_text_claims(side_b)
    terms_a = [t for c in claims_a for t in c.terms]
    terms_b = [t for c in claims_b for t in c.terms]
    weights = {t: idf.get(t, DEFAULT_IDF) for t in set(terms_a) | set(terms_b)}
    lexical = pair.lexical_overlap(terms_a, terms_b, weights)
    score = pair.hybrid_score(similarity, lexical, settings.lexical_weight)
    aliases = attribution.AliasTable()
    for seg in (side_a, side_b):
        aliases.merge(seg.aliases)
    context = checks.Context(aliases)
    flags, agreements = [], []
    for claim_a in claims_a:
        for claim_b in claims_b:
            for outcome in checks.compare(_facts(claim_a), _facts(claim_b), context):
                (flags if outcome.verdict == "conflict" else agreements).append(_outcome_json(outcome))
    return {
        "similarity": round(similarity, 4), "lexical": round(lexical, 4), "score": round(score, 4),
        "paired": score >= settings.pair_threshold, "same_claim": score >= settings.same_claim_threshold,
        "flags": flags, "agreements": agreements,
        "a": _side(side_a, claims_a), "b": _side(side_b, claims_b),
    }


def _facts(claim: Claim) -> checks.Side:
    return checks.Side(claim.text, claim.quantities, claim.attribution)


def _outcome_json(outcome: checks.Outcome) -> dict:
    data = asdict(outcome)
    data["shared"] = list(outcome.shared)
    data["measure"] = outcome.measure or outcome.about
    return data


def _side(segmented: Segmented, claims: list[Claim]) -> dict:
    speaker = next((c.attribution for c in claims if c.attribution), None)
    return {
        "text": segmented.article.text,
        "quantities": [_quantity_json(q, 0) for c in claims for q in c.quantities],
        "speaker": speaker.canonical if speaker else None,
        "speaker_as_written": speaker.speaker if speaker else None,
    }


def _quantity_json(quantity: quantities.Quantity, offset: int) -> dict:
    data = quantity.to_dict()
    return {"text": data["text"], "start": quantity.start + offset, "end": quantity.end + offset,
            "kind": data["kind"], "value": data["value"], "low": data["low"], "high": data["high"],
            "unit": data["unit"], "noun": data["noun"], "hedge": data.get("hedge", "")}


def read_pairs(path: Path) -> list[dict]:
    """The records of a JSONL file of {"a": ..., "b": ...} pairs (other fields kept), blank lines skipped."""
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


def extract_source(source: str, max_bytes: int) -> dict:
    """`extract` of a file (read with ingest's size and binary-file checks) or, if no such file, of the text itself."""
    path = Path(source)
    if len(source) < 4096 and "\n" not in source and path.is_file():
        return extract(read_text(path, max_bytes))
    return extract(source)


def extract(text: str) -> dict:
    """The claims of one text with their quantities and attributions; offsets are characters of `text`."""
    from .segment import load_nlp, split_claims

    doc = load_nlp()(text)  # not cleaned: offsets must be those of the text as read
    claims = list(split_claims(doc))
    return {
        "claims": [{"text": c.text, "start": c.start, "end": c.end} for c in claims],
        "quantities": [_quantity_json(q, c.start) for c in claims for q in c.quantities],
        "attributions": [
            {key: value for key, value in asdict(a).items()
             if key in {"speaker", "speaker_start", "speaker_end", "canonical", "cue", "content", "content_start",
                        "content_end", "role", "named"}}
            for a in attribution.extract_attributions(doc)
        ],
    }

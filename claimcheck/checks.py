"""Run every check over the pairs -> flags (disagreements) and agreements, each with a reason.

A flag's id is derived from its content (kind, the two sentences, the two values), so the same
disagreement keeps its id across re-runs, re-ingests and rebuilt indexes, and a review decision
made once re-attaches to it whenever it comes back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from . import attribution, measures, quantities
from .ingest import text_hash


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one pair: a disagreement (flag) or an agreement."""

    id: str
    kind: str  # numeric | date | attribution
    verdict: str  # conflict | revision | agree
    pair_id: int
    claim_a: int
    claim_b: int
    value_a: str
    value_b: str
    norm_a: str | None
    norm_b: str | None
    about: str
    similarity: float
    confidence: float
    reason: str
    shared: tuple[str, ...] = ()
    # What kind of difference: two outlets disagreeing, a figure updated over time, or an edit between copies.
    relation: str = "conflict"  # conflict | update | revision
    measure: str = ""  # what is measured, in words ("migrants in Calais")
    time_a: str | None = None  # ISO date or interval each value holds for, when stated
    time_b: str | None = None
    source_a: str | None = None  # whom each side cites for its value ("the Home Office")
    source_b: str | None = None


def finding_id(kind: str, text_a: str, value_a: str, text_b: str, value_b: str) -> str:
    """Stable id from content: the same disagreement between the same two sentences, whatever the row order."""
    sides = sorted([(text_hash(text_a), value_a), (text_hash(text_b), value_b)])
    raw = json.dumps([kind, sides], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:10]


def check_pair(pair: dict, aliases: attribution.AliasTable, copies: bool) -> list[Finding]:
    """Every finding for one stored pair (a row of store.pairs); `copies` when its articles are one source."""
    return [*_quantity_findings(pair, copies), *_speaker_findings(pair, aliases, copies)]


def _quantity_findings(pair: dict, copies: bool) -> Iterable[Finding]:
    found_a = [quantities.Quantity.from_dict(q) for q in json.loads(pair["quantities_a"])]
    found_b = [quantities.Quantity.from_dict(q) for q in json.loads(pair["quantities_b"])]
    if not found_a or not found_b:
        return
    for comparison in measures.compare_claims(pair["text_a"], found_a, pair["text_b"], found_b):
        yield _finding(
            pair, kind=comparison.kind, verdict=_verdict(comparison.verdict, copies),
            value_a=comparison.a.text, value_b=comparison.b.text,
            norm_a=_norm(comparison.a), norm_b=_norm(comparison.b), about=comparison.about,
            confidence=comparison.confidence, reason=comparison.reason, **_measure_fields(comparison),
        )


def _measure_fields(comparison: object) -> dict:
    """Relation, measure, times and sources, for comparisons that carry them (older ones do not)."""
    fields = {key: getattr(comparison, key, None) for key in ("relation", "time_a", "time_b", "source_a", "source_b")}
    fields["measure"] = getattr(comparison, "measure", None) or getattr(comparison, "about", "")
    return {key: value for key, value in fields.items() if value is not None}


def _speaker_findings(pair: dict, aliases: attribution.AliasTable, copies: bool) -> Iterable[Finding]:
    att_a = attribution.Attribution.from_dict(json.loads(pair["attribution_a"])) if pair["attribution_a"] else None
    att_b = attribution.Attribution.from_dict(json.loads(pair["attribution_b"])) if pair["attribution_b"] else None
    if att_a is None and att_b is None:
        return
    comparison = attribution.compare_speakers(pair["text_a"], att_a, pair["text_b"], att_b, aliases)
    if comparison is None:
        return
    yield _finding(
        pair, kind="attribution", verdict=_verdict(comparison.verdict, copies),
        value_a=comparison.speaker_a, value_b=comparison.speaker_b,
        norm_a=comparison.canonical_a, norm_b=comparison.canonical_b,
        about=f"who said it: {' '.join(comparison.shared_words[:6])}".strip(),
        confidence=comparison.confidence, reason=comparison.reason, shared=tuple(comparison.shared_words),
    )


def _verdict(verdict: str, copies: bool) -> str:
    # A difference between two copies of one source is an edit, not two outlets disagreeing.
    if verdict == "conflict" and copies:
        return "revision"
    return verdict


def _norm(quantity: quantities.Quantity) -> str:
    low = "" if quantity.low == float("-inf") else f"{quantity.low:g}"
    high = "" if quantity.high == float("inf") else f"{quantity.high:g}"
    unit = f" {quantity.unit}" if quantity.unit else ""
    if low == high:
        return f"{low}{unit}"
    return f"[{low}, {high}]{unit}"


def _finding(pair: dict, **fields: object) -> Finding:
    fields.setdefault("measure", fields["about"])
    if fields["verdict"] == "revision":
        fields["relation"] = "revision"
    return Finding(
        id=finding_id(str(fields["kind"]), pair["text_a"], str(fields["value_a"]), pair["text_b"], str(fields["value_b"])),
        pair_id=pair["id"], claim_a=pair["claim_a"], claim_b=pair["claim_b"],
        similarity=pair["similarity"], **fields,  # type: ignore[arg-type]
    )


def flag_row(finding: Finding) -> dict:
    """A finding as a row of the flags table."""
    row = asdict(finding)
    row["shared"] = json.dumps(list(finding.shared))
    return row


def agreement_row(finding: Finding, independent: bool) -> dict:
    """A finding as a row of the agreements table."""
    keys = ("id", "kind", "pair_id", "claim_a", "claim_b", "value_a", "value_b", "about", "reason")
    return {**{key: getattr(finding, key) for key in keys}, "independent": int(independent)}

"""The checks: one interface, one registry, run alike by the corpus path, `claimcheck check` and the evaluations.

A check is an object with a `name`, a `version`, the claim facts it `reads` (both claims must have
each of them for the check to have anything to say) and `compare(a, b, context) -> outcomes`.
It is written in its own module and registered there in one line, `checks.register(MyCheck())`;
the built-in ones are named in BUILTIN so that they load on first use. Nothing else learns its name.

A finding's id is derived from its content (kind, the two sentences, the two values), so the same
disagreement keeps its id across re-runs, re-ingests, re-checks by a newer version and rebuilt
indexes, and a review decision made once re-attaches to it whenever it comes back.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Protocol

from .attribution import AliasTable, Attribution
from .ingest import text_hash
from .measures import NO_SETTING, Setting
from .quantities import Quantity

# The modules of the built-in checks; each registers its check when imported.
BUILTIN = ("claimcheck.quantity_check", "claimcheck.speaker_check")


@dataclass(frozen=True)
class Side:
    """One claim as a check sees it: its text and the facts extracted from it."""

    text: str
    quantities: tuple[Quantity, ...] = ()
    attribution: Attribution | None = None

    def has(self, fact: str) -> bool:
        """Whether this claim holds the fact (a field name: quantities, attribution)."""
        return bool(getattr(self, fact))


# What a Side can hold; read once: dataclasses.fields() was a tenth of checking a pair.
SIDE_FACTS = frozenset(f.name for f in fields(Side))


@dataclass(frozen=True)
class Context:
    """What a check may know beyond the two claims: the aliases learnt from their articles and, in a corpus,
    the pair's measures.Setting (when each article was written, how alike two measure phrases are)."""

    aliases: AliasTable
    setting: Setting = NO_SETTING


@dataclass(frozen=True)
class Outcome:
    """One check's verdict on two claims: a disagreement or an agreement, with what it is about."""

    kind: str  # numeric | date | attribution | a new check's own kind
    verdict: str  # conflict | update (the same measure at two times) | agree; revision is set for copies
    value_a: str
    value_b: str
    about: str
    reason: str
    confidence: float
    norm_a: str | None = None
    norm_b: str | None = None
    shared: tuple[str, ...] = ()
    # What kind of difference: two outlets disagreeing, a figure updated over time, or an edit between copies.
    relation: str = "conflict"  # conflict | update | revision
    measure: str = ""  # what is measured, in words ("migrants in Calais"); empty: the same as `about`
    time_a: str | None = None  # ISO date or interval each value holds for, when stated
    time_b: str | None = None
    source_a: str | None = None  # whom each side cites for its value ("the Home Office")
    source_b: str | None = None


class Check(Protocol):
    """The interface every check meets."""

    name: str
    version: str  # bump it when the check's verdicts change: stored pairs are re-checked
    reads: tuple[str, ...]  # claim facts both sides need ("quantities", "attribution"); "aliases" for corpus aliases

    def compare(self, a: Side, b: Side, context: Context) -> Iterable[Outcome]: ...


_registry: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check to the registry (a later one with the same name replaces it)."""
    _registry[check.name] = check
    return check


def unregister(name: str) -> None:
    """Remove a check (for tests that register their own)."""
    _registry.pop(name, None)


def registered() -> list[Check]:
    """Every registered check, built-in ones first, in registration order."""
    for module in BUILTIN:
        importlib.import_module(module)
    return list(_registry.values())


def claim_facts(check: Check) -> tuple[str, ...]:
    """The facts of single claims a check reads (without corpus-level ones like aliases)."""
    return tuple(fact for fact in check.reads if fact in SIDE_FACTS)


def applies(check: Check, a: Side, b: Side) -> bool:
    """Whether both claims hold every fact the check reads."""
    return all(a.has(fact) and b.has(fact) for fact in claim_facts(check))


def compare(a: Side, b: Side, context: Context, checks: Sequence[Check] | None = None) -> list[Outcome]:
    """Every outcome of the checks (default: all registered) on two claims."""
    return [outcome for check in (registered() if checks is None else checks) if applies(check, a, b)
            for outcome in check.compare(a, b, context)]


@dataclass(frozen=True)
class Finding(Outcome):
    """An outcome on one stored pair, as the flags and agreements tables hold it."""

    id: str = ""
    check: str = ""  # the name of the check that found it
    pair_id: int = 0
    claim_a: int = 0
    claim_b: int = 0
    similarity: float = 0.0


def finding_id(kind: str, text_a: str, value_a: str, text_b: str, value_b: str, article_a: str, article_b: str) -> str:
    """Stable id from content: the same disagreement between the same two sentences of the same two articles,
    whatever the row order. The article names count: two wire copies carrying one sentence are two findings."""
    sides = sorted([(text_hash(text_a), value_a, article_a), (text_hash(text_b), value_b, article_b)])
    raw = json.dumps([kind, sides], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:10]


def pair_sides(pair: dict) -> tuple[Side, Side]:
    """The two claims of a stored pair (a row of store.pairs) with their facts."""
    return pair_side(pair, "a"), pair_side(pair, "b")


def pair_side(pair: dict, key: str) -> Side:
    """One claim ("a" or "b") of a stored pair with its facts."""
    quantities = tuple(Quantity.from_dict(q) for q in json.loads(pair[f"quantities_{key}"]))
    raw = pair[f"attribution_{key}"]
    return Side(pair[f"text_{key}"], quantities, Attribution.from_dict(json.loads(raw)) if raw else None)


def check_pair(pair: dict, check: Check, context: Context, copies: bool,
               sides: tuple[Side, Side] | None = None) -> list[Finding]:
    """One check's findings on one stored pair; `copies` when its articles are one source.

    `sides`: the pair's two claims already read (pair_sides), when several checks look at one pair.
    """
    a, b = sides or pair_sides(pair)
    if not applies(check, a, b):
        return []
    return [_finding(pair, check.name, outcome, copies) for outcome in check.compare(a, b, context)]


def _finding(pair: dict, check: str, outcome: Outcome, copies: bool) -> Finding:
    values = {f.name: getattr(outcome, f.name) for f in fields(Outcome)}
    values["measure"] = outcome.measure or outcome.about
    # A difference between two copies of one source is an edit, not two outlets disagreeing.
    if outcome.verdict != "agree" and copies:
        values["verdict"] = values["relation"] = "revision"
    return Finding(
        **values, check=check,
        id=finding_id(outcome.kind, pair["text_a"], outcome.value_a, pair["text_b"], outcome.value_b,
                      pair.get("article_a", ""), pair.get("article_b", "")),  # "" for pairs outside a corpus
        pair_id=pair["id"], claim_a=pair["claim_a"], claim_b=pair["claim_b"], similarity=pair["similarity"],
    )


def flag_row(finding: Finding) -> dict:
    """A finding as a row of the flags table."""
    row = asdict(finding)
    row["shared"] = json.dumps(list(finding.shared))
    row["check_name"] = row.pop("check")
    return row


def agreement_row(finding: Finding, independent: bool) -> dict:
    """A finding as a row of the agreements table."""
    keys = ("id", "kind", "pair_id", "claim_a", "claim_b", "value_a", "value_b", "about", "reason")
    return {**{key: getattr(finding, key) for key in keys}, "check_name": finding.check, "independent": int(independent)}

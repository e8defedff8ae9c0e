"""Whether two figures measure the same thing, and whether they agree: pure comparison, no spaCy.

At comparison an exact figure is widened by its rounding: 5 % for round numbers (3,000; 2,100; £7m), half of the
last written digit otherwise (21 -> 20.5..21.5). Measures are converted to a base unit (miles/km,
barrels/gallons/litres, hours/days); a gallon may be imperial or US, so it converts to an interval. Currencies are
never converted. Overlapping intervals agree.

Comparability (precision first: when in doubt, do not compare). Two numeric quantities are compared only if they
have the same kind and a convertible unit or the same currency, the same counted noun (people/migrants/refugees
count as one noun), the same event (the verb: "arrived" is not "living"; "attempt" is not "stormed"), exactly the
same time frame ("in 2019" vs "this year": not compared), no two different places, and values within a factor of 4
(further apart, they are different measures, not a disagreement). Two dates are compared only when they date the
same one-off event ("closed", "opened", "founded"...) of something both sentences name ("Sangatte").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from . import units as U
from .inflect import past, plural
from .quantities import DATE_KINDS, NUMERIC_KINDS, Quantity

ONE_OFF_EVENTS = {"close", "open", "found", "establish", "build", "demolish", "die", "bear", "sign", "elect",
                  "launch", "introduce", "abolish", "dismantle", "raze", "bulldoze", "set", "create"}
NOUN_CLASSES = {"people": "person", "person": "person", "migrant": "person", "refugee": "person",
                "immigrant": "person", "asylum": "person", "seeker": "person"}


@dataclass(frozen=True)
class QuantityComparison:
    """The verdict on two quantities that measure the same thing."""

    a: Quantity
    b: Quantity
    verdict: str
    kind: str
    confidence: float
    reason: str
    about: str



def compare_claims(text_a: str, quantities_a: list[Quantity], text_b: str,
                   quantities_b: list[Quantity]) -> list[QuantityComparison]:
    """Compare the quantities of two claims from different articles; only those that measure the same thing."""
    candidates = []
    for a in quantities_a:
        for b in quantities_b:
            texts = f"{text_a} {text_b}"
            found = _compare_dates(a, b, texts) if a.kind in DATE_KINDS else _compare_numbers(a, b, texts)
            if found is not None:
                candidates.append(found)
    # Each quantity is paired with its best counterpart only, agreements first: when both
    # sentences list 57 %, 21 % and 19 %, each figure meets its equal before any other.
    candidates.sort(key=lambda c: (c[1].verdict != "agree", -c[0], c[1].a.start, c[1].b.start))
    used_a, used_b, chosen = set(), set(), []
    for _, comparison in candidates:
        if id(comparison.a) in used_a or id(comparison.b) in used_b:
            continue
        used_a.add(id(comparison.a))
        used_b.add(id(comparison.b))
        chosen.append(comparison)
    return sorted(chosen, key=lambda c: (c.a.start, c.b.start))


def _frame(q: Quantity, prefix: str) -> set[str]:
    return {c[len(prefix) + 1:] for c in q.context if c.startswith(prefix + ":")}


def _compare_numbers(a: Quantity, b: Quantity, texts: str) -> tuple[float, QuantityComparison] | None:
    if a.kind != b.kind or a.kind not in NUMERIC_KINDS or not _same_measure(a, b):
        return None
    (a_lo, a_hi), (b_lo, b_hi) = _comparable_interval(a), _comparable_interval(b)
    a_mid, b_mid = (a_lo + a_hi) / 2, (b_lo + b_hi) / 2
    if max(a_mid, b_mid) > 4 * max(min(a_mid, b_mid), 1e-9) and math.isfinite(a_hi + b_hi):
        return None  # a factor of 4 apart: two different measures, not one disputed figure
    verdict = "agree" if a_lo <= b_hi and b_lo <= a_hi else "conflict"
    confidence = 0.9
    confidence -= 0.15 * ("noun:inferred" in a.context + b.context)
    confidence -= 0.1 * (a.noun != b.noun)
    confidence -= 0.1 * (not (_frame(a, "where") and _frame(b, "where")))
    confidence -= 0.05 * (math.isinf(a.high) or math.isinf(b.high))
    about = _numeric_about(a, b, texts)
    if a.kind == "count":
        reason = f"{a.text} vs {b.text} {about}"
    else:
        reason = f"{a.text} vs {b.text}: {about}"
    closeness = 1 / (1 + abs(a.value - b.value) / max(abs(a.value), abs(b.value), 1e-9))
    comparison = QuantityComparison(a, b, verdict, "numeric", round(max(confidence, 0.3), 2), reason, about)
    return confidence + 0.05 * len(_frame(a, "what") & _frame(b, "what")) + 0.01 * closeness, comparison


def _same_measure(a: Quantity, b: Quantity) -> bool:
    """Same unit dimension or currency, counted noun, event, time frame and (if both say) place."""
    if a.kind == "measure":
        ua, ub = U.unit_interval(a.unit), U.unit_interval(b.unit)
        if ua is None or ub is None or ua[0] != ub[0]:
            return False
    elif a.unit != b.unit:
        return False
    if a.noun or b.noun:
        if NOUN_CLASSES.get(a.noun, a.noun) != NOUN_CLASSES.get(b.noun, b.noun):
            return False
    elif not _frame(a, "what") & _frame(b, "what"):
        return False  # nothing counted on either side: at least the clause must name the same thing
    if not _frame(a, "event") & _frame(b, "event") or _frame(a, "when") != _frame(b, "when"):
        return False
    places_a, places_b = _frame(a, "where"), _frame(b, "where")
    return not (places_a and places_b and not places_a & places_b)


def _comparable_interval(q: Quantity) -> tuple[float, float]:
    """The interval a figure stands for, widened by rounding when exact, in the base unit for measures."""
    low, high = q.low, q.high
    if low == high:
        tolerance = U.rounding_tolerance(q.value, q.text)
        low, high = q.value - tolerance, q.value + tolerance
    if q.kind == "measure":
        _, f_lo, f_hi = U.unit_interval(q.unit)
        low, high = low * f_lo, high * f_hi
    return low, high


def _numeric_about(a: Quantity, b: Quantity, texts: str) -> str:
    places = sorted(_frame(a, "where") & _frame(b, "where")) or sorted(_frame(a, "where") | _frame(b, "where"))
    where = f" in {_as_written(places[0], texts)}" if places else ""
    when = sorted(_frame(a, "when"))
    when = f" ({when[0]})" if when else ""
    event = sorted(_frame(a, "event") & _frame(b, "event"))[0]
    if a.kind == "money":
        return f"sum {'pledged' if event == 'fund' else past(event)}{where}{when}"
    if a.kind == "percent":
        return f"{event} in {a.noun or 'figure'}{where}{when}"
    if a.kind == "measure":
        return f"{_as_written(a.noun, texts)} {U.unit_interval(a.unit)[0]}{where}{when}"
    noun = plural(a.noun) if a.noun == b.noun else "people"
    return f"{noun}{where}{when}"


def _compare_dates(a: Quantity, b: Quantity, texts: str) -> tuple[float, QuantityComparison] | None:
    if b.kind not in DATE_KINDS or a.unit not in ("year", "month", "day") or b.unit not in ("year", "month", "day"):
        return None
    if not a.noun or a.noun != b.noun or a.noun not in ONE_OFF_EVENTS:
        return None
    shared = sorted(_frame(a, "what") & _frame(b, "what"))
    if not shared:
        return None
    coarse = max(a.unit, b.unit, key=("day", "month", "year").index)
    verdict = "agree" if _truncate(a, coarse) == _truncate(b, coarse) else "conflict"
    places = _frame(a, "where") | _frame(b, "where")
    names = [w for w in shared if _as_written(w, texts)[:1].isupper()]
    # the thing dated is best named by a proper name that is not merely where it happened
    ranked = sorted(shared, key=lambda w: (w not in names, w in places, texts.lower().find(w)))
    label = _as_written(ranked[0], texts)
    about = f"{'year' if coarse == 'year' else 'date'} {label} {past(a.noun)}"
    confidence = 0.9 if names else 0.7
    comparison = QuantityComparison(a, b, verdict, "date", confidence, f"{a.text} vs {b.text}: {about}", about)
    return confidence + 0.05 * len(shared), comparison


def _truncate(q: Quantity, granularity: str) -> int:
    """The date as a whole number of years, months or days (value is a decimal year)."""
    per_year = {"year": 1, "month": 12, "day": 372}[granularity]
    return math.floor(q.low * per_year + 1e-6)


def _as_written(lemma: str, text: str) -> str:
    """The lemma with the capitalisation the text gives it ("calais" -> "Calais")."""
    at = text.lower().find(lemma)
    return text[at:at + len(lemma)] if at >= 0 else lemma


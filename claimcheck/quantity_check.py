"""The numeric and date check: two claims' quantities that measure the same thing, compared (measures.py)."""

from __future__ import annotations

from collections.abc import Iterator

from . import checks, measures, quantities


class QuantityCheck:
    """Numbers and dates that disagree, were updated, or agree between two claims (measures.compare_claims)."""

    name = "numeric"
    version = "10"  # 2: same measure by meaning, conflict or update by time; 3: times, touching intervals, heads; 4: one vessel or building by any of its names; 5: tally words shared in any form, bounds compared at their ends; 6: one range restated with a slip, a written year dates an undated page's event; 7: a round figure of three significant digits is exact to its last, "official" narrows no measure; 8: a page on an anniversary tells of the day it marks, two estimates agree only when one lies within the other's reach, a toll and a body count told to the unit within 0.1 % are one count; 9: an undated sentence restating a dated one's telling figure is read at its date; 10: tents handed out are aid, not people in camps
    reads = ("quantities",)

    def compare(self, a: checks.Side, b: checks.Side, context: checks.Context) -> Iterator[checks.Outcome]:
        for comparison in measures.compare_claims(a.text, list(a.quantities), b.text, list(b.quantities),
                                                  context.setting):
            yield checks.Outcome(
                kind=comparison.kind, verdict=comparison.verdict, value_a=comparison.a.text,
                value_b=comparison.b.text, about=comparison.about, confidence=comparison.confidence,
                reason=comparison.reason, norm_a=_norm(comparison.a), norm_b=_norm(comparison.b),
                **_measure_fields(comparison),
            )


def _measure_fields(comparison: measures.QuantityComparison) -> dict:
    """Relation, measure, times and sources of a comparison (those it knows)."""
    keys = ("relation", "measure", "time_a", "time_b", "source_a", "source_b")
    found = {key: getattr(comparison, key) for key in keys}
    return {key: value for key, value in found.items() if value is not None}


def _norm(quantity: quantities.Quantity) -> str:
    low = "" if quantity.low == float("-inf") else f"{quantity.low:g}"
    high = "" if quantity.high == float("inf") else f"{quantity.high:g}"
    unit = f" {quantity.unit}" if quantity.unit else ""
    if low == high:
        return f"{low}{unit}"
    return f"[{low}, {high}]{unit}"


checks.register(QuantityCheck())

"""Whether two dates disagree: the day a building collapsed, the year a camp closed (pure, no spaCy)."""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

from .comparison import QuantityComparison, Setting, as_written, frame
from .inflect import past
from .quantities import DATE_KINDS, YEARLESS, Quantity

ONE_OFF_EVENTS = {"close", "open", "found", "establish", "build", "demolish", "die", "bear", "sign", "elect",
                  "launch", "introduce", "abolish", "dismantle", "raze", "bulldoze", "set", "create",
                  # a disaster happens once: the day a building collapsed or a ship sank is one date
                  "collapse", "sink", "capsize", "crash", "explode", "erupt"}



GRANULARITIES = ("day", "month", "year")  # finest first


def compare_dates(a: Quantity, b: Quantity, texts: str, setting: Setting) -> tuple[float, QuantityComparison] | None:
    """Two dates of one one-off event of something both sentences name; a date written without its year
    ("collapsed on April 24") takes the year of its article's date, or None when the article is undated."""
    if b.kind not in DATE_KINDS:
        return None
    a, b = _placed(a, b, setting.anchor_a, setting.anchor_b)
    if a is None or b is None or a.unit not in GRANULARITIES or b.unit not in GRANULARITIES:
        return None
    if not a.noun or a.noun != b.noun or a.noun not in ONE_OFF_EVENTS:
        return None
    shared = sorted(frame(a, "what") & frame(b, "what"))
    if not shared:
        return None
    coarse = max(a.unit, b.unit, key=GRANULARITIES.index)
    verdict = "agree" if _truncate(a, coarse) == _truncate(b, coarse) else "conflict"
    places = frame(a, "where") | frame(b, "where")
    names = [w for w in shared if as_written(w, texts)[:1].isupper()]
    # the thing dated is best named by a proper name that is not merely where it happened
    ranked = sorted(shared, key=lambda w: (w not in names, w in places, texts.lower().find(w)))
    label = as_written(ranked[0], texts)
    about = f"{'year' if coarse == 'year' else 'date'} {label} {past(a.noun)}"
    confidence = 0.9 if names else 0.7
    comparison = QuantityComparison(a, b, verdict, "date", confidence, f"{a.text} vs {b.text}: {about}", about)
    return confidence + 0.05 * len(shared), comparison


def _truncate(q: Quantity, granularity: str) -> int:
    """The date as a whole number of years, months or days (value is a decimal year)."""
    per_year = {"year": 1, "month": 12, "day": 372}[granularity]
    return math.floor(q.low * per_year + 1e-6)


def _placed(a: Quantity, b: Quantity, anchor_a: date | None, anchor_b: date | None,
            ) -> tuple[Quantity | None, Quantity | None]:
    """Dates written without their year ("April 24": unit "monthday", value the fraction of a year) compared by
    month and day only: placed in the other date's year, or both in one year. Only in dated articles: an undated
    page's "April 24" may be of any year's event."""
    yearless_a, yearless_b = a.unit == YEARLESS, b.unit == YEARLESS
    if yearless_a and anchor_a is None or yearless_b and anchor_b is None:
        return None, None
    if yearless_a and yearless_b:
        return _in_year(a, 2000), _in_year(b, 2000)
    if yearless_a:
        return _in_year(a, math.floor(b.low + 1e-6)), b
    if yearless_b:
        return a, _in_year(b, math.floor(a.low + 1e-6))
    return a, b


def _in_year(q: Quantity, year: int) -> Quantity:
    return replace(q, value=year + q.value, low=year + q.low, high=year + q.high, unit="day")

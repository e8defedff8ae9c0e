"""Conflict or update: two values of one measure, told apart by when each refers to.

News moves. A death toll on day 1 and the toll on day 5 are one figure that changed, not two outlets
contradicting each other. The rule, per kind of measure:

- **Running tallies** (counts a story keeps updating: deaths, injured, missing, rescued, homeless, arrests,
  bodies recovered or buried) are read at the time of their report: the day the clause names ("on Saturday",
  "yesterday"), else the article's date. Different days, different values: an *update*; but a cumulative count
  that is *lower* on a later day of the same month (deaths, arrests, rescued) is a *conflict*, since such counts
  only grow while they are being counted (a year on, a lower estimate is a revision: an update). A later bound
  that the earlier figure already meets ("1,134 dead", then "more than 1,100" on an anniversary) restates it
  and is not compared.
  Stocks that can shrink (the missing, people still in camps) are updates either way. On one day, a stock that
  differs is a conflict; a cumulative count may rise within a day, so it conflicts only when the two are within
  2 % of each other (a transposed digit, "1,043" vs "1,034") and is left alone otherwise.
- **Fixed facts** (storeys of a building, people aboard, a distance, a length, a past event's toll) do not change
  with the date of the report: different values conflict whenever they were written.
- **Ages** grow with the date: they conflict only when they differ by more than the years between the reports.
- Figures dated to two different past periods ("the 2004 tsunami", "a fire last November") are different events
  and are not compared at all; on an undated page a written year still dates the figure's event.
- A page dated on an anniversary of a one-day event looks back at it: its figures that name no time of their own
  are that day's, and meet the figures dated to it ("struck on January 12, 2010, leaving 1.3 million homeless" /
  "one million were left homeless", both a year on) as the final tally of one past event.
Two undated articles are taken to speak of one time; a dated and an undated report of a running tally are not
compared (a fixed fact is, and so is one range restated with a slip at one end: a study's estimate).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from . import timeref
from .quantities import Quantity

# The classes of running tally, by the words of the measure phrase that name them. A phrase with words of two
# classes ("# killed and # injured") takes the first written.
TALLY_WORDS = {
    "deaths": "kill killed killing die died dead death deaths toll perish perished fatalities lives",
    "injured": "injure injured injuring injuries injury wounded hurt",
    "missing": "missing unaccounted",
    "rescued": "rescue rescued rescuing saved survivor survivors alive escaped",
    "homeless": "homeless displaced displace",
    "in camps": "camp camps tent tents shelter shelters",
    "arrested": "arrest arrested detained",
    "bodies": "body bodies buried burial graves grave recovered retrieved",
}
TALLY_OF = {word: tally for tally, words in TALLY_WORDS.items() for word in words.split()}
# Tallies that can fall without anyone being wrong: the missing are found, camps empty.
STOCKS = {"missing", "in camps"}
STILL = {"still", "remain", "remained", "remaining", "live", "living"}
# Tents handed out are aid delivered, not people living in camps: "250,000 people have received tents" is not the
# "500,000 people" camps house.
AID_VERBS = {"receive", "received", "receiving", "distributed", "delivered", "handed", "given"}
AID_GOODS = {"tent", "tents"}
SAME_DAY_CLOSENESS = 0.02
AGE_SLACK_YEARS = 1.5  # an age is rounded down to the year, and outlets round the years between reports too
RECENT_DAYS = 14  # a day the clause names within this many days before the article is the day of the report
HISTORICAL_DAYS = 30  # a period ending this long before the article dates a past event, not a report
# Within this many days a lower later count contradicts the earlier one; over months, estimates get revised.
FALLING_WINDOW_DAYS = 30
POPULATION_WINDOW_DAYS = 365
ANNIVERSARY_SLACK_DAYS = 3


@lru_cache(maxsize=1 << 16)  # asked of each figure in every pair it is in
def tally_of(phrase: str) -> str:
    """The running tally a measure phrase counts ("deaths", "missing", ...), or "" for a fixed fact.

    The words nearest the figure decide: "# people left homeless" counts the homeless even when a death
    toll is named further off."""
    words = re.findall(r"[a-z]+|#", phrase.lower())
    at = words.index("#") if "#" in words else 0
    ranked = sorted((abs(n - at), TALLY_OF[w]) for n, w in enumerate(words) if w in TALLY_OF and not _aid(words, n))
    return ranked[0][1] if ranked else ""


def _aid(words: list[str], n: int) -> bool:
    """Whether words[n] is goods handed out ("received tents", "distributed # tents", "tents delivered")."""
    near = [w for w in words[max(0, n - 2):n + 2] if w != "#"]
    return words[n] in AID_GOODS and bool(set(near) & AID_VERBS)


def is_stock(q: Quantity) -> bool:
    tally = tally_of(q.measure)
    words = set(re.findall(r"[a-z]+", q.measure.lower()))
    return tally in STOCKS or tally == "homeless" and bool(words & STILL)


def periods(q: Quantity) -> list[str]:
    return [c[5:] for c in q.context if c.startswith("when:")]


@dataclass(frozen=True)
class Timing:
    """When a value refers to: its report day (or None) and the past period it is dated to (or None)."""

    report: timeref.Interval | None
    event: timeref.Interval | None


def timing(q: Quantity, anchor: date | None) -> Timing:
    """The report day and the dated past period of one value, from its clause's periods and the anchor."""
    report, event = None, None
    for text in (c[6:] for c in q.context if c.startswith("dated:")):
        found = timeref.resolve(text, anchor)
        if found and _dates_an_event(text, found, anchor):
            event = event or found  # "the 2004 tsunami": a past event; "the January 12 quake" days ago: no date
    for text in (p for p in periods(q) if f"dated:{p}" not in q.context):
        found = timeref.resolve(text, anchor)
        if found is None:
            continue
        if _dates_an_event(text, found, anchor):
            event = event or found
        elif _names_a_day(text) and (anchor is None or anchor - date.fromisoformat(found[0]) <= timedelta(
                days=RECENT_DAYS)):
            report = report or found  # "on Saturday", "yesterday": the day of the report; a calendar date dates
            # the event the clause tells of ("collapsed on April 24"), not the count
    if report is None and anchor is not None:
        report = (anchor.isoformat(), anchor.isoformat())
    return Timing(report, event)


def _dates_an_event(text: str, found: timeref.Interval, anchor: date | None) -> bool:
    """A period that ended well before the article dates a past event. On an undated page a written year still
    does ("killed in the tsunami in 2004"): such a figure is compared only with one dated to the same period."""
    if anchor is None:
        return bool(re.search(r"\b(?:1[89]|20)\d\d\b", text))
    return anchor - date.fromisoformat(found[1]) > timedelta(days=HISTORICAL_DAYS)


DAY_WORDS = set(timeref.WEEKDAYS) | {"yesterday", "today", "tonight", "night", "morning", "afternoon", "evening",
                                     "overnight"}


def _names_a_day(text: str) -> bool:
    return bool(set(text.split()) & DAY_WORDS)


APPROXIMATE_HEDGES = {"about", "around", "some", "roughly", "an estimated", "estimated", "approximately", "approx",
                      "circa"}


def is_estimate(q: Quantity) -> bool:
    """An estimate ("an estimated 200,000", "around 5,000", "the toll is estimated at") is not a count, and counts
    may fall below it."""
    return is_approximate(q) or "estimat" in q.measure.lower() or "verb:estimate" in q.context


def is_approximate(q: Quantity) -> bool:
    """A figure its writer hedged as approximate ("about", "around", "an estimated"): ±15 %."""
    return q.hedge.lower() in APPROXIMATE_HEDGES


def relation(a: Quantity, b: Quantity, agree: bool, anchor_a: date | None, anchor_b: date | None,
             same_moment: bool = False) -> tuple[str, Timing, Timing] | None:
    """("agree" | "conflict" | "update", timing a, timing b), or None when the two must not be compared.
    `same_moment`: the sentences restate a telling figure alike, so an undated one reports the dated one's day."""
    time_a, time_b = _on_anniversary(a, timing(a, anchor_a), b, timing(b, anchor_b))
    if time_a.event and time_b.event and not timeref.overlaps(time_a.event, time_b.event):
        return None  # two different past events or periods
    if bool(time_a.event) != bool(time_b.event):
        return None  # a past event's figure ("quakes in 1751 and 1770") against the story's own
    if a.kind == "age":
        verdict = _age_relation(a, b, agree, anchor_a, anchor_b)
        return verdict, time_a, time_b
    if a.kind == "time":
        return ("agree" if agree else "conflict"), time_a, time_b  # the moment something happened is fixed
    if agree:
        return "agree", time_a, time_b
    tally = tally_of(a.measure) or tally_of(b.measure)
    if a.kind == "money" and time_a.report and time_b.report and not timeref.overlaps(
            time_a.report, time_b.report, FALLING_WINDOW_DAYS):
        return "update", time_a, time_b  # sums pledged, spent or raised grow over months
    if any(c.startswith("population:") for c in a.context) and time_a.report and time_b.report and not \
            timeref.overlaps(time_a.report, time_b.report, POPULATION_WINDOW_DAYS):
        return "update", time_a, time_b  # a population grows over the years
    if not tally or time_a.event and time_b.event:
        return "conflict", time_a, time_b  # a fixed fact, or the final toll of one past event told twice
    if is_estimate(a) != is_estimate(b):
        return None  # an estimate and a count of the same tally are different numbers by nature
    if (time_a.report is None) != (time_b.report is None) and same_moment:
        report = time_a.report or time_b.report
        time_a, time_b = replace(time_a, report=report), replace(time_b, report=report)
    if (time_a.report is None) != (time_b.report is None):
        # A dated and an undated report of a figure that moves: cannot tell, unless both restate one range
        # ("between 46,000 and 85,000" / "45,000 to 85,000"): a study's estimate, not a running count.
        return ("conflict", time_a, time_b) if one_range_restated(a, b) else None
    if time_a.report is None and tally == "missing":
        return None  # the missing are found hour by hour: two undated counts of them may be days apart
    if time_a.report is None or timeref.overlaps(time_a.report, time_b.report):
        verdict = _same_day(a, b)
        return (verdict, time_a, time_b) if verdict else None
    first, second = sorted((time_a.report, time_b.report), key=timeref.midpoint)
    earlier, later = (a, b) if time_a.report == first else (b, a)
    if not (is_stock(a) or is_stock(b)) and _restates_loosely(later, earlier):
        return None  # "more than 2,400 injured", then "over 2,000" six years on: the count did not change
    recent = timeref.midpoint(second) - timeref.midpoint(first) <= timedelta(days=FALLING_WINDOW_DAYS)
    if recent and later.high < earlier.low and not (is_stock(a) or is_stock(b)):
        return "conflict", time_a, time_b  # a cumulative count cannot fall while it is being counted
    return "update", time_a, time_b


def _on_anniversary(a: Quantity, time_a: Timing, b: Quantity, time_b: Timing) -> tuple[Timing, Timing]:
    """When one figure is dated to a day ("struck on January 12, 2010, killing 316,000") and the other, undated
    within its sentence, was reported on that day's anniversary ("killing around a quarter of a million", a year
    on), both tell of that day's event: a page written on an anniversary looks back at it. A stock ("800,000 still
    live in tents") is the anniversary's own count, not the event's."""
    if bool(time_a.event) == bool(time_b.event):
        return time_a, time_b
    event, (other, undated) = (time_a.event or time_b.event), ((b, time_b) if time_a.event else (a, time_a))
    if undated.report is None or is_stock(other) or not _is_anniversary(undated.report, event):
        return time_a, time_b
    moved = Timing(undated.report, event)
    return (time_a, moved) if time_a.event else (moved, time_b)


def _is_anniversary(report: timeref.Interval, event: timeref.Interval) -> bool:
    """Whether a report day falls a whole number of years after a one-day event, within a few days (pages
    marking it run the day before or after, and their dates are the day they were posted)."""
    start, end, day = (date.fromisoformat(d) for d in (*event, report[0]))
    if start != end or day.year <= start.year:
        return False
    same_day = start.replace(year=day.year) if (start.month, start.day) != (2, 29) else date(day.year, 2, 28)
    return abs((day - same_day).days) <= ANNIVERSARY_SLACK_DAYS


def _restates_loosely(later: Quantity, earlier: Quantity) -> bool:
    """Whether a later figure is a bound the earlier one already satisfies ("1,134 dead", then "more than 1,100" on
    an anniversary): for a count that only grows, it says nothing new. A later bound above the earlier figure
    ("at least 6", then "at least 11") is a rise."""
    return bool(bound_side(later)) and later.low <= earlier.low and earlier.high <= later.high


def bound_side(q: Quantity) -> str:
    """"low" for a figure open above ("at least 98", "more than 300"), "high" for one open below, else ""."""
    if math.isinf(q.high) and math.isfinite(q.low):
        return "low"
    if math.isinf(q.low) and math.isfinite(q.high):
        return "high"
    return ""


RANGE_HEDGES = ("between",)  # "X to Y" is as often a score or a change as a range
RANGE_ENDS_CLOSENESS = 0.05  # two ranges whose ends are each this close are one estimate told with other ends


def one_range_restated(a: Quantity, b: Quantity) -> bool:
    """"between 46,000 and 85,000" / "between 45,000 and 85,000": one study's range, copied with a slip."""
    if a.hedge not in RANGE_HEDGES or b.hedge not in RANGE_HEDGES or (a.low, a.high) == (b.low, b.high):
        return False
    return all(abs(x - y) <= RANGE_ENDS_CLOSENESS * max(abs(x), abs(y)) for x, y in ((a.low, b.low), (a.high, b.high)))


def _same_day(a: Quantity, b: Quantity) -> str | None:
    if is_stock(a) or is_stock(b):
        return "conflict"
    gap = abs(a.value - b.value) / max(abs(a.value), abs(b.value), 1e-9)
    return "conflict" if gap <= SAME_DAY_CLOSENESS else None


def _age_relation(a: Quantity, b: Quantity, agree: bool, anchor_a: date | None, anchor_b: date | None) -> str:
    """Ages grow with the years between the reports; an age told by its decade ("late teens") agrees with any age
    inside it."""
    years = (anchor_b - anchor_a).days / 365.25 if anchor_a and anchor_b else 0.0
    grown = b.value - a.value
    if abs(grown - years) <= AGE_SLACK_YEARS:
        return "agree" if a.value == b.value or agree and (a.low != a.high or b.low != b.high) else "update"
    if agree and abs(years) < 1 and (a.low != a.high or b.low != b.high):
        return "agree"  # "in his 70s" and "78" in one season
    return "conflict"

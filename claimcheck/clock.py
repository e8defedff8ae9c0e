"""Times of day ("4:25pm", "3.15pm", "2:45 p.m.", "6pm"): minutes after midnight, with the slack the writer left.

A time is compared only with another time of the same moment (measures.py), never with a count: "10.04pm" is not
the number 10.04.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token


@dataclass
class ClockTime:
    first: int  # token indices within the sentence, end exclusive
    last: int
    value: float  # minutes after midnight
    low: float
    high: float
    unit: str  # "clock", or "clock <zone>" when a zone is written ("clock gmt"): zones are never mixed
    hedge: str = ""


CLOCK = re.compile(r"^(\d{1,2})(?:[.:](\d{2}))?(am|pm|a\.m\.|p\.m\.)?$", re.I)
MERIDIEMS = {"am", "pm", "a.m.", "p.m.", "a.m", "p.m"}
TIME_ZONES = {"gmt", "bst", "utc", "et", "est", "edt", "cet", "ist", "local"}
# Hedges on a time, in minutes either side: "around 2:45 p.m." is 2:30 to 3:00, "just after 9pm" 9:00 to 9:30.
TIME_HEDGES = {"around": (-15, 15), "about": (-15, 15), "approximately": (-15, 15), "roughly": (-15, 15),
               "just after": (0, 30), "shortly after": (0, 30),
               "just before": (-30, 0), "shortly before": (-30, 0), "exactly": (0, 0), "precisely": (0, 0)}


def read_time(toks: list["Token"], i: int) -> ClockTime | None:
    """A time of day written with am/pm ("4:25pm", "3.15pm", "2:45 p.m.", "6pm"), its zone if one is written.

    24-hour times ("21:53") are left alone: without am/pm they are as often scores or durations."""
    found = CLOCK.match(toks[i].text)
    if found is None:
        return None
    hour, minutes, meridiem = int(found.group(1)), int(found.group(2) or 0), (found.group(3) or "").lower()
    j = i + 1
    if not meridiem and j < len(toks) and toks[j].lower_ in MERIDIEMS:
        meridiem, j = toks[j].lower_, j + 1
    if not meridiem or not 1 <= hour <= 12 or minutes > 59:
        return None
    value = (hour % 12 + 12 * meridiem.startswith("p")) * 60 + minutes
    zone = toks[j].lower_ if j < len(toks) and toks[j].lower_ in TIME_ZONES else ""
    j += bool(zone)
    # An hour alone ("6pm") is a round time: half an hour either way; "4:25pm" is to the minute.
    slack = 30 if found.group(2) is None or minutes in (0, 30) else 0.5
    m = ClockTime(i, j, value, value - slack, value + slack, f"clock {zone}".strip())
    for n in (2, 1):
        phrase = " ".join(t.lower_ for t in toks[max(i - n, 0):i]) if i >= n else ""
        if phrase in TIME_HEDGES:
            lo, hi = TIME_HEDGES[phrase]
            m.low, m.high = value + lo - (slack if lo else 0), value + hi + (slack if hi else 0)
            m.hedge, m.first = " ".join(t.text for t in toks[i - n:i]), i - n
            break
    return m

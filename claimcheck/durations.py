"""Durations: one written in parts ("1hr 10 minutes", "two hours and 15 minutes", "3h 20m") or glued to its
number ("45mins") is one figure in its smallest unit, so "a 1hr 10 minute operation" is 70 minutes, not 10, and
the "20m" of "3h 20m" is minutes, not 20 million; and a duration that only frames another figure ("in 12 hours",
"the 12 months to April 2014") is no figure at all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import units as U
from .numerals import read_number

if TYPE_CHECKING:
    from spacy.tokens import Token

FRAME_WORDS = {"in", "within", "over", "during", "past", "last", "next", "the", "first"}
FRAME_ENDS = ("to", "ago", "since", "until", "after", "into", "later", "before")


@dataclass(frozen=True)
class Duration:
    first: int  # token indices within the sentence, end exclusive
    last: int
    value: float  # in `unit`, the smallest unit written
    unit: str  # a canonical unit of units.UNITS: "minute", "hour"...
    unit_token: int  # the token of the smallest unit's word


def read_duration(toks: list["Token"], i: int) -> Duration | None:
    """A duration in parts, largest first, or glued to its number, starting at token i. One part with a unit word of
    its own ("45 minutes") is left to the caller's reading of numbers, which reads its hedge or range."""
    parts: list[tuple[float, str, int, bool]] = []  # (value, unit word, end, glued)
    j = i
    while (part := _part(toks, j, parts[-1][1] if parts else None)) is not None:
        parts.append(part)
        j = part[2]
        if j + 1 < len(toks) and toks[j].lower_ in ("and", ",") and _part(toks, j + 1, part[1]):
            j += 1
    if not parts or len(parts) == 1 and not parts[0][3]:
        return None
    unit, per = U.DURATION_PARTS[parts[-1][1]]
    value = sum(v * U.DURATION_PARTS[word][1] for v, word, _, _ in parts) / per
    return Duration(i, parts[-1][2], value, unit, parts[-1][2] - 1)


def _part(toks: list["Token"], j: int, larger: str | None) -> tuple[float, str, int, bool] | None:
    """(value, unit word, end, glued) of one part of a duration at token j, smaller than the part before it."""
    if j >= len(toks):
        return None
    glued = U.GLUED_DURATION.match(toks[j].text)
    read = _glued_part(glued, j) if glued else _written_part(toks, j)
    if read is None:
        return None
    value, word, end = read
    if word not in U.DURATION_PARTS or word in U.ONLY_AFTER_A_LARGER_PART and larger is None:
        return None
    if larger is not None and U.DURATION_PARTS[word][1] >= U.DURATION_PARTS[larger][1]:
        return None
    return value, word, end, bool(glued)


def _glued_part(glued: "re.Match[str]", j: int) -> tuple[float, str, int] | None:
    """"45mins", "3h": the number and its unit word in one token."""
    if glued.group(2).lower() in ("hr", "hrs") and len(glued.group(1)) == 4:
        return None  # "1400hrs": a time of day
    return float(glued.group(1)), glued.group(2).lower(), j + 1


def _written_part(toks: list["Token"], j: int) -> tuple[float, str, int] | None:
    """"10 minutes", "two hours": a number, then its unit word."""
    if U.DIGITS.match(toks[j].text):  # digits without a scale: the "m" of "20 m" is minutes here
        value, end = U.parse_digits(toks[j].text), j + 2
    elif toks[j].lower_ in U.NUMBER_WORDS and (read := read_number(toks, j)) is not None:
        value, end = read[0], read[1] + 1
    else:
        return None
    if end > len(toks):
        return None
    word = toks[end - 1].lower_
    return value, word[:-1] if word in ("m.", "s.") else word, end  # "3h 20m." at a sentence's end


def is_frame(toks: list["Token"], first: int, last: int, unit: str) -> bool:
    """"in 12 hours", "the 12 months to April 2014": a time frame for another figure, not a measure."""
    interval = U.unit_interval(unit)
    if interval is None or interval[0] != "duration":
        return False
    prev = toks[first - 1].lower_ if first > 0 else ""
    nxt = toks[last].lower_ if last < len(toks) else ""
    if nxt == "to" and toks[last].pos_ != "ADP":
        return prev in FRAME_WORDS  # "it takes 15 minutes to rake a lawn": how long, not a period's end
    return prev in FRAME_WORDS or nxt in FRAME_ENDS

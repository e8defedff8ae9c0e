"""Lexicon and normalisation helpers for `quantities`: number words, scales, hedges, units, months.

Everything here works on plain strings so that it can be tested, and used at comparison time, without spaCy.
"""
from __future__ import annotations

import math
import re

from text_to_num import text2num

DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
DIGITS_WITH_SCALE = re.compile(r"^(\d[\d,]*(?:\.\d+)?)(m|bn|k|million|billion)$", re.I)
TIME_OF_DAY = re.compile(r"^\d{1,2}(?:[.:]\d{2})?(?:am|pm|a\.m\.|p\.m\.|hrs|gmt|bst)$", re.I)
MIXED_LABEL = re.compile(r"^(?=.*[a-z])(?=.*\d)[a-z0-9]+$", re.I)  # A16, M20, CT16: roads, postcodes

NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand "
    "million billion".split()
)
SCALES = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6, "bn": 1e9,
          "billion": 1e9, "trillion": 1e12}
CURRENCY_SYMBOLS = {"£": "GBP", "$": "USD", "€": "EUR", "us$": "USD"}
CURRENCY_WORDS = {"pound": "GBP", "pounds": "GBP", "sterling": "GBP", "dollar": "USD", "dollars": "USD",
                  "euro": "EUR", "euros": "EUR"}
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())

# Hedge -> (low factor, high factor) applied to the stated value; inf means open-ended.
HEDGES: dict[str, tuple[float, float]] = {
    "just under": (0.9, 1.0), "almost": (0.9, 1.0), "nearly": (0.9, 1.0), "close to": (0.9, 1.0),
    "more than": (1.0, math.inf), "over": (1.0, math.inf), "just over": (1.0, math.inf),
    "above": (1.0, math.inf), "at least": (1.0, math.inf), "upwards of": (1.0, math.inf),
    "up to": (0.0, 1.0), "as many as": (0.0, 1.0), "fewer than": (0.0, 1.0), "less than": (0.0, 1.0),
    "under": (0.0, 1.0), "no more than": (0.0, 1.0), "at most": (0.0, 1.0),
    "about": (0.85, 1.15), "around": (0.85, 1.15), "some": (0.85, 1.15), "roughly": (0.85, 1.15),
    "an estimated": (0.85, 1.15), "estimated": (0.85, 1.15), "approximately": (0.85, 1.15),
    "approx": (0.85, 1.15), "circa": (0.85, 1.15), "an extra": (1.0, 1.0), "a further": (1.0, 1.0),
}
MAX_HEDGE_WORDS = 3

# Unit word -> (canonical unit, dimension, (low, high) factor to the dimension's base unit).
# A gallon is either imperial (4.546 l) or US (3.785 l): news rarely says which, so both are allowed.
UNITS: dict[str, tuple[str, str, tuple[float, float]]] = {}
for _words, _canon, _dim, _factor in [
    ("mile miles", "mile", "length", (1.609344, 1.609344)),
    ("degree degrees", "degree", "angle", (1.0, 1.0)),
    ("magnitude", "magnitude", "magnitude", (1.0, 1.0)),  # "a 7.0-magnitude quake"
    ("km kms kilometre kilometres kilometer kilometers", "km", "length", (1.0, 1.0)),
    ("metre metres meter meters", "metre", "length", (0.001, 0.001)),
    ("foot feet ft", "foot", "length", (0.0003048, 0.0003048)),
    ("second seconds sec secs", "second", "duration", (1 / 86400, 1 / 86400)),
    ("minute minutes min mins", "minute", "duration", (1 / 1440, 1 / 1440)),
    ("hour hours hr hrs", "hour", "duration", (1 / 24, 1 / 24)),
    ("day days", "day", "duration", (1.0, 1.0)),
    ("week weeks", "week", "duration", (7.0, 7.0)),
    ("month months", "month", "duration", (28.0, 31.0)),
    ("year years", "year", "duration", (365.0, 366.0)),
    ("barrel barrels", "barrel", "volume", (158.987, 158.987)),
    ("gallon gallons", "gallon", "volume", (3.785411, 4.54609)),
    ("litre litres liter liters", "litre", "volume", (1.0, 1.0)),
    ("tonne tonnes ton tons", "tonne", "mass", (1000.0, 1016.05)),
    ("kg kilogram kilograms kilo kilos", "kg", "mass", (1.0, 1.0)),
]:
    for _w in _words.split():
        UNITS[_w] = (_canon, _dim, _factor)
RATE_PERIODS = {"day": "day", "week": "week", "year": "year", "hour": "hour", "month": "month"}

# A duration written in parts, largest first ("1hr 10 minutes", "3h 20m"), or glued to its number ("45mins"):
# unit word -> (canonical unit, its length in minutes), for the durations of fixed length in UNITS (not months or
# years) and three short forms. "m" and "s" are minutes and seconds only after a larger part: alone, "20m" is 20
# million (or metres) and "30s" a decade.
DURATION_PARTS: dict[str, tuple[str, float]] = {
    word: (canon, 1440 * low) for word, (canon, dim, (low, high)) in UNITS.items() if dim == "duration" and low == high}
DURATION_PARTS.update({short: DURATION_PARTS[long] for short, long in (("h", "hour"), ("m", "minute"),
                                                                      ("s", "second"))})
ONLY_AFTER_A_LARGER_PART = frozenset({"m", "s"})
GLUED_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$", re.I)


def year_of(text: str) -> int | None:
    """The year a token such as "2002" writes (1900-2099), else None."""
    return int(text) if len(text) == 4 and text.isascii() and text.isdecimal() and 1900 <= int(text) <= 2099 else None


def parse_digits(text: str) -> float | None:
    """Value of a digit token such as "3,000", "1.2" or "1.2bn"; None when it is not one."""
    text = text.lower()
    if DIGITS.match(text):
        return float(text.replace(",", ""))
    m = DIGITS_WITH_SCALE.match(text)
    if m:
        return float(m.group(1).replace(",", "")) * SCALES[m.group(2).lower()]
    return None


def parse_number_words(words: list[str]) -> float | None:
    """Value of number words ("thirty-one", "three thousand", "a dozen"); None when not a number."""
    joined = " ".join(w.lower() for w in words).replace(" - ", "-").strip()
    if joined in ("dozen", "a dozen"):
        return 12.0
    if joined.startswith("a ") and joined[2:] in ("hundred", "thousand", "million", "billion"):
        joined = "one " + joined[2:]
    try:
        return float(text2num(joined, "en"))
    except ValueError:
        return None


# "half a million", "a quarter of a million": a share of a scale word, written out.
SHARES_OF_SCALE = {("half", "a"): 0.5, ("a", "half"): 0.5, ("a", "quarter", "of", "a"): 0.25,
                   ("quarter", "of", "a"): 0.25, ("three", "quarters", "of", "a"): 0.75,
                   ("three", "-", "quarters", "of", "a"): 0.75}


def share_of_scale(words: list[str]) -> tuple[float, int] | None:
    """(value, words used) when the words open with a share of a scale ("a quarter of a million" -> 250,000)."""
    lowered = [w.lower() for w in words]
    for lead, share in SHARES_OF_SCALE.items():
        n = len(lead)
        if tuple(lowered[:n]) == lead and len(lowered) > n and lowered[n] in ("million", "billion", "thousand"):
            return share * SCALES[lowered[n]], n + 1
    return None


def is_round(value: float) -> bool:
    """True for numbers a writer has probably rounded (3,000, 2,100, 300, 7,000,000)."""
    return value >= 100 and float(value).is_integer() and int(value) % 100 == 0


def significant_digits(value: float) -> int:
    """Digits of the whole number before its trailing zeros: 316,000 -> 3, 1,127 -> 4, 3,000 -> 1."""
    return len(f"{abs(value):.0f}".rstrip("0"))


def rounding_tolerance(value: float, written: str) -> float:
    """Half-width of the interval an exact-looking figure stands for: 5 % if round, else half its last digit; a
    round figure written to three significant digits or more ("316,000") is exact to its last one (500)."""
    if is_round(value):
        whole = f"{abs(value):.0f}"
        digits = significant_digits(value)
        return 0.5 * 10 ** (len(whole) - digits) if digits >= 3 else 0.05 * abs(value)
    if re.search(r"\d\s*(m|bn|k|million|billion|thousand)\b", written, re.I):
        return 0.05 * abs(value)
    digits = re.findall(r"\d[\d,]*(?:\.(\d+))?", written)
    decimals = len(digits[-1]) if digits and digits[-1] else 0
    return 0.5 * 10 ** -decimals


def unit_interval(unit: str) -> tuple[str, float, float] | None:
    """(dimension, low factor, high factor) of a canonical unit such as "km" or "barrel/day"."""
    base, _, per = unit.partition("/")
    entry = next((e for e in UNITS.values() if e[0] == base), None)
    if entry is None:
        return None
    _, dim, (lo, hi) = entry
    if per:
        per_entry = next((e for e in UNITS.values() if e[0] == per), None)
        if per_entry is None:
            return None
        p_lo, p_hi = per_entry[2]
        return f"{dim}/{per_entry[1]}", lo / p_hi, hi / p_lo
    return dim, lo, hi


# Ages told by their decade ("in her late teens", "in his 70s"): the decade's first year, by its word.
DECADES = {"teens": 13, "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
           "eighties": 80, "nineties": 90, **{f"{d}s": d for d in range(20, 100, 10)}}


def decade_years(decade: int, part: str) -> tuple[int, int]:
    """The first and last year of age that "early", "mid", "late" or a whole decade cover ("late teens": 17, 19)."""
    if decade == 13:
        return {"early": (13, 15), "mid": (15, 17), "late": (17, 19)}.get(part, (13, 19))
    return {"early": (decade, decade + 3), "mid": (decade + 4, decade + 6),
            "late": (decade + 7, decade + 9)}.get(part, (decade, decade + 9))


def decade_age(words: list[str]) -> tuple[int, int, int, str] | None:
    """(words read, first year, last year, part) of an age told by its decade: "late teens", "mid - 30s", "70s"."""
    part = words[0].rstrip("-") if words and words[0].rstrip("-") in ("early", "mid", "late") else ""
    j = 1 if part else 0
    if j < len(words) and words[j] == "-":
        j += 1  # "mid-30s"
    if j >= len(words) or words[j] not in DECADES:
        return None
    first, last = decade_years(DECADES[words[j]], part)
    return j + 1, first, last, part

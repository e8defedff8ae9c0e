"""Extract the numbers, money, percentages, measures and dates a sentence states (recognition; needs a spaCy parse).

Intervals (``low``/``high``) record what the writer committed to:
  exact "3,000" -> [3000, 3000]; "about/around/some/roughly/an estimated X" -> [0.85X, 1.15X];
  "almost/nearly/just under X" -> [0.9X, X]; "more than/over/at least X" -> [X, inf]; "up to/under X" -> [0, X];
  "between X and Y" / "X to Y" -> [X, Y].
Dates: ``value`` is a decimal year (December 2002 -> 2002 + 11/12), ``low``/``high`` the covered interval and
``unit`` the granularity ("year" | "month" | "day").
What each figure measures (its noun, event, period, place and masked phrase) is read from the parse by frames.py;
whether two figures measure the same thing, and disagree, is decided by measures.py without spaCy.
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from . import clock, durations, frames, phrases, placed
from . import units as U
from .numerals import may_open_number, read_number
from .spacy_utils import sentence_of

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

NUMERIC_KINDS = ("count", "money", "percent", "measure")
DATE_KINDS = ("year", "date")
LENGTHS = {"km", "mile", "metre", "foot"}
YEARLESS = "monthday"  # the unit of a date written without its year ("April 24"): value is the fraction of a year
TIME_KIND = "time"  # a time of day: value in minutes after midnight, unit "clock" (or "clock <zone>")
PERIOD_PREPS = {"to", "since", "until", "till", "from", "between", "by", "before", "after", "through"}

@dataclass(frozen=True)
class Quantity:
    """One quantity as stated in a sentence, normalised; ``to_dict`` writes inf as the strings "inf"/"-inf"."""

    text: str
    start: int
    end: int
    kind: str
    value: float
    low: float
    high: float
    unit: str
    noun: str
    context: tuple[str, ...] = ()
    hedge: str = ""
    measure: str = ""  # what is measured, in words, the figure masked: "# people left homeless by quake"
    source: str = ""  # who the sentence credits with the figure: "the Haitian government", "" when nobody

    def to_dict(self) -> dict:
        """JSON-safe dict: infinite bounds become "inf" / "-inf", context a list."""
        d = asdict(self)
        for key in ("value", "low", "high"):
            if math.isinf(d[key]):
                d[key] = "inf" if d[key] > 0 else "-inf"
        d["context"] = list(self.context)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Quantity":
        """Inverse of ``to_dict``."""
        known = {f.name for f in fields(cls)}
        d = {k: v for k, v in d.items() if k in known}
        for key in ("value", "low", "high"):
            d[key] = float(d[key])
        d["context"] = tuple(d.get("context", ()))
        return cls(**d)


@dataclass
class _Match:
    first: int  # token indices within the sentence, end exclusive
    last: int
    kind: str
    value: float
    low: float
    high: float
    unit: str = ""
    hedge: str = ""
    unit_token: int | None = None


# ---------------------------------------------------------------- recognition


def extract_quantities(sent: "Span") -> list[Quantity]:
    """Quantities stated in one sentence (a Span of a Doc parsed by the full en_core_web_sm pipeline)."""
    toks = list(sent)
    matches: list[_Match] = []
    i = 0
    while i < len(toks):
        if not _may_open_a_figure(toks, i):
            i += 1
            continue
        m = _match_date(toks, i) or _match_time(toks, i) or _match_age(toks, i) or _match_decade_age(toks, i) \
            or _match_duration(toks, i) or _match_number(toks, i)
        if m is None:
            i += 1
            continue
        if m.kind != "frame":
            matches.append(m)
        i = m.last
    return [_to_quantity(sent, toks, m) for m in matches]


def _may_open_a_figure(toks: list["Token"], i: int) -> bool:
    """Whether any reading below can start at token i: each needs a digit, a number word, a month's name or, for
    an age by its decade, "in his" before it. Asked first, it spares most tokens the six readings: this function
    over 2,488 BBC sentences took 0.81 / 0.72 s instead of 1.06 / 1.02 s (medians of 7, two interleaved rounds)."""
    return may_open_number(toks[i]) or _month(toks[i]) is not None or _after_in_possessive(toks, i)


def _match_date(toks: list["Token"], i: int) -> _Match | None:
    """An absolute date starting at token i: "2002", "December 2002", "3 December 2002", "December 3, 2002"."""
    day = month = year = None
    j = i
    if _day_number(toks, j) and j + 2 < len(toks) and _month(toks[j + 1]) and _year(toks[j + 2]):
        day, month, year, j = _day_number(toks, j), _month(toks[j + 1]), _year(toks[j + 2]), j + 3
    elif _month(toks[j]) and j + 1 < len(toks) and _year(toks[j + 1]):
        month, year, j = _month(toks[j]), _year(toks[j + 1]), j + 2
    elif (_month(toks[j]) and j + 3 < len(toks) and _day_number(toks, j + 1) and toks[j + 2].text == ","
          and _year(toks[j + 3])):
        month, day, year, j = _month(toks[j]), _day_number(toks, j + 1), _year(toks[j + 3]), j + 4
    elif _year(toks[j]):
        year, j = _year(toks[j]), j + 1
        if j < len(toks) and toks[j].tag_ == "NNS" and toks[i].dep_ == "nummod":
            return None  # "2000 migrants" is a count
    elif _month(toks[j]) and j + 1 < len(toks) and _day_number(toks, j + 1):
        month, day, j = _month(toks[j]), _day_number(toks, j + 1), j + 2  # "April 24", its year left to the reader
    elif _day_number(toks, j) and j + 1 < len(toks) and _month(toks[j + 1]) and j > 0 \
            and toks[j - 1].lower_ in ("on", "of", "since", "until", "by"):
        day, month, j = _day_number(toks, j), _month(toks[j + 1]), j + 2  # "on 24 April"
    if year is None and day is not None:
        if i > 0 and toks[i - 1].lower_ in PERIOD_PREPS:
            return _Match(i, j, "frame", 0, 0, 0)
        low = (month - 1) / 12 + (day - 1) / 372
        last_year = [t.lower_ for t in toks[j:j + 2]] == ["last", "year"]
        return _Match(i, j + 2 * last_year, "date", round(low, 6), round(low, 6), round(low + 1 / 372, 6), YEARLESS,
                      "last year" if last_year else "")
    if year is None:
        return None
    if i > 0 and toks[i - 1].lower_ in PERIOD_PREPS:
        return _Match(i, j, "frame", year, year, year)  # "the year to April 2015": a frame, not a dated fact
    low = year + ((month or 1) - 1) / 12 + ((day or 1) - 1) / 372
    span = 1.0 if month is None else 1 / 12 if day is None else 1 / 372
    unit = "year" if month is None else "month" if day is None else "day"
    return _Match(i, j, "year" if unit == "year" else "date", round(low, 6), round(low, 6), round(low + span, 6),
                  unit)


def _match_time(toks: list["Token"], i: int) -> _Match | None:
    found = clock.read_time(toks, i)
    return None if found is None else _Match(found.first, found.last, TIME_KIND, found.value, found.low, found.high,
                                             found.unit, found.hedge)


def _year(tok: "Token") -> int | None:
    return U.year_of(tok.text)


def _month(tok: "Token") -> int | None:
    return U.MONTHS.get(tok.lower_.rstrip(".")) if tok.text[:1].isupper() else None


def _day_number(toks: list["Token"], j: int) -> int | None:
    """The day of the month written at token j ("3", "1st", "22nd"), else None."""
    text = toks[j].lower_.rstrip("stndrh") if toks[j].lower_[-2:] in ("st", "nd", "rd", "th") else toks[j].text
    return int(text) if text.isdecimal() and text.isascii() and 1 <= int(text) <= 31 else None


def _is_not_a_quantity(toks: list["Token"], i: int, j: int) -> bool:
    """Times of day, road names, labels ("Phase 4"), ages, phone numbers."""
    tok, prev = toks[i], toks[i - 1] if i > 0 else None
    nxt = [t.lower_ for t in toks[j:j + 3]]
    if U.TIME_OF_DAY.match(tok.text) or (nxt[:1] and nxt[0] in ("am", "pm", "a.m.", "p.m.", "o'clock", "gmt")):
        return True
    if "." in tok.text and tok.ent_type_ == "TIME":
        return True
    if prev is not None and len(prev.text) == 1 and prev.text in "ABMNDE":
        return True  # "A 16", "M 20"
    if prev is not None and prev.i > sentence_of(prev).start and prev.is_title and prev.pos_ in ("PROPN", "NOUN") \
            and not _month(prev) and tok.text.isdecimal() and int(tok.text) < 1000:
        return True  # "Phase 4", "Terminal 2"
    if prev is not None and prev.pos_ in ("NOUN", "PROPN") and tok.dep_ == "nummod" and tok.head == prev \
            and prev.lower_ not in U.UNITS and prev.lower_ not in U.SCALES:
        return True  # "deck seven", "gate 5": a number after its noun names one thing, it counts none
    if tok.text.isdecimal() and tok.text.startswith("0") and len(tok.text) >= 4:
        return True  # phone numbers, codes
    if "," not in tok.text and any(t is not None and U.DIGITS.match(t.text) and "," not in t.text
                                   for t in (prev, toks[j] if j < len(toks) else None)):
        return True  # "01304 240400": digit groups side by side are a phone number or a code
    if prev is not None and prev.lower_ == "aged":
        return True
    if tok.text.isascii() and tok.text.isdecimal() and int(tok.text) <= 31 and (
            (prev is not None and _month(prev)) or (j < len(toks) and _month(toks[j]))):
        return True  # "January 12", "the 12 January quake": a day of the month, not a count
    if any(w in ("old", "-old") for w in nxt[:3]) and nxt[0] in ("-", "year", "years", "month", "months", "week",
                                                               "weeks", "day", "days", "old"):
        return True  # "15 month old", "35-year-old"
    before = toks[i - 2] if i > 1 else None
    return bool(prev is not None and prev.text == "," and before is not None and before.pos_ == "PROPN"
                and (not nxt or nxt[0] in (",", ".", "and", ")", ";", "-", "–")))  # "Rasoul Iran-Nejad, 35,"


METRES = re.compile(r"^\d+(?:\.\d+)?m$")
AGE_UNITS = {"year": 1.0, "years": 1.0, "month": 1 / 12, "months": 1 / 12}


def _match_age(toks: list["Token"], i: int) -> _Match | None:
    """An age: "Reshma, 21,", "an 18-year-old worker", "5 years old", "aged 35" (value in years)."""
    read = read_number(toks, i)
    if read is None:
        return None
    value, j = read
    prev = toks[i - 1] if i > 0 else None
    nxt = [t.lower_ for t in toks[j:j + 4]] + ["", "", "", ""]
    before = toks[i - 2] if i > 1 else None
    if nxt[0] == "-" and nxt[1] in AGE_UNITS and nxt[2] == "-" and nxt[3] == "old":
        return _Match(i, j + 4, "age", value * AGE_UNITS[nxt[1]], value * AGE_UNITS[nxt[1]],
                      value * AGE_UNITS[nxt[1]], "year")
    if nxt[0] in AGE_UNITS and nxt[1] in ("old", "-old"):
        return _Match(i, j + 2, "age", value * AGE_UNITS[nxt[0]], value * AGE_UNITS[nxt[0]],
                      value * AGE_UNITS[nxt[0]], "year")
    if prev is not None and prev.lower_ == "aged" and value < 130:
        return _Match(i, j, "age", value, value, value, "year")
    if (prev is not None and prev.text == "," and before is not None and before.pos_ == "PROPN"
            and before.ent_type_ not in ("GPE", "LOC", "DATE", "NORP", "FAC") and value < 130 and "." not in toks[i].text
            and nxt[0] in (",", ".", "and", ")", ";", "-", "–", "")):
        return _Match(i, j, "age", value, value, value, "year")  # "Rasoul Iran-Nejad, 35,"
    return None


def _match_decade_age(toks: list["Token"], i: int) -> _Match | None:
    """An age told by its decade after a possessive: "in her late teens", "in his 70s", "in their early twenties"."""
    found = U.decade_age([t.lower_ for t in toks[i:i + 3]]) if _after_in_possessive(toks, i) else None
    if found is None:
        return None
    n, first, last, part = found  # whole years: "late teens" (17 to 19) agrees with 17 and 19, not with 21
    return _Match(i, i + n, "age", (first + last) / 2, first - 0.5, last + 0.5, "year", hedge=part)


def _after_in_possessive(toks: list["Token"], i: int) -> bool:
    return i > 1 and toks[i - 1].lower_ in ("his", "her", "their") and toks[i - 2].lower_ == "in"


def _match_duration(toks: list["Token"], i: int) -> _Match | None:
    """A duration in parts or glued to its number ("1hr 10 minutes", "45mins"), in its smallest unit (durations.py)."""
    found = durations.read_duration(toks, i)
    if found is None:
        return None
    if durations.is_frame(toks, found.first, found.last, found.unit):
        return _Match(i, found.last, "frame", 0, 0, 0)  # "within 1hr 30mins": a frame, and none of its parts a figure
    m = _Match(i, found.last, "measure", found.value, found.value, found.value, found.unit,
               unit_token=found.unit_token)
    _attach_hedge(toks, m)
    return m


def _match_number(toks: list["Token"], i: int) -> _Match | None:
    """A count, money, percentage or measure whose number starts at token i, with its hedge and unit."""
    read = read_number(toks, i)
    if read is None or _is_not_a_quantity(toks, i, read[1]):
        return None
    value, j = read
    prev = toks[i - 1].lower_ if i > 0 else ""
    if prev == "(" and i > 1 and (toks[i - 2].lower_ in U.UNITS or toks[i - 2].like_num):
        return None  # "30 kilometres (20 miles)": the same figure converted, rounded loosely
    bare_m = METRES.match(toks[i].text) or j == i + 2 and toks[i + 1].text == "m" and U.DIGITS.match(toks[i].text)
    if bare_m and prev not in U.CURRENCY_SYMBOLS and not _millions_of_things(toks, i, j):
        metres = float(toks[i].text.rstrip("m").replace(",", ""))
        return _Match(i, j, "measure", metres, metres, metres, "metre")  # "a 50m gash": metres, not millions
    m = _Match(i, j, "count", value, value, value)
    _attach_range(toks, m)
    _attach_currency_or_unit(toks, m)
    before = [t.lower_ for t in toks[max(m.first - 2, 0):m.first]]
    if m.kind == "count" and (before[-1:] == ["magnitude"] or before == ["magnitude", "of"]):
        m.kind, m.unit = "measure", "magnitude"  # "magnitude 7.0", "a magnitude of 7.0": a quake's size
    if m.kind == "measure" and durations.is_frame(toks, m.first, m.last, m.unit):
        return None
    _attach_hedge(toks, m)
    return m


def _millions_of_things(toks: list["Token"], i: int, j: int) -> bool:
    """"20m people", "5m barrels": a bare "m" before things counted in the plural is millions; "a 50m gash", "the
    100m sprint" and "10m high" are metres."""
    after = toks[j] if j < len(toks) else None
    article = i > 0 and toks[i - 1].lower_ in ("a", "an")
    return after is not None and after.tag_ == "NNS" and not article


def _attach_range(toks: list["Token"], m: _Match) -> None:
    """"between X and Y", "X to Y", "X-Y" become one interval (not "from X to Y", which is a change)."""
    j = m.last
    if j + 1 >= len(toks) or toks[j].lower_ not in ("and", "to", "-", "–"):
        return
    between = m.first > 0 and toks[m.first - 1].lower_ == "between"
    if toks[j].lower_ == "and" and not between:
        return
    if m.first > 0 and toks[m.first - 1].lower_ == "from":
        return
    second = read_number(toks, j + 1)
    if second is None or second[0] <= m.value:
        return
    m.low, m.high, m.last = m.value, second[0], second[1]
    m.value = (m.low + m.high) / 2
    m.hedge = "between" if between else "to"


def _attach_currency_or_unit(toks: list["Token"], m: _Match) -> None:
    """Set the kind and unit from a currency sign before, or a currency, per cent or unit word after."""
    prev = toks[m.first - 1].lower_ if m.first > 0 else ""
    nxt = [t.lower_ for t in toks[m.last:m.last + 3]] + ["", "", ""]
    if prev in U.CURRENCY_SYMBOLS:
        m.kind, m.unit, m.first = "money", U.CURRENCY_SYMBOLS[prev], m.first - 1
    elif nxt[0] in U.CURRENCY_WORDS:
        m.kind, m.unit, m.last = "money", U.CURRENCY_WORDS[nxt[0]], m.last + 1
    elif nxt[0] == "%" or nxt[0] == "percent" or nxt[:2] == ["per", "cent"]:
        m.kind, m.unit, m.last = "percent", "%", m.last + (2 if nxt[0] == "per" else 1)
    else:
        k = m.last + (nxt[0] == "-")
        unit = U.UNITS.get(toks[k].lower_) if k < len(toks) else None
        if unit is None:
            return
        m.kind, m.unit, m.unit_token, m.last = "measure", unit[0], k, k + 1
        rate = [t.lower_ for t in toks[m.last:m.last + 2]]
        if len(rate) == 2 and rate[0] in ("a", "per", "each", "every") and rate[1] in U.RATE_PERIODS:
            m.unit, m.last = f"{unit[0]}/{U.RATE_PERIODS[rate[1]]}", m.last + 2


def _attach_hedge(toks: list["Token"], m: _Match) -> None:
    """Widen the interval by the hedge written just before the figure ("almost", "more than", "an estimated")."""
    if m.hedge:
        if m.hedge == "between":
            m.first -= 1
        return
    for n in range(U.MAX_HEDGE_WORDS, 0, -1):
        if m.first - n < 0:
            continue
        phrase = " ".join(t.lower_ for t in toks[m.first - n:m.first])
        if phrase in U.HEDGES:
            lo, hi = U.HEDGES[phrase]
            m.low, m.high = m.value * lo, (math.inf if math.isinf(hi) else m.value * hi)
            m.hedge, m.first = " ".join(t.text for t in toks[m.first - n:m.first]), m.first - n
            return


# ---------------------------------------------------------------- frame: noun, event, period, place


def _to_quantity(sent: "Span", toks: list["Token"], m: _Match) -> Quantity:
    base = sent.start_char
    start, end = toks[m.first].idx - base, toks[m.last - 1].idx + len(toks[m.last - 1].text) - base
    if toks[m.last - 1].text.endswith(".") and toks[m.last - 1].lower_.rstrip(".") in (*U.SCALES, "s"):
        end -= 1  # "£7m." and "3h 20m." keep their sentence's full stop out of the value
    own = {toks[k].i for k in range(m.first, m.last)}
    anchor = toks[m.last - 1] if m.unit_token is None else toks[m.unit_token]
    noun_tok, inferred = frames.aged_thing(toks, m.first, m.last) if m.kind == "age" else \
        frames.counted_noun(anchor, m.kind)
    described = frames.describes(noun_tok, anchor, m.kind)
    population = placed.population_of(noun_tok, anchor) if m.kind == "count" else ""
    distance = placed.distance_between(toks, m.first, m.last) if m.kind == "measure" and m.unit in LENGTHS else None
    verb_toks = [] if described or population or distance else frames.event_tokens(noun_tok or anchor, own)
    events = [frames.EVENT_CLASSES.get(v.lemma_.lower(), v.lemma_.lower()) for v in verb_toks]
    anchors = {t.i for t in (noun_tok, anchor) if t is not None} | {v.i for v in verb_toks} | own
    # "the toll was 316,000" states a figure; "3,000 workers were in the building" says where they were.
    verbs = [("be-present" if v.lemma_.lower() == "be" and noun_tok is not None
              and not any(c.dep_ == "expl" for c in v.children) else v.lemma_.lower()) for v in verb_toks]
    context = [f"event:{e}" for e in events] + [f"verb:{v}" for v in verbs]
    context += [f"when:{p}" for p in frames.periods(sent, anchors, verb_toks, own)]
    context += [f"where:{p}" for p in frames.places(sent, anchors, verb_toks)]
    context += [f"what:{w}" for w in frames.clause_keys(verb_toks, own)]
    context += [f"dated:{p}" for p in frames.dated_things(sent, own, anchors)]
    context += frames.parts(noun_tok, toks[m.last - 1])
    figure_mood = frames.mood(anchor, own)
    if figure_mood:
        context.append(f"mood:{figure_mood}")
    context += ["noun:inferred"] * bool(inferred) + ["describes"] * bool(described)
    if population:
        context.append(f"population:{population}")
    if distance:
        context += [f"distance:{distance[0]}|{distance[1]}"] + [f"direction:{distance[2]}"] * bool(distance[2])
    noun = events[0] if m.kind in DATE_KINDS and events else (noun_tok.lemma_.lower() if noun_tok else "")
    numbers = {t.i for t in toks if t.like_num}
    measure = frames.age_phrase(noun_tok) if m.kind == "age" else f"population of {population} #" if population \
        else f"distance of {distance[0]} from {distance[1]} #" if distance \
        else phrases.measure_phrase(sent, noun_tok, anchor, verb_toks, own, numbers)
    return Quantity(sent.text[start:end], start, end, m.kind, float(m.value), float(m.low), float(m.high), m.unit,
                    noun, tuple(dict.fromkeys(context)), m.hedge, measure, phrases.cited_source(sent, anchor))


"""Extract the numbers, money, percentages, measures and dates a sentence states; compare two claims' quantities.

Intervals (``low``/``high``) record what the writer committed to:
  exact "3,000" -> [3000, 3000]; "about/around/some/roughly/an estimated X" -> [0.85X, 1.15X];
  "almost/nearly/just under X" -> [0.9X, X]; "more than/over/at least X" -> [X, inf]; "up to/under X" -> [0, X];
  "between X and Y" / "X to Y" -> [X, Y]. At comparison an exact figure is also widened by its rounding: 5 % for
  round numbers (3,000; 2,100; £7m), half of the last written digit otherwise (21 -> 20.5..21.5).
  Measures are converted to a base unit (miles/km, barrels/gallons/litres, hours/days); a gallon may be imperial
  or US, so it converts to an interval. Currencies are never converted. Overlapping intervals agree.
Dates: ``value`` is a decimal year (December 2002 -> 2002 + 11/12), ``low``/``high`` the covered interval and
``unit`` the granularity ("year" | "month" | "day"); two dates are compared at the coarser granularity.
Relative dates ("on Monday night", "this year") are not extracted: they become part of other quantities' frame.

Comparability (precision first: when in doubt, do not compare). Two numeric quantities are compared only if they
have the same kind and a convertible unit or the same currency, the same counted noun (people/migrants/refugees
count as one noun), the same event (the verb: "arrived" is not "living"; "attempt" is not "stormed"), exactly the
same time frame ("in 2019" vs "this year": not compared), no two different places, and values within a factor of 4
(further apart, they are different measures, not a disagreement). Two dates are compared only when they date the
same one-off event ("closed", "opened", "founded"...) of something both sentences name ("Sangatte").

``context`` holds prefixed, lower-cased entries: "event:<verb class>", "when:<period>", "where:<place>",
"what:<noun or name in the clause>", and "noun:inferred" when the noun was not attached to the number.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from . import units as U
from .spacy_utils import sentence_of

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

NUMERIC_KINDS = ("count", "money", "percent", "measure")
DATE_KINDS = ("year", "date")
PERIOD_PREPS = {"to", "since", "until", "till", "from", "between", "by", "before", "after", "through"}
DURATION_FRAME_WORDS = {"in", "within", "over", "during", "past", "last", "next", "the", "first"}
LOCATION_PREPS = {"in", "at", "around", "near", "off", "outside", "inside", "across", "into", "to", "on"}
REPORTING = {"know", "say", "believe", "estimate", "think", "report", "expect", "fear", "claim", "appear",
             "seem", "suggest", "show", "understand", "confirm"}
LIGHT = {"be", "have", "make", "do", "get", "see", "record", "take"}
EVENT_CLASSES = {"be": "present", "live": "present", "camp": "present", "stay": "present", "remain": "present",
                 "sleep": "present", "shelter": "present", "gather": "present",
                 "pledge": "fund", "announce": "fund", "promise": "fund", "commit": "fund", "give": "fund",
                 "provide": "fund", "offer": "fund", "allocate": "fund",
                 "rise": "rise", "increase": "rise", "grow": "rise", "jump": "rise", "soar": "rise",
                 "climb": "rise", "surge": "rise", "fall": "fall", "drop": "fall", "decline": "fall",
                 "decrease": "fall", "rescue": "rescue", "save": "rescue",
                 "shut": "close", "close": "close", "open": "open", "reopen": "reopen"}
ONE_OFF_EVENTS = {"close", "open", "found", "establish", "build", "demolish", "die", "bear", "sign", "elect",
                  "launch", "introduce", "abolish", "dismantle", "raze", "bulldoze", "set", "create"}
NOUN_CLASSES = {"people": "person", "person": "person", "migrant": "person", "refugee": "person",
                "immigrant": "person", "asylum": "person", "seeker": "person"}
NOT_NOUNS = {"per", "cent", "%", "m", "bn", "£", "$", "€", "time", "year", "month", "week", "day"}
PLACE_ALIASES = {"britain": "uk", "great britain": "uk", "united kingdom": "uk", "u.k.": "uk"}
GENERIC = {"people", "person", "number", "year", "time", "thing", "day", "week", "month", "lot", "group",
           "figure", "total", "part", "way", "area", "%", "cent", "m", "bn", "£", "$", "€"}


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
        m = _match_date(toks, i) or _match_number(toks, i)
        if m is None:
            i += 1
            continue
        if m.kind != "frame":
            matches.append(m)
        i = m.last
    return [_to_quantity(sent, toks, m) for m in matches]


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
    if year is None:
        return None
    if i > 0 and toks[i - 1].lower_ in PERIOD_PREPS:
        return _Match(i, j, "frame", year, year, year)  # "the year to April 2015": a frame, not a dated fact
    low = year + ((month or 1) - 1) / 12 + ((day or 1) - 1) / 372
    span = 1.0 if month is None else 1 / 12 if day is None else 1 / 372
    unit = "year" if month is None else "month" if day is None else "day"
    return _Match(i, j, "year" if unit == "year" else "date", round(low, 6), round(low, 6), round(low + span, 6),
                  unit)


def _year(tok: "Token") -> int | None:
    return int(tok.text) if len(tok.text) == 4 and tok.text.isdigit() and 1900 <= int(tok.text) <= 2099 else None


def _month(tok: "Token") -> int | None:
    return U.MONTHS.get(tok.lower_.rstrip(".")) if tok.text[:1].isupper() else None


def _day_number(toks: list["Token"], j: int) -> int | None:
    """The day of the month written at token j ("3", "1st", "22nd"), else None."""
    text = toks[j].lower_.rstrip("stndrh") if toks[j].lower_[-2:] in ("st", "nd", "rd", "th") else toks[j].text
    return int(text) if text.isdigit() and 1 <= int(text) <= 31 else None


def _read_number(toks: list["Token"], i: int) -> tuple[float, int] | None:
    """(value, end) of the number written at token i, scale words included ("£7m" -> 7e6)."""
    value = U.parse_digits(toks[i].text)
    j = i + 1
    if value is None:
        j = i + (toks[i].lower_ == "a")
        while j < len(toks) and (toks[j].lower_ in U.NUMBER_WORDS or toks[j].lower_ == "dozen"
                                 or (toks[j].text in ("-", "and") and j + 1 < len(toks)
                                     and toks[j + 1].lower_ in U.NUMBER_WORDS and j > i)):
            j += 1
        words = [t.text for t in toks[i:j]]
        if j == i or words in (["one"], ["One"], ["a"]) or words[-1] in ("-", "and"):
            return None
        if all(w.lower() in U.SCALES for w in words):
            return None  # a bare "million" follows a figure we could not read ("3,4 million"), not one million
        value = U.parse_number_words(words)
        return None if value is None else (value, j)
    # "£7m." at the end of a sentence is tokenised "£ 7 m." (the full stop taken for an abbreviation's).
    scale = toks[j].lower_.rstrip(".") if j < len(toks) else ""
    if scale in U.SCALES and scale != "hundred":
        value, j = value * U.SCALES[scale], j + 1
    return value, j


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
            and not _month(prev) and tok.text.isdigit() and int(tok.text) < 1000:
        return True  # "Phase 4", "Terminal 2"
    if tok.text.isdigit() and tok.text.startswith("0") and len(tok.text) >= 4:
        return True  # phone numbers, codes
    if "," not in tok.text and any(t is not None and U.DIGITS.match(t.text) and "," not in t.text
                                   for t in (prev, toks[j] if j < len(toks) else None)):
        return True  # "01304 240400": digit groups side by side are a phone number or a code
    if prev is not None and prev.lower_ == "aged":
        return True
    if any(w in ("old", "-old") for w in nxt[:3]) and nxt[0] in ("-", "year", "years", "month", "months", "week",
                                                               "weeks", "day", "days", "old"):
        return True  # "15 month old", "35-year-old"
    before = toks[i - 2] if i > 1 else None
    return bool(prev is not None and prev.text == "," and before is not None and before.pos_ == "PROPN"
                and (not nxt or nxt[0] in (",", ".", "and", ")", ";", "-", "–")))  # "Rasoul Iran-Nejad, 35,"


def _match_number(toks: list["Token"], i: int) -> _Match | None:
    """A count, money, percentage or measure whose number starts at token i, with its hedge and unit."""
    read = _read_number(toks, i)
    if read is None or _is_not_a_quantity(toks, i, read[1]):
        return None
    value, j = read
    m = _Match(i, j, "count", value, value, value)
    _attach_range(toks, m)
    _attach_currency_or_unit(toks, m)
    if m.kind == "measure" and _is_duration_frame(toks, m):
        return None
    _attach_hedge(toks, m)
    return m


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
    second = _read_number(toks, j + 1)
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


def _is_duration_frame(toks: list["Token"], m: _Match) -> bool:
    """"in 12 hours", "the 12 months to April 2014": a time frame for another figure, not a measure."""
    if U.unit_interval(m.unit) is None or U.unit_interval(m.unit)[0] != "duration":
        return False
    prev = toks[m.first - 1].lower_ if m.first > 0 else ""
    nxt = toks[m.last].lower_ if m.last < len(toks) else ""
    return prev in DURATION_FRAME_WORDS or nxt in ("to", "ago", "since", "until")


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
    if toks[m.last - 1].text.endswith(".") and toks[m.last - 1].lower_.rstrip(".") in U.SCALES:
        end -= 1  # "£7m." keeps its sentence's full stop out of the value
    own = {toks[k].i for k in range(m.first, m.last)}
    anchor = toks[m.last - 1] if m.unit_token is None else toks[m.unit_token]
    noun_tok, inferred = _counted_noun(anchor, m.kind)
    verb_toks = _event_tokens(noun_tok or anchor, own)
    events = [EVENT_CLASSES.get(v.lemma_.lower(), v.lemma_.lower()) for v in verb_toks]
    anchors = {t.i for t in (noun_tok, anchor) if t is not None} | {v.i for v in verb_toks} | own
    context = [f"event:{e}" for e in events]
    context += [f"when:{p}" for p in _periods(sent, anchors, verb_toks, own)]
    context += [f"where:{p}" for p in _places(sent, anchors, verb_toks)]
    context += [f"what:{w}" for w in _clause_keys(verb_toks, own)]
    if inferred:
        context.append("noun:inferred")
    noun = events[0] if m.kind in DATE_KINDS and events else (noun_tok.lemma_.lower() if noun_tok else "")
    return Quantity(sent.text[start:end], start, end, m.kind, float(m.value), float(m.low), float(m.high), m.unit,
                    noun, tuple(dict.fromkeys(context)), m.hedge)


def _counted_noun(anchor: "Token", kind: str) -> tuple["Token | None", bool]:
    """The noun the figure counts or measures, and whether it had to be inferred from the clause."""
    if kind in DATE_KINDS:
        return None, False
    head = anchor
    while head.dep_ in ("compound", "quantmod", "nummod") and head.head.like_num and head.head != head:
        head = head.head
    if head.dep_ in ("nummod", "compound", "amod", "nmod", "npadvmod") and head.head.pos_ in ("NOUN", "PROPN") \
            and head.head.lemma_.lower() not in NOT_NOUNS:
        return head.head, False
    of = [c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"]
    objects = [g for c in of for g in c.children if g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN")]
    if objects:
        return objects[0], kind != "percent"
    if kind == "money":
        return None, False
    verb = next((t for t in [head, *head.ancestors] if t.pos_ in ("VERB", "AUX")), None)
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None) if verb else None
    if subject is not None and subject.lemma_.lower() == "number":  # "the number of migrants ... reached 8,448"
        subject = next((g for c in subject.children if c.lower_ == "of" for g in c.children), None)
    elif kind == "count":
        subject = None
    if subject is not None and subject.pos_ in ("NOUN", "PROPN"):
        return subject, True
    return None, False


def _event_tokens(tok: "Token", own: set[int]) -> list["Token"]:
    """The verb(s) that say what happened to the counted thing; reporting and light verbs are looked through."""
    verb = next((t for t in [tok, *tok.ancestors] if t.pos_ in ("VERB", "AUX") and t.i not in own), None)
    if verb is None:
        return []
    for _ in range(2):
        inner = next((c for c in verb.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ == "VERB"), None)
        if verb.lemma_.lower() in REPORTING and inner is not None:
            verb = inner
    if verb.lemma_.lower() in LIGHT:
        clauses = [c for c in tok.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"]
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in EVENT_CLASSES]
        return [verb, *clauses, *objects] if clauses or objects else [verb]
    camp = [c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() == "camp"]
    return [verb, *camp]  # "set up camp" is being there


def _belongs(tok: "Token", anchors: set[int], verbs: list["Token"]) -> bool:
    """True when a phrase headed by tok attaches to this quantity's clause or to a clause around it."""
    for t in tok.ancestors:
        if t.i in anchors:
            return True
        if t.pos_ in ("VERB", "AUX"):
            return any(t in v.ancestors for v in verbs) or not verbs
    return not verbs


def _periods(sent: "Span", anchors: set[int], verbs: list["Token"], own: set[int]) -> list[str]:
    """Normalised time frames ("this year", "12 months to april 2015", "2014") of this quantity."""
    out = []
    for ent in sent.ents:
        if ent.label_ not in ("DATE", "TIME") or own & {t.i for t in ent} or "old" in ent.text.lower():
            continue
        if not any(not t.is_digit or _year(t) for t in ent):
            continue  # "35" tagged DATE is an age
        if _belongs(ent.root, anchors, verbs) or ent.root.i in anchors:
            out.append(_normalise_period(ent.text))
    return out


def _normalise_period(text: str) -> str:
    text = " ".join(text.lower().replace("so far", "").split())
    text = text.removeprefix("the ").removeprefix("in ")
    for alias in ("year to ", "twelve months to ", "past 12 months to "):
        if text.startswith(alias):
            text = "12 months to " + text[len(alias):]
    return text


def _places(sent: "Span", anchors: set[int], verbs: list["Token"]) -> list[str]:
    """Named places the clause locates the quantity in ("calais", "uk")."""
    out = []
    for tok in sent:
        if tok.pos_ != "PROPN" or tok.dep_ not in ("pobj", "conj") or tok.ent_type_ in ("DATE", "TIME"):
            continue
        prep = tok.head if tok.dep_ == "pobj" else tok.head.head
        if prep.lower_ in LOCATION_PREPS and _belongs(tok, anchors, verbs):
            name = tok.lemma_.lower()
            out.append(PLACE_ALIASES.get(name, name))
    return out


def _clause_keys(verbs: list["Token"], own: set[int]) -> list[str]:
    """Content nouns and names of the event's clause; for a relative clause also the noun(s) it hangs on."""
    if not verbs:
        return []
    verb, keys = verbs[0], []
    tokens = list(verb.subtree)
    if verb.dep_ in ("relcl", "acl"):
        head = verb.head
        tokens += [head, *head.children] + ([head.head] if head.dep_ in ("appos", "pobj", "conj") else [])
        edge = head.left_edge.i
        if edge >= 2 and head.doc[edge - 1].text == "," and head.doc[edge - 2].pos_ == "PROPN":
            tokens.append(head.doc[edge - 2])  # "Sangatte, the original camp that was closed": the appositive
    for t in tokens:
        lemma = t.lemma_.lower()
        if t.i not in own and t.pos_ in ("NOUN", "PROPN") and lemma not in GENERIC and not t.like_num:
            keys.append(lemma)
    return list(dict.fromkeys(keys))


# ---------------------------------------------------------------- comparison


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
        return f"sum {'pledged' if event == 'fund' else _past(event)}{where}{when}"
    if a.kind == "percent":
        return f"{event} in {a.noun or 'figure'}{where}{when}"
    if a.kind == "measure":
        return f"{_as_written(a.noun, texts)} {U.unit_interval(a.unit)[0]}{where}{when}"
    noun = _plural(a.noun) if a.noun == b.noun else "people"
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
    about = f"{'year' if coarse == 'year' else 'date'} {label} {_past(a.noun)}"
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


IRREGULAR_PLURALS = {"person": "people", "child": "children", "man": "men", "woman": "women", "fish": "fish",
                     "sheep": "sheep", "yen": "yen", "aircraft": "aircraft", "": "figures"}
IRREGULAR_PASTS = {"fall": "fell", "rise": "rose", "spend": "spent", "pay": "paid", "sell": "sold", "buy": "bought",
                   "win": "won", "lose": "lost", "grow": "grew", "make": "made", "take": "took", "give": "gave",
                   "leave": "left", "send": "sent", "bring": "brought", "hold": "held", "meet": "met", "run": "ran",
                   "cut": "cut", "set": "set", "put": "put", "hit": "hit", "cost": "cost", "find": "found",
                   "seek": "sought", "flee": "fled", "say": "said", "shut": "shut", "stop": "stopped",
                   "drop": "dropped", "begin": "began", "build": "built", "raise": "raised", "die": "died"}


def _plural(noun: str) -> str:
    if noun in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[noun]
    if noun == "people" or noun.endswith("s"):
        return noun
    if noun.endswith(("sh", "ch", "x", "z")):
        return noun + "es"
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"


def _past(verb: str) -> str:
    if verb in IRREGULAR_PASTS:
        return IRREGULAR_PASTS[verb]
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "d" if verb.endswith("e") else verb + "ed"

"""Whether two figures measure the same thing, and whether they agree: pure comparison, no spaCy.

At comparison an exact figure is widened by its rounding: 5 % for round numbers (3,000; 2,100; £7m), half of the
last significant digit for round numbers written to three or more (316,000: 500), half of the last written digit
otherwise (21 -> 20.5..21.5). Measures are converted to a base unit (miles/km,
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
from dataclasses import replace
from datetime import date
from functools import lru_cache

from . import timeref
from . import units as U
from .aliases import same_person
from .comparison import NO_SETTING, QuantityComparison, Setting, frame, frames_of, numeric_about, once, phrase_about
from .dated import compare_dates
from .quantities import DATE_KINDS, NUMERIC_KINDS, TIME_KIND, Quantity
from .relation import (RANGE_HEDGES, STOCKS, TALLY_OF, bound_side, is_approximate, one_range_restated, relation,
                       tally_of)

NOUN_CLASSES = {"people": "person", "person": "person", "migrant": "person", "refugee": "person",
                "immigrant": "person", "asylum": "person", "seeker": "person"}




def compare_claims(text_a: str, quantities_a: list[Quantity], text_b: str, quantities_b: list[Quantity],
                   setting: Setting = NO_SETTING) -> list[QuantityComparison]:
    """Compare the quantities of two claims from different articles; only those that measure the same thing."""
    chosen = _best_comparisons(text_a, quantities_a, text_b, quantities_b, setting)
    if (setting.anchor_a is None) != (setting.anchor_b is None) and any(map(_restated_alike, chosen)):
        # An undated sentence that restates a dated one's telling figure ("between 46,000 and 85,000") tells of
        # the same moment: its other figures ("318,000" / "316,000") are read at the dated one's day.
        chosen = _best_comparisons(text_a, quantities_a, text_b, quantities_b, replace(setting, same_moment=True))
    return chosen


def _restated_alike(c: QuantityComparison) -> bool:
    """Two figures written alike that few other measures share: a range, or three significant digits or more."""
    a, b = c.a, c.b
    if c.verdict != "agree" or (a.low, a.high, a.unit) != (b.low, b.high, b.unit) or not math.isfinite(a.high):
        return False
    return a.low < a.high or U.significant_digits(a.value) >= 3


def _best_comparisons(text_a: str, quantities_a: list[Quantity], text_b: str, quantities_b: list[Quantity],
                      setting: Setting) -> list[QuantityComparison]:
    candidates = []
    texts = f"{text_a} {text_b}"
    for a in quantities_a:
        for b in quantities_b:
            compare = compare_dates if a.kind in DATE_KINDS else _compare_numbers
            found = compare(a, b, texts, setting)
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


def _compare_numbers(a: Quantity, b: Quantity, texts: str, setting: Setting) -> tuple[float, QuantityComparison] | None:
    if not _kinds_match(a, b) or not _moods_match(a, b):
        return None
    # The values first: they are cheap to compare, and most figure pairs fail here, not on their measures.
    (a_lo, a_hi), (b_lo, b_hi) = _comparable_interval(a), _comparable_interval(b)
    # An open-ended figure ("at least 2,437") is placed at its stated end.
    a_mid = (a_lo + a_hi) / 2 if math.isfinite(a_hi) else a.value
    b_mid = (b_lo + b_hi) / 2 if math.isfinite(b_hi) else b.value
    if a.kind != TIME_KIND and max(a_mid, b_mid) > 4 * max(min(a_mid, b_mid), 1e-9):
        return None  # a factor of 4 apart: two different measures, not one disputed figure
    similarity = setting.similarity(a, b) if setting.similarity else None
    # A time of day names no counted thing: only alike phrases tell that two times are of one moment.
    strict = a.kind != TIME_KIND and not _placed_fact(a) and _same_measure(a, b) and _same_tally(a, b) \
        and _parts(a) == _parts(b)
    if not strict and not (_same_by_meaning(a, b, similarity) and _same_periods(a, b, setting)) \
            and not _one_body_count(a, b):
        return None
    # Intervals that only touch (111 -> 110.5..111.5, 112 -> 111.5..112.5) are two different exact figures.
    # A bound a writer set ("as many as 29", "at least 29") includes its end: touching there is agreeing.
    exact = a.low == a.high and b.low == b.high
    agree = (a_lo < b_hi and b_lo < a_hi) if exact else (a_lo <= b_hi and b_lo <= a_hi)
    agree = agree or (a_lo, a_hi) == (b_lo, b_hi)
    if agree and is_approximate(a) and is_approximate(b):
        # Each "about" widens its figure by 15 %: two of them overlap 26 % apart ("around 250,000" / "an estimated
        # 316,000"). Two estimates agree when one's figure lies within the other's reach.
        agree = a_lo <= b_mid <= a_hi or b_lo <= a_mid <= b_hi  # midpoints: the stated figures in base units
    if agree and a.kind == "count" and bound_side(a) and bound_side(a) == bound_side(b):
        # News writes a count as "at least 98": two such bounds on one measure are two estimates, and they
        # disagree when their stated ends do ("at least 98" vs "at least 176 still missing").
        agree = _ends_agree(a, b)
    if agree and a.hedge in RANGE_HEDGES and b.hedge in RANGE_HEDGES and (a.low, a.high) != (b.low, b.high):
        agree = False  # two ranges with different ends are two estimates, even when they overlap
    decided = relation(a, b, agree, setting.anchor_a, setting.anchor_b, setting.same_moment)
    if decided is None:
        return None
    verdict, time_a, time_b = decided
    confidence = 0.9
    confidence -= 0.15 * ("noun:inferred" in a.context + b.context)
    confidence -= 0.1 * (a.noun != b.noun)
    confidence -= 0.1 * (not (frame(a, "where") and frame(b, "where")))
    confidence -= 0.05 * (math.isinf(a.high) or math.isinf(b.high))
    confidence -= 0.1 * (not strict)
    about = numeric_about(a, b, texts) if strict and a.kind != "age" else phrase_about(a, b)  # "age of Reshma"
    reason = f"{a.text} vs {b.text} {about}" if a.kind == "count" and strict else f"{a.text} vs {b.text}: {about}"
    if verdict == "update":
        reason = f"{a.text} ({timeref.label(time_a.report) or 'undated'}) -> {b.text} " \
                 f"({timeref.label(time_b.report) or 'undated'}): {about}, a figure that changed"
    elif verdict == "conflict" and _placed_fact(a):
        reason += " (same measure: the same named places)"
    elif verdict == "conflict" and not strict and similarity is not None:
        reason += f" (same measure: phrases alike at {similarity:.2f})"
    directions = (frame(a, "direction"), frame(b, "direction"))
    if verdict == "conflict" and all(directions) and directions[0] != directions[1]:
        reason += f"; directions differ too: {min(directions[0])} vs {min(directions[1])}"
    closeness = 1 / (1 + abs(a.value - b.value) / max(abs(a.value), abs(b.value), 1e-9))
    comparison = QuantityComparison(a, b, verdict, "date" if a.kind == TIME_KIND else "numeric",
                                    round(max(confidence, 0.3), 2), reason, about,
                                    timeref.label(time_a.report or time_a.event),
                                    timeref.label(time_b.report or time_b.event))
    rank = confidence + 0.05 * len(frame(a, "what") & frame(b, "what")) + 0.01 * closeness + (similarity or 0)
    return rank, comparison


# A death toll is confirmed by counting bodies: the two written to the last unit and nearly equal are one count told
# twice ("the toll at 111,499" / "confirmed 111,481 bodies"), whatever else their clauses say.
BODY_COUNT = {"deaths", "bodies"}
TWIN_GAP = 0.001


def _one_body_count(a: Quantity, b: Quantity) -> bool:
    if a.kind != "count" or {tally_of(a.measure), tally_of(b.measure)} != BODY_COUNT:
        return False
    precise = all(q.low == q.high and q.value >= 1000 and not U.is_round(q.value) and not q.hedge for q in (a, b))
    return precise and abs(a.value - b.value) <= TWIN_GAP * max(a.value, b.value)


def _ends_agree(a: Quantity, b: Quantity) -> bool:
    """Whether the stated ends of two bounds on one side agree within their rounding."""
    ends = []
    for q in (a, b):
        end = q.low if bound_side(q) == "low" else q.high
        tolerance = U.rounding_tolerance(end, q.text)
        ends.append((end - tolerance, end + tolerance))
    (a_lo, a_hi), (b_lo, b_hi) = ends
    return a_lo <= b_hi and b_lo <= a_hi


# Two measure phrases this alike (cosine of their embeddings) name the same measure, when their structure allows:
# tuned on the labelled real-news pages (eval/realnews.py).
MEASURE_SIMILARITY = 0.75
MEASURE_SIMILARITY_ALONE = 0.9
MEASURE_SIMILARITY_SAME_THING = 0.38
MEASURE_SIMILARITY_OTHER_NOUNS = 0.85
GENERIC_WORDS = {"people", "person", "figure", "number", "total", "said", "says", "say", "told", "#", "more", "than",
                 "ones", "others"}


@lru_cache(maxsize=1 << 16)  # asked of each figure in every pair it is in
def _content_words(phrase: str) -> frozenset[str]:
    """Word stems of a phrase (first five letters), generic words left out: "killed" ~ "killing"; a word that
    names a running tally stands for its tally, so "# dead" shares a word with "# people died"."""
    return frozenset(TALLY_OF.get(w, w[:5]) for w in phrase.lower().split() if len(w) > 2 and w not in GENERIC_WORDS)


def _mood(q: Quantity) -> str:
    return next((c[5:] for c in q.context if c.startswith("mood:")), "")


def _moods_match(a: Quantity, b: Quantity) -> bool:
    """Figures counted on top of others ("two more bodies") compare with nothing; a figure a clause only expects
    ("could reach 200,000") compares only with another expectation."""
    mood_a, mood_b = _mood(a), _mood(b)
    return mood_a == mood_b and mood_a != "increment"


def _kinds_match(a: Quantity, b: Quantity) -> bool:
    """Same kind, and a convertible unit (rates only with rates), or the same currency."""
    if a.kind != b.kind or a.kind not in (*NUMERIC_KINDS, "age", TIME_KIND):
        return False
    if a.kind == "measure":
        ua, ub = U.unit_interval(a.unit), U.unit_interval(b.unit)
        return ua is not None and ub is not None and ua[0] == ub[0] and ("/" in a.unit) == ("/" in b.unit)
    return a.unit == b.unit


def _same_by_meaning(a: Quantity, b: Quantity, similarity: float | None) -> bool:
    """Alike measure phrases, and nothing in their structure that tells them apart (README: "Same measure")."""
    if _placed_fact(a) or _placed_fact(b):
        return _placed_fact(a) == _placed_fact(b)
    if similarity is None or not a.measure or not b.measure:
        return False
    tally_a, tally_b = tally_of(a.measure), tally_of(b.measure)
    if tally_a != tally_b:
        return False  # the injured are not the dead, the missing not the rescued
    if a.kind == "age":
        return _things_compatible(a, b, similarity)  # an age is an age of someone, wherever and whatever happened
    if ("describes" in a.context) != ("describes" in b.context):
        return False  # "a 4,000-passenger ship" says what it holds, "4,229 passengers on board" who was there
    places_a, places_b = frame(a, "where"), frame(b, "where")
    if places_a and places_b and not places_a & places_b:
        return False
    if not _events_compatible(a, b):
        return False  # "2,000 migrants attempted" is not "5,000 migrants living"; an age is an age whatever happened
    if not _things_compatible(a, b, similarity):
        return False
    if _qualifiers(a) != _qualifiers(b) or _parts(a) != _parts(b):
        return False  # "seriously injured" is a part of "injured", "two French passengers" a part of all
    heads_a, heads_b = _head_classes(a), _head_classes(b)
    if heads_a and heads_b and not heads_a & heads_b:
        return False  # "a four-storey house" is not "the eight-storey building"
    if not _content_words(a.measure) or not _content_words(b.measure):
        return False  # a figure with no words of its own ("Sept. 17") measures nothing we can name
    shared = _content_words(a.measure) & _content_words(b.measure)
    if not shared:
        return similarity >= MEASURE_SIMILARITY_ALONE
    if similarity >= MEASURE_SIMILARITY:
        return True
    # Phrases less alike still name one measure when they count the same tally or the same named thing.
    noun = _thing_class(a.noun)
    same_thing = a.kind != TIME_KIND and (bool(tally_a) or noun and noun == _thing_class(b.noun)
                                          and noun not in GENERIC_WORDS)
    # One range restated with a slip at one end names its measure by itself, however the clauses are worded.
    return bool(same_thing) and (similarity >= MEASURE_SIMILARITY_SAME_THING or one_range_restated(a, b))


# What news calls one structure or one vessel by turns: "the nine-storey Rana Plaza" is "the eight-storey complex".
HEAD_CLASSES = {**dict.fromkeys(("building", "complex", "block", "tower", "plaza", "structure", "rise"), "building"),
                **dict.fromkeys(("ship", "vessel", "liner", "boat", "ferry"), "vessel")}


def _thing_class(noun: str) -> str:
    return HEAD_CLASSES.get(noun, noun)


def _head_classes(q: Quantity) -> set[str]:
    return {_thing_class(h) for h in frame(q, "head")}


# Facts read by their structure, not their phrase: the people of one named place, how far one place is from another.
PLACED_FACTS = ("population", "distance")


def _placed_fact(q: Quantity) -> tuple[str, frozenset[str]] | None:
    """("population" | "distance", its places) when the figure is one of PLACED_FACTS, else None."""
    frames = frames_of(q)
    return next(((name, frames[name]) for name in PLACED_FACTS if name in frames), None)


def _things_compatible(a: Quantity, b: Quantity, similarity: float) -> bool:
    """Two counted nouns that differ ("storeys" / "factories") name two measures unless the phrases are nearly one;
    two ages are of one person or thing only when its name is shared."""
    if a.kind == "age":
        names = [q.measure.removeprefix("age of ").removesuffix("#").strip() for q in (a, b)]
        return not any(n.startswith("the ") or not n for n in names) and same_person(*names)
    noun_a, noun_b = _thing_class(a.noun), _thing_class(b.noun)  # "the ferry" = "the vessel"
    if noun_a != noun_b and ("listed" in a.context or "listed" in b.context):
        return False  # "three owners and two engineers" arrested are a part of "12 people" arrested
    if noun_a and noun_b and noun_a != noun_b and not {noun_a, noun_b} & GENERIC_WORDS:
        return similarity >= MEASURE_SIMILARITY_OTHER_NOUNS
    return True


# Words that narrow a measure to a part of it: a figure with one is not the figure without it.
QUALIFIERS = {"seriously", "critically", "severely", "badly", "slightly", "confirmed", "unidentified", "identified",
              "registered", "foreign", "local", "daily", "weekly", "alone", "only",
              # what a thing can hold is not what it held: "licensed to carry 700" vs "carrying 412"
              "capacity", "licensed", "licence", "license", "designed", "able", "maximum", "room"}


def _same_tally(a: Quantity, b: Quantity) -> bool:
    """No two different tallies (the written noun and event already agree when this is asked)."""
    tally_a, tally_b = tally_of(a.measure), tally_of(b.measure)
    return not (tally_a and tally_b and tally_a != tally_b)


def _parts(q: Quantity) -> set[str]:
    return frame(q, "part")


def _qualifiers(q: Quantity) -> set[str]:
    return set(q.measure.lower().split()) & QUALIFIERS


# Verbs that state a figure rather than say what happened ("the toll was / reached / stood at 316,000"): when the
# figure counts no noun of its own, they are compatible with any event ("316,000 were killed").
STATING_VERBS = {"be", "reach", "stand", "put", "total", "hit", "pass", "top", "exceed", "surpass", "climb", "rise",
                 "estimate", "number", "count", "record", "confirm", "report", "say", "have", "bring", "take", "raise",
                 "revise", "increase", "jump", "soar", "grow", "mount", "leave"}
# Verbs that say something is there: "there were 4,229 passengers on board" = "carrying 4,234 passengers".
PRESENCE_VERBS = {"be", "be-present", "live", "stay", "remain", "carry", "hold", "house", "contain", "include", "have"}
STATED_NOUNS = {"", "toll", "number", "figure", "total", "estimate", "count", "tally"}


def _events_compatible(a: Quantity, b: Quantity) -> bool:
    verbs_a, verbs_b = frame(a, "verb"), frame(b, "verb")
    if not verbs_a or not verbs_b or tally_of(a.measure) in STOCKS and tally_of(a.measure) == tally_of(b.measure):
        return True  # a state in other verbs: "remained missing" = "were still missing"
    for verbs, q in ((verbs_a, a), (verbs_b, b)):
        if verbs & STATING_VERBS and q.noun in STATED_NOUNS:
            return True
    return bool(_event_classes(a, verbs_a) & _event_classes(b, verbs_b))


def _event_classes(q: Quantity, verbs: set[str]) -> set[str]:
    return {"present" if v in PRESENCE_VERBS else v for v in verbs} | frame(q, "event")


def _same_periods(a: Quantity, b: Quantity, setting: Setting) -> bool:
    """The spans a figure is counted over ("this year", "in the 12 months to April 2015", "in one night") are the
    same on both sides; the day a figure is reported on is not a span (relation.py weighs it)."""
    spans_a, spans_b = _spans(a, setting.anchor_a), _spans(b, setting.anchor_b)
    # "killed in the tsunami in 2004" counts over the year that "the 2004 tsunami, which killed" dates.
    return spans_a - _dated(b, setting.anchor_b) == spans_b - _dated(a, setting.anchor_a)


def _dated(q: Quantity, anchor: date | None) -> set[str]:
    """The periods that date a thing the figure is about ("the 2004 tsunami"), labelled as _spans labels them."""
    found = (timeref.resolve(c[6:], anchor) for c in q.context if c.startswith("dated:"))
    return {timeref.label(span) for span in found if span is not None and span[0] != span[1]}


# How a span that counts a figure starts ("one night", "each day", "the past week"); "20 days" of searching is how
# long something took, not a window of counting.
# A number starts a counting window only before one of these: "12 months", not "12 January".
DURATIONS = {"hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years"}
COUNTING_WINDOWS = {"one", "a", "an", "each", "every", "per", "this", "last", "past", "first", "next", "12", "twelve"}


def _spans(q: Quantity, anchor: date | None) -> set[str]:
    out = set()
    for text in (c[5:] for c in q.context if c.startswith("when:")):
        if f"dated:{text}" in q.context or text.endswith(("'s", "’s")):
            continue  # "last year's disaster": the time dates an event the figure is about, not a counting window
        found = timeref.resolve(text, anchor)
        if found is None:
            words = text.split()
            if words[0] in COUNTING_WINDOWS and (not words[0].isdigit() or len(words) > 1 and words[1] in DURATIONS):
                out.add(text)  # a span we cannot place ("in one night") must at least be written alike
        elif found[0] != found[1]:
            out.add(timeref.label(found) or text)
    return out


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
    elif not frame(a, "what") & frame(b, "what"):
        return False  # nothing counted on either side: at least the clause must name the same thing
    if not frame(a, "event") & frame(b, "event") or frame(a, "when") != frame(b, "when"):
        return False
    places_a, places_b = frame(a, "where"), frame(b, "where")
    return not (places_a and places_b and not places_a & places_b)


def _comparable_interval(q: Quantity) -> tuple[float, float]:
    """The interval a figure stands for, widened by rounding when exact, in the base unit for measures (made once
    per figure: a figure is compared in every pair it is in)."""
    return once(q, "_interval", _interval_of)


def _interval_of(q: Quantity) -> tuple[float, float]:
    low, high = q.low, q.high
    if low == high and q.kind != TIME_KIND:  # a time's rounding is in its interval already
        tolerance = U.rounding_tolerance(q.value, q.text)
        low, high = q.value - tolerance, q.value + tolerance
    if q.kind == "measure":
        _, f_lo, f_hi = U.unit_interval(q.unit)
        low, high = low * f_lo, high * f_hi
    return low, high

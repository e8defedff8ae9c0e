"""Exact-output tables for quantity extraction and comparison, plus the seed and fixture cross-checks."""
import itertools
import json
import math
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck import frames
from claimcheck import units as U
from claimcheck.segment import load_nlp
from claimcheck.measures import Setting, compare_claims
from claimcheck.quantities import Quantity, extract_quantities

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "conflicts"
INF = math.inf


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()  # the production pipeline, with its line-break sentence boundaries


def extract(nlp, text: str) -> list[Quantity]:
    return extract_quantities(nlp(text)[:])


def summary(q: Quantity) -> tuple:
    return (q.text, q.kind, round(q.value, 3), round(q.low, 3), round(q.high, 3), q.unit, q.noun, q.hedge)


# (sentence, [(text, kind, value, low, high, unit, noun, hedge), ...])
EXTRACTION = [
    ("There are now an estimated 3,000 migrants in the area.",
     [("an estimated 3,000", "count", 3000, 2550, 3450, "", "migrant", "an estimated")]),
    ("In one night almost 2,100 migrants stormed the Eurotunnel terminal.",
     [("almost 2,100", "count", 2100, 1890, 2100, "", "migrant", "almost")]),
    ("Three thousand migrants gathered at the port.",
     [("Three thousand", "count", 3000, 3000, 3000, "", "migrant", "")]),
    ("Thirty-one people were rescued from the sea.",
     [("Thirty-one", "count", 31, 31, 31, "", "people", "")]),
    ("Nine people are known to have died in the attempt.",
     [("Nine", "count", 9, 9, 9, "", "people", "")]),
    ("A group of about a dozen men were seen crossing the road.",
     [("about a dozen", "count", 12, 10.2, 13.8, "", "man", "about")]),
    ("Up to 100 people breached security.",
     [("Up to 100", "count", 100, 0, 100, "", "people", "Up to")]),
    ("At least 40 people were injured.",
     [("At least 40", "count", 40, 40, INF, "", "people", "At least")]),
    ("More than 3,000 people have set up camp around Calais.",
     [("More than 3,000", "count", 3000, 3000, INF, "", "people", "More than")]),
    ("Some 600 jobs are under threat.",
     [("Some 600", "count", 600, 510, 690, "", "job", "Some")]),
    ("Just under 500 lorries were parked on the road.",
     [("Just under 500", "count", 500, 450, 500, "", "lorry", "Just under")]),
    ("Between 2,000 and 3,000 migrants live in the camp.",
     [("Between 2,000 and 3,000", "count", 2500, 2000, 3000, "", "migrant", "between")]),
    ("Officials said 2,000 to 3,000 migrants live in the camp.",
     [("2,000 to 3,000", "count", 2500, 2000, 3000, "", "migrant", "to")]),
    ("Home Secretary Theresa May pledged £7m to tackle the crisis.",
     [("£7m", "money", 7e6, 7e6, 7e6, "GBP", "", "")]),
    ("Home Secretary Theresa May pledged £7 million to tackle the crisis.",
     [("£7 million", "money", 7e6, 7e6, 7e6, "GBP", "", "")]),
    ("Home Secretary Theresa May pledged £7,000,000 to tackle the crisis.",
     [("£7,000,000", "money", 7e6, 7e6, 7e6, "GBP", "", "")]),
    ("The company raised $1.2bn from investors.",
     [("$1.2bn", "money", 1.2e9, 1.2e9, 1.2e9, "USD", "", "")]),
    ("Use of the route rose by more than 300 per cent in 2014.",
     [("more than 300 per cent", "percent", 300, 300, INF, "%", "use", "more than"),
      ("2014", "year", 2014, 2014, 2015, "year", "rise", "")]),
    ("Crossings fell by 45% last month.",
     [("45%", "percent", 45, 45, 45, "%", "crossing", "")]),
    ("They made the dangerous 21 mile voyage in winter.",
     [("21 mile", "measure", 21, 21, 21, "mile", "voyage", "")]),
    ("The Strait of Dover is 34 km wide at its narrowest point.",
     [("34 km", "measure", 34, 34, 34, "km", "strait", "")]),
    ("The damaged pipeline leaks 5,000 barrels a day.",
     [("5,000 barrels a day", "measure", 5000, 5000, 5000, "barrel/day", "pipeline", "")]),
    ("The Channel Tunnel was closed for 48 hours.",
     [("48 hours", "measure", 48, 48, 48, "hour", "tunnel", "")]),
    ("The camp was closed in 2002.",
     [("2002", "year", 2002, 2002, 2003, "year", "close", "")]),
    ("The camp was closed in December 2002.",
     [("December 2002", "date", 2002.917, 2002.917, 2003, "month", "close", "")]),
    ("The camp was closed on 3 December 2002.",
     [("3 December 2002", "date", 2002.922, 2002.922, 2002.925, "day", "close", "")]),
    ("There were 18,000 attempts detected in the 12 months to April 2014.",
     [("18,000", "count", 18000, 18000, 18000, "", "attempt", "")]),
    ("The number of migrants who have arrived by small boat this year has reached 8,448.",
     [("8,448", "count", 8448, 8448, 8448, "", "migrant", "")]),
]

TIMES = [
    ("The first incident was reported on Tuesday night at 10.04pm.", "10.04pm", 22 * 60 + 4, 22 * 60 + 4),
    ("Then in the early hours of Wednesday at 2.34am, the coastguard received another call.", "2.34am", 154, 154),
    ("The blockade at Calais was partially lifted at 6pm yesterday.", "6pm", 17 * 60 + 30, 18 * 60 + 30),
    ("Reshma was pulled out at exactly 4:28 pm.", "exactly 4:28 pm", 16 * 60 + 28, 16 * 60 + 28),
    ("Rescuers heard her at around 2:45 p.m. on Friday.", "around 2:45 p.m.", 14 * 60 + 30, 15 * 60),
]


@pytest.mark.parametrize("text, written, low, high", TIMES)
def test_a_time_of_day_is_a_time_not_a_number(nlp, text, written, low, high):
    """ "10.04pm" is never the number 10.04: it is a time, compared only with other times of one moment."""
    [q] = extract(nlp, text)
    assert (q.text, q.kind, q.unit) == (written, "time", "clock")
    assert q.low <= q.value <= q.high and abs(q.low - low) <= 0.5 and abs(q.high - high) <= 0.5


def test_times_in_other_zones_are_never_compared(nlp):
    a, b = "The quake struck at 4:53 p.m. ET.", "The quake struck at 9:53 pm GMT."
    [qa], [qb] = extract(nlp, a), extract(nlp, b)
    assert (qa.unit, qb.unit) == ("clock et", "clock gmt")
    assert compare_claims(a, [qa], b, [qb], Setting(similarity=lambda x, y: 1.0)) == []


def test_two_times_of_one_moment_conflict_only_by_alike_phrases(nlp):
    a, b = "The ship hit the rocks at 9.45pm.", "The ship hit the rocks at 10:15pm."
    assert compare_claims(a, extract(nlp, a), b, extract(nlp, b)) == []  # no similarity known: not compared
    [found] = compare_claims(a, extract(nlp, a), b, extract(nlp, b), Setting(similarity=lambda x, y: 0.95))
    assert (found.verdict, found.kind, found.a.text, found.b.text) == ("conflict", "date", "9.45pm", "10:15pm")
    c = "The ship hit the rocks at about 9:45 p.m."
    [same] = compare_claims(a, extract(nlp, a), c, extract(nlp, c), Setting(similarity=lambda x, y: 0.95))
    assert same.verdict == "agree"


TRAPS = [
    "A group of men were seen scurrying across the A16.",
    "Migrants run across the A 16 motorway.",
    "Thousands of lorry drivers are parked on the M20 in Kent.",
    "Kent Police have implemented Phase 4 of Operation Stack.",
    "Divers found the body of a woman at deck seven.",
    "The world is in the grip of the greatest refugee crisis since the Second World War.",
    "For details call 01304 240400 today.",
    "The latest act of desperation came on Monday night.",
    "So far this year the numbers have risen sharply.",
    "Dozens of migrants tried to storm a ferry.",
]


@pytest.mark.parametrize("text, expected", EXTRACTION)
def test_extraction(nlp, text, expected):
    assert [summary(q) for q in extract(nlp, text)] == [
        (t, k, round(v, 3), round(lo, 3), round(hi, 3), u, n, h) for t, k, v, lo, hi, u, n, h in expected]


@pytest.mark.parametrize("text", TRAPS)
def test_traps_are_not_quantities(nlp, text):
    assert extract(nlp, text) == []


# A duration is one figure in its smallest unit, however it is written; "m" is minutes only after a larger part.
DURATIONS = [
    ("Rescuers worked through a tense 1hr 10 minute operation.", [("1hr 10 minute", 70.0, "minute")]),
    ("The operation took 1 hour 10 minutes.", [("1 hour 10 minutes", 70.0, "minute")]),
    ("It lasted two hours and 15 minutes.", [("two hours and 15 minutes", 135.0, "minute")]),
    ("The meeting lasted 1 hour, 30 minutes.", [("1 hour, 30 minutes", 90.0, "minute")]),
    ("The flight took 3h 20m.", [("3h 20m", 200.0, "minute")]),
    ("The match lasted 2hrs 5mins on Sunday.", [("2hrs 5mins", 125.0, "minute")]),
    ("Mo Farah ran 27min 44sec in the final.", [("27min 44sec", 1664.0, "second")]),
    ("She was trapped for 17 days and 4 hours.", [("17 days and 4 hours", 412.0, "hour")]),
    ("They spent 45 minutes freeing her.", [("45 minutes", 45.0, "minute")]),
    ("She was 3 seconds behind the winner.", [("3 seconds", 3.0, "second")]),
    ("The rescue took nearly 1 hour 10 minutes.", [("nearly 1 hour 10 minutes", 70.0, "minute")]),
    ("Rescuers finished within 1hr 30mins of arriving.", []),  # a time frame, as "within 10 minutes" is
    ("Police arrived within 10 minutes of the call.", []),
    ("It takes the crew 15 minutes to rake the lawn.", [("15 minutes", 15.0, "minute")]),  # how long, not a frame
    ("Exports rose in the 12 months to April 2014.", []),  # a frame ending at a date
    ("The convoy left at 1400hrs on Monday.", []),  # a time of day
    ("The company had 20m customers in 2019.", [("20m", 20_000_000.0, ""), ("2019", 2019.0, "year")]),
    ("Officials said 5m barrels of oil had leaked.", [("5m barrels", 5_000_000.0, "barrel")]),
    ("A 50m gash opened in the hull of the ship.", []),  # metres, measuring a thing it describes
    ("She won the 100m race in Rome on 5 June.", [("100m", 100.0, "metre"), ("5 June", 0.427419, "monthday")]),
    ("The club paid £20m for the striker.", [("£20m", 20_000_000.0, "GBP")]),
    ("Jazz boomed in the 1930s in New York.", []),
]


@pytest.mark.parametrize("text, expected", DURATIONS)
def test_durations(nlp, text, expected):
    assert [(q.text, q.value, q.unit) for q in extract(nlp, text)] == expected


AGES = [
    ("The bodies of Rasoul Iran-Nejad, 35, and Anita, nine, were recovered.",
     [("35", 35.0, "age of rasoul iran nejad #"), ("nine", 9.0, "age of anita #")]),
    ("The body of their youngest child, 15 month old son Artin, has still not been found.", [("15 month old", 1.25, None)]),
    ("A 35-year-old man was arrested.", [("35-year-old", 35.0, "age of the man #")]),
    ("The ship, which is 5 years old, cost a fortune.", [("5 years old", 5.0, "age of the ship #")]),
]


@pytest.mark.parametrize("text, expected", AGES)
def test_ages_are_ages_never_counts(nlp, text, expected):
    """An age is a fact outlets can disagree on ("Reshma, 21" / "Reshma, 23"), but never a count of people."""
    found = extract(nlp, text)
    assert [(q.text, q.value) for q in found] == [(t, v) for t, v, _ in expected]
    assert all(q.kind == "age" and q.unit == "year" for q in found)
    assert all(phrase is None or q.measure == phrase for q, (_, _, phrase) in zip(found, expected))


def test_offsets_are_relative_to_the_sentence(nlp):
    doc = nlp("Nothing happened. Then an estimated 3,000 migrants arrived.")
    sent = list(doc.sents)[1]
    (q,) = extract_quantities(sent)
    assert sent.text[q.start:q.end] == q.text == "an estimated 3,000"


@pytest.mark.parametrize("text, entries", [
    ("There were 39,000 attempts to cross the Channel in the year to April 2015.",
     {"when:12 months to april 2015", "event:cross"}),
    ("Around 5,000 migrants are living in and around Calais.", {"where:calais", "event:present"}),
    ("In 2019, 7,000 migrants arrived in the UK by small boat.", {"when:2019", "where:uk", "event:arrive"}),
    ("The number of migrants who have arrived by small boat has reached 8,448.", {"noun:inferred"}),
])
def test_context(nlp, text, entries):
    quantities = [q for q in extract(nlp, text) if q.kind == "count"]
    assert entries <= set(quantities[0].context)


def test_round_trip_through_json(nlp):
    for q in extract(nlp, "More than 3,000 people camped in Calais in 2002 and £7m was pledged."):
        d = json.loads(json.dumps(q.to_dict()))
        assert Quantity.from_dict(d) == q
    more_than = extract(nlp, "More than 3,000 people camped in Calais.")[0]
    assert more_than.to_dict()["high"] == "inf"


SANGATTE = [
    "But it has triggered concerns that the camp will be another version of Sangatte, the original camp that was "
    "closed in 2002.",
    "The camps at Sangatte, which overlooked the Channel, were closed in 2002 after riots.",
    "The French government closed the Sangatte Red Cross centre, near Calais, in 2002 after repeated lobbying by "
    "the UK.",
]
PLEDGE = "Home Secretary Theresa May pledged {} to tackle the migrant crisis in Calais."
ATTEMPTS = "According to the Home Office there were {} attempts to cross the Channel in the {}."
STRAIT = "The Strait of Dover is {} wide at its narrowest point."
FREED = "Cutting her out of the rubble took {}."
BOTTLES = "Kent County Council said its staff provided {} bottles of water and {} snack meals on Tuesday."

# (text_a, text_b, [(verdict, kind), ...]); an empty list means "not comparable".
COMPARISONS = [
    ("Around 5,000 migrants are living in and around Calais.",
     "There are now an estimated 3,000 migrants in the area.", [("conflict", "numeric")]),
    ("There are now an estimated 3,000 migrants in the area.",
     "More than 3,000 people displaced from countries including Eritrea, Syria and Afghanistan have set up camp "
     "around Calais.", [("agree", "numeric")]),
    ("There are now an estimated 3,000 migrants in the area.",
     "The number of migrants who have arrived in the UK by small boat this year so far has now reached 8,448.", []),
    (SANGATTE[0], SANGATTE[1], [("agree", "date")]),
    (SANGATTE[0], SANGATTE[2], [("agree", "date")]),
    (SANGATTE[1], SANGATTE[2], [("agree", "date")]),
    (SANGATTE[2], SANGATTE[1].replace("2002", "2003"), [("conflict", "date")]),
    (SANGATTE[2], SANGATTE[1].replace("2002", "December 2002"), [("agree", "date")]),
    (SANGATTE[2], "The Sangatte camp was closed on Monday night.", []),
    (SANGATTE[2], "The Eurotunnel terminal was closed in 2003.", []),
    (PLEDGE.format("£7m"), PLEDGE.format("£7 million"), [("agree", "numeric")]),
    (PLEDGE.format("£7m"), PLEDGE.format("£7,000,000"), [("agree", "numeric")]),
    (PLEDGE.format("£7m"), PLEDGE.format("£9m"), [("conflict", "numeric")]),
    (PLEDGE.format("£7m"), PLEDGE.format("$7m"), []),
    (ATTEMPTS.format("39,000", "year to April 2015"), ATTEMPTS.format("29,000", "year to April 2015"),
     [("conflict", "numeric")]),
    (ATTEMPTS.format("39,000", "year to April 2015"), ATTEMPTS.format("39,000", "12 months to April 2015"),
     [("agree", "numeric")]),
    (ATTEMPTS.format("39,000", "year to April 2015"), ATTEMPTS.format("29,000", "12 months to April 2014"), []),
    ("In 2019, 7,000 migrants arrived in the UK by small boat.",
     "So far this year, 8,448 migrants have arrived in the UK by small boat.", []),
    ("In one night almost 2,100 migrants stormed the Eurotunnel terminal.",
     "On Monday night 2,000 migrants attempted to break into the Eurotunnel terminal.", []),
    ("Nearly 2,100 migrants stormed the Eurotunnel terminal in one night.",
     "About 2,100 migrants stormed the Eurotunnel terminal in one night.", [("agree", "numeric")]),
    ("It is estimated that more than 1,600 people have drowned so far this year trying to make the crossing.",
     "Nine people are known to have died in the attempt this year.", []),
    ("Around 5,000 migrants are living in and around Calais.",
     "Around 3,000 migrants are living in and around Dunkirk.", []),
    (STRAIT.format("21 miles"), STRAIT.format("34 km"), [("agree", "numeric")]),
    (STRAIT.format("21 miles"), STRAIT.format("50 km"), [("conflict", "numeric")]),
    ("The damaged pipeline leaks 5,000 barrels a day.", "The damaged pipeline leaks 210,000 gallons a day.",
     [("agree", "numeric")]),
    ("The damaged pipeline leaks 5,000 barrels a day.", "The damaged pipeline leaks 9,000 barrels a day.",
     [("conflict", "numeric")]),
    ("The Channel Tunnel was closed for 48 hours.", "The Channel Tunnel was closed for two days.",
     [("agree", "numeric")]),
    ("The Channel Tunnel was closed for 48 hours.", "The Channel Tunnel was closed for three days.",
     [("conflict", "numeric")]),
    ("The government put the death toll at 316,000.", "The government put the death toll at 318,000.",
     [("conflict", "numeric")]),  # exact to the thousand, not 5 % either way
    ("The government put the death toll at 230,000.", "The government put the death toll at 240,000.",
     [("agree", "numeric")]),  # two significant digits: 5 %
    (FREED.format("1hr 10 minutes"), FREED.format("70 minutes"), [("agree", "numeric")]),
    (FREED.format("1hr 10 minutes"), FREED.format("45 minutes"), [("conflict", "numeric")]),
    (FREED.format("3h 20m"), FREED.format("20m"), []),
    ("The blockade was lifted at 6pm.", "The blockade was lifted at 7pm.", []),
    ("Crowds ran across the A16 near the port.", "Crowds ran across the A26 near the port.", []),
    (BOTTLES.format("2,000", "750"), BOTTLES.format("2,000", "900"), [("agree", "numeric"), ("conflict", "numeric")]),
    # Two estimates agree when one's figure lies within the other's 15 %, not whenever their 15 % overlap.
    ("Around 5,000 migrants are living in and around Calais.",
     "About 4,500 migrants are living in and around Calais.", [("agree", "numeric")]),
    ("Around 5,000 migrants are living in and around Calais.",
     "About 4,000 migrants are living in and around Calais.", [("conflict", "numeric")]),
    (STRAIT.format("about 21 miles"), STRAIT.format("about 21 miles"), [("agree", "numeric")]),  # in km, both
    (STRAIT.format("about 21 miles"), STRAIT.format("around 34 km"), [("agree", "numeric")]),
]


@pytest.mark.parametrize("written, value, tolerance", [
    ("316,000", 316_000, 500), ("1.25 million", 1_250_000, 5_000),  # three significant digits: exact to the last
    ("3,000", 3_000, 150), ("230,000", 230_000, 11_500), ("£7m", 7_000_000, 350_000),  # round: 5 %
    ("4,229", 4_229, 0.5), ("1.5", 1.5, 0.05),  # half the last digit written
])
def test_rounding_tolerance(written, value, tolerance):
    assert U.rounding_tolerance(value, written) == pytest.approx(tolerance)


# "official" does not narrow a death toll: the government's official figure is the figure the government claims.
BY_MEANING = [
    ("The study's estimate is far below the government's official figure of 316,000.",
     "The study's estimate is a fraction of the 318,000 claimed by the government.", [("conflict", "316,000", "318,000")]),
    ("The official death toll stood at 1,127 on Monday.", "The death toll was 1,129 on Monday, officials said.",
     [("conflict", "1,127", "1,129")]),
    ("The official death toll stood at 1,127 on Monday.", "The death toll was 1,127 on Monday, officials said.",
     [("agree", "1,127", "1,127")]),
]


@pytest.mark.parametrize("text_a, text_b, expected", BY_MEANING)
def test_compare_by_meaning(nlp, text_a, text_b, expected):
    alike = Setting(similarity=lambda a, b: 0.8)
    found = compare_claims(text_a, extract(nlp, text_a), text_b, extract(nlp, text_b), alike)
    assert [(c.verdict, c.a.text, c.b.text) for c in found] == expected


@pytest.mark.parametrize("text_a, text_b, expected", COMPARISONS)
def test_compare_claims(nlp, text_a, text_b, expected):
    found = compare_claims(text_a, extract(nlp, text_a), text_b, extract(nlp, text_b))
    assert [(c.verdict, c.kind) for c in found] == expected
    for c in found:
        assert 0 < c.confidence <= 1 and c.reason and c.about


def test_a_page_on_an_anniversary_tells_of_the_day_it_marks(nlp):
    dated = "The quake struck on January 12, 2010, and left an estimated 1.3 million people homeless."
    undated = "One million people were left homeless."

    def verdicts(day_a, day_b):
        setting = Setting(day_a, day_b, similarity=lambda a, b: 0.9)
        return [(c.verdict, c.a.text, c.b.text) for c in
                compare_claims(dated, extract(nlp, dated), undated, extract(nlp, undated), setting)]

    year_on = date(2011, 1, 12)
    assert verdicts(year_on, year_on) == [("conflict", "an estimated 1.3 million", "One million")]
    assert verdicts(year_on, date(2012, 1, 14)) == [("conflict", "an estimated 1.3 million", "One million")]
    # A month on, "one million" is that day's count, not the quake's: a dated and an undated figure, not told.
    assert verdicts(year_on, date(2010, 2, 12)) == []


def test_a_toll_and_a_body_count_told_to_the_unit_and_nearly_equal_are_one_count(nlp):
    toll = "The ministry put the toll from the quake at {}."
    bodies = "The United Nations said on Saturday the government had confirmed {} bodies."
    unlike = Setting(date(2010, 1, 22), date(2010, 1, 24), similarity=lambda a, b: 0.1)  # phrases far apart

    def verdicts(a, b):
        text_a, text_b = toll.format(a), bodies.format(b)
        return [c.verdict for c in compare_claims(text_a, extract(nlp, text_a), text_b, extract(nlp, text_b), unlike)]

    assert verdicts("111,499", "111,481") == ["conflict"]  # lower a day later: a count that cannot fall
    assert verdicts("111,499", "111,301") == []  # 0.2 % apart: two counts
    assert verdicts("75,000", "75,000") == []  # round: a toll and the bodies buried may be two measures


def test_an_undated_sentence_restating_a_dated_ones_telling_figure_tells_of_the_same_moment(nlp):
    study = "The study put the death toll between 46,000 and 85,000, a fraction of the {} the government claimed."
    copied = "The study estimates the death toll was {}, far below the government's official figure of 316,000."
    dated_b = Setting(None, date(2011, 5, 31), similarity=lambda a, b: 0.8)

    def verdicts(a, b):
        text_a, text_b = study.format(a), copied.format(b)
        return [(c.verdict, c.a.text, c.b.text) for c in
                compare_claims(text_a, extract(nlp, text_a), text_b, extract(nlp, text_b), dated_b)]

    assert ("conflict", "318,000", "316,000") in verdicts("318,000", "between 46,000 and 85,000")
    # Without the restated range nothing says when the undated page was written: a moving toll is not told.
    assert verdicts("318,000", "a figure far below the official one") == []


def test_the_value_a_change_left_behind_is_a_previous_figure_compared_only_with_previous_ones(nlp):
    def moods(text):
        return {q.text: [c for c in q.context if c.startswith("mood:")] for q in extract(nlp, text)}

    revised = "The government has revised its estimate of the death toll from 230,000 to 316,000."
    assert moods(revised) == {"230,000": ["mood:previous"], "316,000": []}
    assert moods("The toll stood at 230,000, up from 212,000.")["212,000"] == ["mood:previous"]
    assert moods("From 50 to 70 people were injured.") == {"50": [], "70": []}  # no change: a span of values
    # A figure its own verb says came first is one too, whatever replaced it.
    assert list(moods("Officials initially estimated 150,000 dead.").values()) == [["mood:previous"]]
    assert list(moods("Officials estimated 150,000 dead.").values()) == [[]]
    # What the estimate is of is part of the figure's measure: the death toll, not an estimate of anything.
    assert "toll" in next(q.measure for q in extract(nlp, revised) if q.text == "316,000")
    today = "The quake killed an estimated 316,000 people."
    alike = Setting(date(2011, 1, 12), date(2011, 1, 12), similarity=lambda a, b: 0.9)
    found = compare_claims(revised, extract(nlp, revised), today, extract(nlp, today), alike)
    assert [(c.verdict, c.a.text) for c in found] == [("agree", "316,000")]  # never "230,000" against it
    # The agreement above would hold unmarked too; here the previous value is nearest the other figure.
    plan, built = "The council has raised the number of homes it will build from 2,000 to 3,160.", \
        "The council will build 2,500 homes."
    found = compare_claims(plan, extract(nlp, plan), built, extract(nlp, built), alike)
    assert [(c.verdict, c.a.text, c.b.text) for c in found] == [("conflict", "3,160", "2,500")]


def test_compare_is_model_free_and_symmetric_in_verdict(nlp):
    a, b = PLEDGE.format("£7m"), PLEDGE.format("£9m")
    qa = [Quantity.from_dict(json.loads(json.dumps(q.to_dict()))) for q in extract(nlp, a)]
    qb = [Quantity.from_dict(json.loads(json.dumps(q.to_dict()))) for q in extract(nlp, b)]
    (ab,), (ba,) = compare_claims(a, qa, b, qb), compare_claims(b, qb, a, qa)
    assert ab.verdict == ba.verdict == "conflict"
    assert ab.reason == "£7m vs £9m: sum pledged"


def test_reason_names_the_dated_thing(nlp):
    (c,) = compare_claims(SANGATTE[2], extract(nlp, SANGATTE[2]), SANGATTE[1].replace("2002", "2003"),
                          extract(nlp, SANGATTE[1].replace("2002", "2003")))
    assert (c.reason, c.about) == ("2002 vs 2003: year Sangatte closed", "year Sangatte closed")


def cross_article_comparisons(nlp, paths: list[Path]) -> list[tuple[str, str, str, str, object]]:
    """Every comparison between sentences of different articles: (file_a, sent_a, file_b, sent_b, comparison)."""
    articles = {p.name: [(s.text, extract_quantities(s)) for s in nlp(p.read_text()).sents] for p in paths}
    out = []
    for fa, fb in itertools.combinations(sorted(articles), 2):
        for (ta, qa), (tb, qb) in itertools.product(articles[fa], articles[fb]):
            if qa and qb:
                out += [(fa, ta, fb, tb, c) for c in compare_claims(ta, qa, tb, qb)]
    return out


def test_seeds_have_no_conflicts_and_sangatte_agrees(nlp):
    found = cross_article_comparisons(nlp, sorted((ROOT / "seeds").glob("*.txt")))
    assert [c.reason for *_, c in found if c.verdict == "conflict"] == []
    sangatte = [(fa, fb) for fa, ta, fb, tb, c in found
                if c.kind == "date" and c.verdict == "agree" and c.about == "year Sangatte closed"]
    assert len(sangatte) == 3  # each pair of the three articles that say it


def test_fixtures_find_every_planted_pair_and_nothing_else(nlp):
    expected = json.loads((FIXTURES / "expected.json").read_text())
    found = cross_article_comparisons(nlp, sorted(FIXTURES.glob("*.txt")))

    def matches(e, fa, ta, fb, tb):
        return ({fa, fb} == {e["file_a"], e["file_b"]}
                and (e["sentence_a"] in ta and e["sentence_b"] in tb
                     or e["sentence_a"] in tb and e["sentence_b"] in ta))

    for e in expected:
        hits = [c for fa, ta, fb, tb, c in found if matches(e, fa, ta, fb, tb)]
        assert [(c.verdict, c.kind) for c in hits] == [(e["verdict"], e["kind"])], e
        assert {hits[0].a.text, hits[0].b.text} == {e["value_a"], e["value_b"]}
    unexpected = [c.reason for fa, ta, fb, tb, c in found
                  if c.verdict == "conflict" and not any(matches(e, fa, ta, fb, tb) for e in expected)]
    assert unexpected == []


@settings(max_examples=200, deadline=None)
@given(value=st.floats(allow_nan=False), low=st.floats(allow_nan=False), high=st.floats(allow_nan=False),
       context=st.lists(st.text(max_size=12), max_size=4))
def test_to_dict_round_trips_any_quantity(value, low, high, context):
    q = Quantity("x", 0, 1, "count", value, low, high, "", "migrant", tuple(context), "about")
    d = json.loads(json.dumps(q.to_dict(), allow_nan=False))
    assert Quantity.from_dict(d) == q


def test_scale_word_at_the_end_of_a_sentence_keeps_its_value_and_drops_the_full_stop(nlp):
    [money] = extract_quantities(next(nlp("Mrs May pledged £7m.").sents))
    assert (money.text, money.value, money.unit) == ("£7m", 7_000_000.0, "GBP")


@pytest.mark.parametrize("text", ["The deal was signed on 1st December 2004.", "It opened on December 22nd, 2003."])
def test_ordinal_days_in_dates(nlp, text):
    [date] = extract_quantities(next(nlp(text).sents))
    assert (date.kind, date.unit, math.floor(date.value)) == ("date", "day", int(text[-5:-1]))


@pytest.mark.parametrize("text, written, value", [
    ("The quake killed around a quarter of a million people.", "around a quarter of a million", 250_000),
    ("Half a million people were left homeless.", "Half a million", 500_000),
])
def test_a_share_of_a_scale_word_is_read(nlp, text, written, value):
    [q] = extract(nlp, text)
    assert (q.text, q.value) == (written, value)


def test_a_population_is_the_people_of_a_named_place_whatever_the_clause_says(nlp):
    a = "Power failures left Haiti, an impoverished nation of 8 million, cut off from the world."
    b = "The Red Cross said a third of Haiti's 9 million people require emergency aid."
    c = "Churchgoers walked to services throughout the capital of 3 million."
    [qa], [qb], [qc] = extract(nlp, a), extract(nlp, b), extract(nlp, c)
    assert qa.measure == qb.measure == "population of haiti #" and "population:haiti" in qa.context
    [found] = compare_claims(a, [qa], b, [qb], Setting(similarity=lambda x, y: 0.3))
    assert (found.verdict, found.a.text, found.b.text) == ("conflict", "8 million", "9 million")
    assert compare_claims(a, [qa], c, [qc], Setting(similarity=lambda x, y: 0.99)) == []  # "the capital": no name


def test_a_figure_that_describes_a_thing_is_its_property_whatever_happened_to_it(nlp):
    a = "More bodies were found in the rubble of a collapsed nine-storey building."
    b = "The eight-storey building near Dhaka collapsed on 24th April."
    c = "He hid in a four-storey house nearby."
    [qa], qb, [qc] = extract(nlp, a), [q for q in extract(nlp, b) if q.kind == "count"], extract(nlp, c)
    assert "describes" in qa.context and qa.measure == "collapsed # storey building"
    [found] = compare_claims(a, [qa], b, qb, Setting(similarity=lambda x, y: 0.6))
    assert (found.verdict, found.a.text, found.b.text) == ("conflict", "nine", "eight")
    assert compare_claims(a, [qa], c, [qc], Setting(similarity=lambda x, y: 0.95)) == []  # a house, not the building


def test_a_date_without_its_year_takes_the_year_of_its_article(nlp):
    from datetime import date
    a = "On April 23, 2013 the Rana Plaza building in Savar collapsed."
    b = "The Rana Plaza building collapsed on April 24."
    qa, qb = extract(nlp, a), extract(nlp, b)
    assert [q.unit for q in qb] == ["monthday"]
    dated = Setting(anchor_b=date(2013, 5, 14))
    [found] = compare_claims(a, qa, b, qb, dated)
    assert (found.verdict, found.kind) == ("conflict", "date")
    assert compare_claims(a, qa, b, qb) == []  # an undated article: the year is unknown, nothing compared
    assert compare_claims(a, qa, b, qb, Setting(anchor_b=date(2014, 5, 1))) != []  # a year on: still one event
    c = "The Rana Plaza building collapsed on April 24 last year."
    same = compare_claims(b, qb, c, extract(nlp, c), Setting(date(2013, 5, 14), date(2014, 4, 27)))
    assert [x.verdict for x in same] == ["agree"]  # two yearless dates compare by month and day


def test_a_distance_between_two_named_places_is_one_measure_and_its_directions_are_said(nlp):
    a = "The building collapsed in Savar, 25 km north-east of Dhaka, on April 24."
    b = "The recovery operation in Savar town, 30 kilometres (20 miles) south-west of Dhaka, entered its 17th day."
    qa = [q for q in extract(nlp, a) if q.kind == "measure"]
    qb = extract(nlp, b)
    assert [q.text for q in qb] == ["30 kilometres"]  # "(20 miles)" converts it: not a figure of its own
    assert qa[0].measure == qb[0].measure == "distance of savar from dhaka #"
    [found] = compare_claims(a, qa, b, qb, Setting(similarity=lambda x, y: 0.3))
    assert found.verdict == "conflict" and "directions differ too: northeast vs southwest" in found.reason


def test_sentences_run_together_without_a_space_are_two_sentences(nlp):
    doc = nlp("The victims included 58 Canadians.One million people were left homeless. He lives in the U.S. now.")
    assert [s.text for s in doc.sents][:2] == ["The victims included 58 Canadians.",
                                              "One million people were left homeless."]
    assert "U.S." in [t.text for t in doc]


def test_two_exact_figures_that_only_touch_disagree_but_bounds_that_touch_agree(nlp):
    def verdicts(a, b):
        return [c.verdict for c in compare_claims(a, extract(nlp, a), b, extract(nlp, b))]

    assert verdicts("The fire killed 111 workers last November.", "The fire killed 112 workers last November.") \
        == ["conflict"]
    assert verdicts("The storm killed as many as 29 people in Arabia.",
                    "The storm killed at least 29 people in Arabia.") == ["agree"]


def _mood_of(quantity: Quantity) -> str:
    return next((c[5:] for c in quantity.context if c.startswith("mood:")), "")


def test_a_figure_a_clause_only_expects_is_a_projection_but_a_past_fact_under_would_is_not(nlp):
    (expected,) = [q for q in extract(nlp, "Officials fear the toll could reach 200,000.") if q.kind == "count"]
    assert _mood_of(expected) == "projection"
    (past,) = [q for q in extract(nlp, "That would make it deadlier than the 150,000 people killed in the 1991 cyclone.")
               if q.kind == "count"]
    assert _mood_of(past) == ""  # "would" governs the comparison; the 150,000 were killed


def test_a_guess_put_as_a_question_is_a_projection_at_the_end_of_a_paragraph_too(nlp):
    """spaCy keeps a paragraph's closing line break in its last sentence: "300,000?\\n" still ends in "?"."""
    for text in ("Nobody knows how many bodies are buried in the rubble - 200,000, 300,000?",
                 "Nobody knows how many bodies are buried in the rubble - 200,000, 300,000?\nThe rescue went on.",
                 '"Nobody knows how many bodies are buried - 200,000, 300,000?"\n\nThe rescue went on.'):
        guesses = [q for q in extract(nlp, text) if q.kind == "count"]
        assert [_mood_of(q) for q in guesses] == ["projection", "projection"], text


DAY = date(2024, 3, 9)  # a Saturday: both reports of one day


def test_two_bounds_on_one_side_disagree_when_their_stated_ends_do(nlp):
    """ "at least 98" and "at least 176" still missing are two outlets' counts, not two compatible bounds."""
    def verdicts(a, b):
        return [c.verdict for c in compare_claims(a, extract(nlp, a), b, extract(nlp, b),
                                                  Setting(DAY, DAY, lambda x, y: 0.8))]

    assert verdicts("Officials said at least 98 people remained missing after the ferry sank.",
                    "Officials said at least 176 people were still missing after the ferry sank.") == ["conflict"]
    assert verdicts("The storm killed at least 1,000 people in the delta.",
                    "The storm killed at least 1,020 people in the delta.") == ["agree"]  # 1,000 is a round figure
    assert verdicts("The storm killed more than 300 people in the delta.",
                    "The storm killed 450 people in the delta.") == ["agree"]  # an exact figure within a bound


def test_a_tally_word_is_shared_whatever_its_form(nlp):
    """ "leaving at least six dead" and "five people died" both count the dead: phrases this far apart in words
    are compared when the tally is one and their embeddings are alike enough for one counted thing."""
    a, b = "The ferry sank off the cape late on Friday, leaving at least six dead.", \
        "In the chaotic evacuation that followed, five people died."
    [found] = compare_claims(a, extract(nlp, a), b, extract(nlp, b), Setting(DAY, DAY, lambda x, y: 0.5))
    assert (found.verdict, found.a.text, found.b.text) == ("conflict", "at least six", "five")
    assert compare_claims(a, extract(nlp, a), b, extract(nlp, b), Setting(DAY, DAY, lambda x, y: 0.3)) == []


def test_a_possessive_time_dates_the_event_not_the_count(nlp):
    from claimcheck.measures import _spans

    [q] = [q for q in extract(nlp, "The number of deaths in last year's flood was 3,180.") if q.value == 3180]
    assert _spans(q, None) == set()


def test_a_calendar_day_is_not_a_counting_window(nlp):
    """ "the 12 January quake" dates the quake; only "12 months" or "one night" would be a window of counting."""
    from claimcheck.measures import _spans

    [q] = [q for q in extract(nlp, "The toll from the 12 January quake passed 150,000.") if q.value == 150000]
    assert _spans(q, None) == set()
    [w] = [q for q in extract(nlp, "In the past 12 months 8,448 people arrived.") if q.value == 8448]
    assert _spans(w, None) != set()


@pytest.mark.parametrize("text, low, high", [
    ("Reshma, who is thought to be in her late teens, was pulled out alive.", 16.5, 19.5),
    ("Smith, who is in his 70s, said he would stay.", 69.5, 79.5),
    ("The driver, in his early twenties, was arrested.", 19.5, 23.5),
])
def test_an_age_told_by_its_decade_is_an_interval_of_years(nlp, text, low, high):
    [q] = extract(nlp, text)
    assert (q.kind, q.low, q.high) == ("age", low, high)


def test_a_decade_age_conflicts_with_an_age_outside_it_and_agrees_with_one_inside(nlp):
    def verdicts(a, b):
        setting = Setting(DAY, DAY, lambda x, y: 0.6)
        return [c.verdict for c in compare_claims(a, extract(nlp, a), b, extract(nlp, b), setting)]

    teens = "Reshma, who is thought to be in her late teens, was pulled out alive."
    assert verdicts("Reshma, 21, had worked on the third floor.", teens) == ["conflict"]
    assert verdicts("Reshma, 19, had worked on the third floor.", teens) == ["agree"]


def _parsed(nlp, words: list[str], heads: list[int], deps: list[str], pos: list[str]):
    """A sentence with the parse given (spaCy's small model makes these mistakes on real pages, not always on ours)."""
    from spacy.tokens import Doc

    lemmas = [{"were": "be", "housing": "house", "collapsed": "collapse"}.get(w, w.lower()) for w in words]
    sent_starts = [True] + [False] * (len(words) - 1)
    return Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos, lemmas=lemmas, sent_starts=sent_starts)


def test_a_sentence_opening_date_dates_the_main_clause_even_when_the_parse_hangs_it_on_a_participle(nlp):
    # "On April 3, a building housing shops collapsed." parsed with "On" under "housing", as the small model
    # parses a real page's "On April 23, 2013, an eight-story building housing several garment factories ..."
    words = ["On", "April", "3", ",", "a", "building", "housing", "shops", "collapsed", "."]
    heads = [6, 0, 1, 6, 5, 6, 8, 6, 8, 8]
    deps = ["prep", "pobj", "nummod", "punct", "det", "nsubj", "csubj", "dobj", "ROOT", "punct"]
    pos = ["ADP", "PROPN", "NUM", "PUNCT", "DET", "NOUN", "VERB", "NOUN", "VERB", "PUNCT"]
    doc = _parsed(nlp, words, heads, deps, pos)
    assert [t.text for t in frames.event_tokens(doc[1], {1, 2})] == ["collapsed"]
    # the same participle with no sentence-opening phrase keeps its own event: "shops" were housed
    assert [t.text for t in frames.event_tokens(doc[7], set())] == ["housing"]


def test_a_counted_thing_tied_by_a_preposition_to_another_figure_takes_its_own_clause(nlp):
    # "Nine were unaccounted among the 300 passengers who were aboard.": the 300 were aboard, not unaccounted
    words = ["Nine", "were", "unaccounted", "among", "the", "300", "passengers", "who", "were", "aboard", "."]
    heads = [1, 1, 1, 2, 6, 6, 3, 8, 6, 8, 1]
    deps = ["nsubj", "ROOT", "acomp", "prep", "det", "nummod", "pobj", "nsubj", "relcl", "advmod", "punct"]
    pos = ["NUM", "AUX", "ADJ", "ADP", "DET", "NUM", "NOUN", "PRON", "AUX", "ADV", "PUNCT"]
    doc = _parsed(nlp, words, heads, deps, pos)
    assert [t.i for t in frames.event_tokens(doc[6], {5})] == [8]
    assert [t.i for t in frames.event_tokens(doc[0], {0})] == [1]


def test_one_item_of_an_enumeration_of_counts_is_a_part_not_the_whole(nlp):
    def verdicts(a, b):
        days_apart = Setting(date(2013, 4, 28), date(2013, 5, 10), lambda x, y: 0.7)
        return [c.verdict for c in compare_claims(a, extract(nlp, a), b, extract(nlp, b), days_apart)]

    listed = "Police arrested three owners of the factories and two engineers of the council."
    owners, engineers = extract(nlp, listed)
    assert "listed" in owners.context and "listed" in engineers.context
    assert "listed" not in extract(nlp, "Police arrested 12 people after the collapse.")[0].context
    # Three owners and two engineers are a part of everyone arrested, not an earlier figure for it ...
    assert verdicts(listed, "Police arrested 12 people after the collapse.") == []
    # ... but still a count of owners, to follow in another outlet's count of owners.
    assert verdicts(listed, "Police arrested four owners of the factories.") == ["update"]


def test_the_ship_of_an_article_about_one_named_ship_is_that_ship(nlp):
    from claimcheck.segment import split_claims

    def ages(text):
        return [q for claim in split_claims(nlp(text)) for q in claim.quantities if q.kind == "age"]

    about_one = ("The cruise ship Ocean Star ran aground on Friday. Divers searched the cruise ship Ocean Star again."
                 " The ship, which is 5 years old, cost $500 million to build.")
    [age] = ages(about_one)
    assert age.measure == "age of ocean star #"
    other = "By Saturday the seven-year-old Ocean Star lay on its side."
    alike = Setting(date(2012, 1, 15), date(2012, 1, 14), lambda a, b: 0.6)
    [found] = compare_claims(about_one, [age], other, ages(other), alike)
    assert found.verdict == "conflict"
    # Another vessel named more often, or the ship named only once: "the ship" is not resolved.
    two = about_one.replace("Divers searched the cruise ship Ocean Star again.",
                            "The ferry Sea Bird came to help. The ferry Sea Bird took survivors.")
    assert [q.measure for q in ages(two)] == ["age of the ship #"]
    once = about_one.replace(" Divers searched the cruise ship Ocean Star again.", "")
    assert [q.measure for q in ages(once)] == ["age of the ship #"]

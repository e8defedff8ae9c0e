"""Time, model-free: article anchors, reference times resolved against them, conflict or update."""

import math
from datetime import date

import pytest

from claimcheck import relation, timeref
from claimcheck.quantities import Quantity

ANCHOR = date(2013, 5, 10)  # a Friday

RESOLVED = [
    ("on Saturday", ("2013-05-04", "2013-05-04")),
    ("friday", ("2013-05-10", "2013-05-10")),  # the article's own weekday is its day
    ("yesterday", ("2013-05-09", "2013-05-09")),
    ("last year", ("2012-01-01", "2012-12-31")),
    ("this year", ("2013-01-01", "2013-05-10")),
    ("last november", ("2012-11-01", "2012-11-30")),
    ("since april 20", ("2013-04-20", "2013-05-10")),
    ("24th april", ("2013-04-24", "2013-04-24")),
    ("december 2002", ("2002-12-01", "2002-12-31")),
    ("2004", ("2004-01-01", "2004-12-31")),
    ("a year ago", ("2012-05-10", "2012-05-10")),
]


@pytest.mark.parametrize("text, expected", RESOLVED)
def test_time_expressions_resolve_against_the_article_date(text, expected):
    assert timeref.resolve(text, ANCHOR) == expected


@pytest.mark.parametrize("published, text, expected", [
    ("2010-01-24", "", (date(2010, 1, 24), "published")),
    (None, "June 24, 2015\nThe camp closed.", (date(2015, 6, 24), "dateline")),
    (None, "DHAKA, April 25, 2013 - Rescuers dug on.", (date(2013, 4, 25), "dateline")),
    # a date inside the first sentence dates what it tells of, not the page
    (None, "On April 23, 2013, a building collapsed in Savar.", (None, "")),
])
def test_an_article_is_dated_by_its_front_matter_else_its_dateline(published, text, expected):
    assert timeref.article_anchor(published, text) == expected


def toll(value: float, phrase: str = "death toll rose to #", hedge: str = "", context: tuple = ()) -> Quantity:
    return Quantity(str(value), 0, 3, "count", value, value, value, "", "", context, hedge, phrase)


def bound(value: float, phrase: str) -> Quantity:
    """ "more than VALUE": a figure open above."""
    return Quantity(str(value), 0, 3, "count", value, value, math.inf, "", "", (), "more than", phrase)


@pytest.mark.parametrize("a, b, day_a, day_b, expected", [
    (toll(164), toll(290), date(2013, 4, 25), date(2013, 4, 26), "update"),  # a toll that rose
    (toll(12), toll(9), date(2013, 5, 10), date(2013, 5, 13), "conflict"),  # a cumulative count cannot fall
    (toll(1043), toll(1034), ANCHOR, ANCHOR, "conflict"),  # same day, a transposed digit
    (toll(164), toll(243), ANCHOR, ANCHOR, None),  # same day, may have risen within it: left alone
    (toll(24, "# still missing"), toll(17, "# still missing"), date(2012, 1, 16), date(2012, 1, 23), "update"),
    (toll(8, "# storey building"), toll(9, "# storey building"), date(2013, 5, 10), date(2013, 5, 13), "conflict"),
    (toll(200000, hedge="an estimated"), toll(150000), date(2010, 1, 21), date(2010, 1, 24), None),
    # A later bound the earlier figure already meets restates it; a later bound above it is a rise.
    (bound(2400, "# people were injured"), bound(2000, "injured over # others"), date(2013, 5, 8), date(2019, 4, 24),
     None),
    (toll(1134, "crushed # people to death"), bound(1100, "# people died"), date(2013, 5, 13), date(2018, 4, 24), None),
    (bound(6, "# dead"), bound(11, "# dead"), date(2012, 1, 14), date(2012, 1, 17), "update"),
    (bound(500, "# still missing"), bound(100, "# still missing"), date(2012, 1, 14), date(2012, 1, 18), "update"),
])
def test_conflict_or_update_by_time_and_kind_of_measure(a, b, day_a, day_b, expected):
    decided = relation.relation(a, b, False, day_a, day_b)
    assert (decided[0] if decided else None) == expected


def test_figures_of_two_different_past_events_are_not_compared():
    fire_2012 = toll(111, "fire killed # workers", context=("when:november 2012",))
    fire_2005 = toll(64, "collapse killed # workers", context=("when:2005",))
    assert relation.relation(fire_2012, fire_2005, False, ANCHOR, ANCHOR) is None


def test_ages_grow_with_the_date_between_reports():
    age = lambda v: Quantity(str(v), 0, 2, "age", v, v, v, "year", "", (), "", "age of schettino #")  # noqa: E731
    assert relation.relation(age(52), age(54), False, date(2012, 1, 17), date(2015, 2, 11))[0] == "update"
    assert relation.relation(age(21), age(23), False, date(2013, 5, 10), date(2013, 5, 12))[0] == "conflict"


def test_one_range_restated_on_an_undated_page_conflicts_but_other_tallies_are_not_told():
    def between(low, high):
        return Quantity(f"{low}-{high}", 0, 3, "count", (low + high) / 2, low, high, "", "", (), "between",
                        "study put death toll at #")
    dated, undated = date(2011, 5, 31), None
    assert relation.relation(between(45000, 85000), between(46000, 85000), False, undated, dated)[0] == "conflict"
    assert relation.relation(between(45000, 85000), between(200000, 300000), False, undated, dated) is None
    assert relation.relation(between(45000, 50000), between(46000, 85000), False, undated, dated) is None  # other ends
    assert relation.relation(toll(318000), toll(316000), False, undated, dated) is None  # cannot tell when


def test_on_undated_pages_a_written_year_dates_the_event_a_figure_is_about():
    tsunami = lambda v, ctx: toll(v, "tsunami killed # people", context=ctx)  # noqa: E731
    told_twice = relation.relation(tsunami(200000, ("when:2004",)), tsunami(250000, ("when:2004", "dated:2004")),
                                   False, None, None)
    assert told_twice[0] == "conflict"  # the final toll of one past event
    assert relation.relation(tsunami(200000, ("when:2004",)), toll(250000), False, None, None) is None


def test_one_range_restated_is_one_measure_however_its_clauses_are_worded():
    from claimcheck.measures import Setting, compare_claims

    def between(low, high, phrase):
        return Quantity(f"between {low} and {high}", 0, 9, "count", (low + high) / 2, low, high, "", "", (),
                        "between", phrase)
    study = between(45000, 85000, "report shows # people perished")
    copied = between(46000, 85000, "death toll was #")
    unlike = Setting(None, date(2011, 5, 31), lambda a, b: 0.2)  # phrases far apart
    [found] = compare_claims("a", [study], "b", [copied], unlike)
    assert found.verdict == "conflict"
    assert compare_claims("a", [study], "b", [between(45000, 50000, "death toll was #")], unlike) == []


def test_tents_handed_out_are_aid_delivered_not_people_living_in_camps():
    assert relation.tally_of("# families received tents") == ""
    assert relation.tally_of("agencies distributed # tents") == ""
    assert relation.tally_of("# people still live in tent cities") == "in camps"
    assert relation.tally_of("camps now house # people") == "in camps"
    from claimcheck.measures import Setting, compare_claims

    housed, given = toll(90000, "camps now house # people"), toll(40000, "# people received tents")
    alike = Setting(date(2010, 1, 21), date(2010, 2, 10), lambda a, b: 0.6)
    assert compare_claims("a", [housed], "b", [given], alike) == []
    # People living in camps are still one stock, whose figure can fall.
    [found] = compare_claims("a", [housed], "b", [toll(60000, "# people still live in camps")], alike)
    assert found.verdict == "update"

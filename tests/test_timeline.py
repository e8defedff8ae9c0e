"""Pure functions behind the review page: measures over time, ClaimReview JSON-LD, chart geometry."""

import pytest

from claimcheck import chart, claimreview, timeline


def flag(id_, a, b, va, vb, na, nb, about="migrants in Calais", kind="numeric", **extra):
    return {"id": id_, "kind": kind, "verdict": extra.pop("verdict", "conflict"), "article_a": a, "article_b": b,
            "value_a": va, "value_b": vb, "norm_a": na, "norm_b": nb, "about": about, "text_a": f"{va} in {a}.",
            "text_b": f"{vb} in {b}.", "reason": f"{va} vs {vb}", **extra}


ARTICLES = {"x.txt": {"outlet": "Observer", "published": "2015-07-30"},
            "y.txt": {"outlet": "Gazette", "published": "2015-07-01"},
            "z.txt": {"outlet": None, "published": None}}


def test_a_measure_is_one_timeline_of_its_points_in_date_order_undated_last():
    flags = [flag("f1", "x.txt", "y.txt", "5,000", "3,000", "[4250, 5750]", "[2550, 3450]"),
             flag("f2", "z.txt", "x.txt", "9,000", "5,000", "9000", "[4250, 5750]")]
    [line] = timeline.timelines(flags, ARTICLES)
    assert line.measure == "migrants in Calais" and line.kind == "numeric" and line.has_conflict
    assert [(p.date, p.article, p.value, p.number) for p in line.points] == [
        ("2015-07-01", "y.txt", "3,000", 3000.0), ("2015-07-30", "x.txt", "5,000", 5000.0),
        (None, "z.txt", "9,000", 9000.0)]  # x.txt's 5,000 appears in two flags but is one point
    assert line.points[0].outlet == "Gazette"


def test_updates_use_the_values_reference_time_and_source_and_come_first():
    flags = [flag("c1", "x.txt", "y.txt", "2002", "2003", "[2002, 2003] year", "[2003, 2004] year",
                  about="year Sangatte closed", kind="date"),
             flag("u1", "y.txt", "x.txt", "7,000", "8,448", "7000", "8448", about="small boat arrivals",
                  relation="update", measure="migrants arrived by small boat", time_a="2019-12-31",
                  time_b="2020-08-01", source_a="Home Office", source_b=None)]
    first, second = timeline.timelines(flags, ARTICLES)
    assert first.measure == "migrants arrived by small boat" and not first.has_conflict
    assert [(p.date, p.value, p.source, p.relation) for p in first.points] == [
        ("2019-12-31", "7,000", "Home Office", "update"), ("2020-08-01", "8,448", None, "update")]
    assert second.kind == "date" and [p.number for p in second.points] == [2003.0, 2002.0]


def test_revisions_and_attributions_make_no_timeline():
    flags = [flag("r1", "x.txt", "y.txt", "5", "6", "5", "6", verdict="revision"),
             flag("a1", "x.txt", "y.txt", "Mrs May", "the MP", "Theresa May", "Charlie Elphicke", kind="attribution")]
    assert timeline.timelines(flags, ARTICLES) == []


@pytest.mark.parametrize("flag_row, relation", [
    ({"verdict": "conflict"}, "conflict"), ({"verdict": "revision"}, "revision"),
    ({"verdict": "conflict", "relation": "update"}, "update"), ({"verdict": "revision", "relation": None}, "revision"),
])
def test_relation_defaults_from_the_verdict(flag_row, relation):
    assert timeline.relation_of(flag_row) == relation


@pytest.mark.parametrize("norm, number", [
    ("9e+06 GBP", 9e6), ("39000", 39000.0), ("[4250, 5750]", 5000.0), ("[2002, 2003] year", 2002.0),
    ("[2002.92, 2003] month", 2002.92), ("[5000, ]", 5000.0), ("Theresa May", None), (None, None), ("", None),
])
def test_number_of_a_normalised_value(norm, number):
    assert timeline.number_of(norm) == number


def test_chart_places_dots_in_date_order_with_heights_by_value():
    flags = [flag("f1", "x.txt", "y.txt", "5,000", "3,000", "5000", "3000")]
    [line] = timeline.timelines(flags, ARTICLES)
    drawn = chart.chart(line)
    low, high = drawn.dots
    assert low.x < high.x and low.y > high.y  # later and higher value: right and up (SVG y grows down)
    assert low.label == "2015-07-01 · Gazette" and drawn.line == ""  # a conflict is not a trend: no line
    assert [label for _, label in drawn.ticks] == ["3,000", "4,000", "5,000"]
    updates = timeline.timelines([flag("u1", "y.txt", "x.txt", "7,000", "8,448", "7000", "8448", relation="update")], ARTICLES)
    first, second = chart.chart(updates[0]).dots
    assert chart.chart(updates[0]).line == f"M{first.x},{first.y} L{second.x},{second.y}"


def test_claimreview_has_one_review_per_claim_of_each_confirmed_flag():
    articles = {"x.txt": {"title": "Calais tonight", "outlet": "Observer", "published": "2015-07-30",
                          "url": "https://observer.example/calais"},
                "y.txt": {"title": None, "outlet": None, "published": None, "url": "javascript:alert(1)"}}
    confirmed = flag("f1", "x.txt", "y.txt", "5,000", "3,000", "5000", "3000", status="confirmed",
                     note="The prefecture counted 3,000", reviewer="ana", decided_at="2026-12-01T10:00:00+00:00")
    still_open = flag("f2", "x.txt", "y.txt", "1", "2", "1", "2", status="open")
    first, second = claimreview.claim_reviews([confirmed, still_open], articles)
    assert first["@context"] == "https://schema.org" and first["@type"] == "ClaimReview"
    assert first["claimReviewed"] == "5,000 in x.txt." and second["claimReviewed"] == "3,000 in y.txt."
    assert first["reviewBody"] == "The prefecture counted 3,000" and first["author"] == {"@type": "Person", "name": "ana"}
    assert first["datePublished"] == "2026-12-01"
    assert first["itemReviewed"]["appearance"] == {
        "@type": "NewsArticle", "name": "Calais tonight", "url": "https://observer.example/calais",
        "datePublished": "2015-07-30", "publisher": {"@type": "Organization", "name": "Observer"}}
    assert first["itemReviewed"]["datePublished"] == "2015-07-30"
    assert "url" not in second["itemReviewed"]["appearance"]  # a javascript: address is never published
    assert first["reviewRating"]["alternateName"] == "Disputed"
    assert "3,000 in y.txt" in first["reviewRating"]["ratingExplanation"]


def test_a_figure_many_outlets_give_two_ways_is_one_disputed_line_in_the_report():
    from types import SimpleNamespace

    from claimcheck import report_flags

    storeys = dict(about="storeys of the building")
    flags = [flag(f"s{n}", a, b, va, vb, na, nb, **storeys) for n, (a, b, va, vb, na, nb) in enumerate([
        ("x.txt", "y.txt", "nine", "eight", "9", "8"), ("x.txt", "z.txt", "nine", "8", "9", "8"),
        ("w.txt", "y.txt", "9", "eight", "9", "8")])]
    data = SimpleNamespace(articles=[{"name": n, **ARTICLES.get(n, {})} for n in ("w.txt", "x.txt", "y.txt", "z.txt")])
    table = report_flags.disputes(flags, data)
    assert "| storeys of the building | eight (2) · nine (2) | 3 |" in table
    assert report_flags.disputes(flags[:1], data) == ""  # one pair: its flag says it all


def test_an_update_that_skips_a_date_its_measure_has_between_is_a_span():
    """15 missing on the 15th, 29 on the 16th, 22 on the 18th: 15 -> 22 says nothing the two steps do not."""
    dated = {"a.txt": {"published": "2012-01-15"}, "b.txt": {"published": "2012-01-16"},
             "c.txt": {"published": "2012-01-18"}, "d.txt": {"published": "2012-01-18"}}
    flags = [flag("ab", "a.txt", "b.txt", "15", "29", "15", "29", relation="update"),
             flag("bc", "b.txt", "c.txt", "29", "22", "29", "22", relation="update"),
             flag("ac", "a.txt", "c.txt", "15", "22", "15", "22", relation="update"),
             flag("cd", "c.txt", "d.txt", "22", "21", "22", "21"),  # one day: a conflict, never a span
             flag("ad", "a.txt", "d.txt", "15", "21", "15", "21", relation="update", time_b="2012-01-16")]
    assert timeline.spanning_updates(flags, dated) == {"ac"}  # "ad" is dated by its own time: the 16th


def test_the_report_lists_a_dispute_once_with_a_few_flags_for_each_pair_of_values():
    from claimcheck import report_flags

    shown = report_flags.SAME_VALUES_SHOWN
    names = [f"{n}.txt" for n in range(shown + 4)]
    # One building, eight storeys in one article and nine in every other: a flag for each pair, under two phrasings.
    flags = [flag(f"s{n}", names[0], name, "eight", "nine", "8", "9", about=("storey building", "storey complex")[n % 2],
                  confidence=0.9 - n / 100, status="open", article_id_a=0, article_id_b=n, line_a=1, line_b=1, similarity=0.6)
             for n, name in enumerate(names[1:], start=1)]
    flags.append(flag("d1", names[1], names[2], "nine", "ten", "9", "10", about="storey complex", confidence=0.5,
                      status="open", article_id_a=1, article_id_b=2, line_a=1, line_b=1, similarity=0.6))
    listed = report_flags.flag_groups(flags, {}, timeline.timelines(flags, {name: {} for name in names}))
    assert listed.count("#### ") == 1  # both phrasings and the "nine" vs "ten" flag: one dispute, one heading
    assert [f"`s{n}`" in listed for n in range(1, len(names))] == [n <= shown for n in range(1, len(names))]
    assert "`d1`" in listed  # other values are shown whatever the count of the first pair
    assert f"… and {len(names) - 1 - shown} more flag(s) giving the same values" in listed
    # Without timelines (revisions between copies have none), flags go by what they are about, each shown.
    by_about = report_flags.flag_groups(flags, {})
    assert by_about.count("#### ") == 2 and all(f"`s{n}`" in by_about for n in range(1, len(names)))

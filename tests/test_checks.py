"""The checks on hand-built pairs: what a comparison decides (relation, times, sources) reaches the finding."""

import json
from datetime import date

from claimcheck import checks, quantities
from claimcheck.attribution import AliasTable
from claimcheck.measures import Setting
from claimcheck.quantity_check import QuantityCheck

Q = quantities.Quantity


def _pair(text_a: str, qa: list, text_b: str, qb: list) -> dict:
    return {"id": 7, "claim_a": 1, "claim_b": 2, "similarity": 0.8, "text_a": text_a, "text_b": text_b,
            "quantities_a": json.dumps([q.to_dict() for q in qa]), "quantities_b": json.dumps([q.to_dict() for q in qb]),
            "attribution_a": None, "attribution_b": None}


def check_pair(pair: dict, aliases: AliasTable, copies: bool, setting: Setting) -> list[checks.Finding]:
    return checks.check_pair(pair, QuantityCheck(), checks.Context(aliases, setting), copies)


def toll(text: str, value: float, source: str = "") -> Q:
    return Q(text, 10, 10 + len(text), "count", value, value, value, "", "people", ("event:die",), "",
             "# people died", source)


A = toll("3,000", 3000, source="the health ministry")
B = toll("5,000", 5000)
TEXT_A, TEXT_B = "The health ministry said 3,000 people died.", "Officials said 5,000 people died."
DAY_1, DAY_5 = date(2010, 1, 13), date(2010, 1, 17)


def test_a_toll_that_rose_between_two_dates_is_an_update_with_its_times_and_sources():
    [finding] = check_pair(_pair(TEXT_A, [A], TEXT_B, [B]), AliasTable(), False, Setting(DAY_1, DAY_5))
    assert (finding.relation, finding.time_a, finding.time_b, finding.source_a, finding.source_b) == (
        "update", "2010-01-13", "2010-01-17", "the health ministry", None)
    assert finding.measure and checks.flag_row(finding)["relation"] == "update"


def test_the_same_toll_on_the_same_day_is_a_conflict_when_close_and_left_alone_when_it_may_have_risen():
    close_a, close_b = toll("1,043", 1043), toll("1,034", 1034)
    [finding] = check_pair(_pair(TEXT_A, [close_a], TEXT_B, [close_b]), AliasTable(), False,
                                  Setting(DAY_1, DAY_1))
    assert finding.relation == "conflict"  # a transposed digit, not a toll that rose within the day
    assert check_pair(_pair(TEXT_A, [A], TEXT_B, [B]), AliasTable(), False, Setting(DAY_1, DAY_1)) == []


def test_a_toll_that_fell_days_later_is_a_conflict_and_between_copies_a_revision():
    later_lower = check_pair(_pair(TEXT_B, [B], TEXT_A, [A]), AliasTable(), False, Setting(DAY_1, DAY_5))
    assert [f.relation for f in later_lower] == ["conflict"]
    [revision] = check_pair(_pair(TEXT_A, [A], TEXT_B, [B]), AliasTable(), True, Setting(DAY_1, DAY_5))
    assert (revision.verdict, revision.relation) == ("revision", "revision")

"""The checks on hand-built pairs: what a comparison carries reaches the finding."""

import dataclasses
import json

from claimcheck import checks, quantities
from claimcheck.attribution import AliasTable

Q = quantities.Quantity


def _pair(text_a: str, qa: list, text_b: str, qb: list) -> dict:
    return {"id": 7, "claim_a": 1, "claim_b": 2, "similarity": 0.8, "text_a": text_a, "text_b": text_b,
            "quantities_a": json.dumps([q.to_dict() for q in qa]), "quantities_b": json.dumps([q.to_dict() for q in qb]),
            "attribution_a": None, "attribution_b": None}


A = Q("3,000", 10, 15, "count", 3000, 3000, 3000, "", "migrant")
B = Q("5,000", 10, 15, "count", 5000, 5000, 5000, "", "migrant")


def test_relation_times_and_sources_of_a_comparison_are_copied_onto_the_finding(monkeypatch):
    @dataclasses.dataclass(frozen=True)
    class Dated(quantities.QuantityComparison):
        relation: str = "update"
        measure: str = "migrants camped in Calais"
        time_a: str = "2015-07"
        time_b: str = "2015-08"
        source_a: str = "the Home Office"
        source_b: str | None = None

    monkeypatch.setattr(quantities, "compare_claims", lambda *args: [
        Dated(A, B, "conflict", "numeric", 0.9, "3,000 vs 5,000", "migrants in Calais")])
    [finding] = checks.check_pair(_pair("x", [A], "y", [B]), AliasTable(), copies=False)
    assert (finding.relation, finding.measure, finding.time_a, finding.time_b, finding.source_a, finding.source_b) == (
        "update", "migrants camped in Calais", "2015-07", "2015-08", "the Home Office", None)
    assert checks.flag_row(finding)["relation"] == "update"


def test_a_comparison_without_those_fields_gives_a_conflict_measured_by_its_about(monkeypatch):
    plain = quantities.QuantityComparison(A, B, "conflict", "numeric", 0.9, "3,000 vs 5,000", "migrants in Calais")
    monkeypatch.setattr(quantities, "compare_claims", lambda *args: [plain])
    [finding] = checks.check_pair(_pair("x", [A], "y", [B]), AliasTable(), copies=False)
    assert (finding.relation, finding.measure, finding.time_a, finding.source_b) == (
        "conflict", "migrants in Calais", None, None)
    [revision] = checks.check_pair(_pair("x", [A], "y", [B]), AliasTable(), copies=True)
    assert (revision.verdict, revision.relation) == ("revision", "revision")

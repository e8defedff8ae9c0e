"""End-to-end on hand-written articles in the shape of real news: one invented ferry fire told by six dated outlets.

tests/data/realshape/expected.json lists the article dates and pairs of sentences with a verdict: "conflict" (must be
flagged as a conflict), "update" (a figure that changed between dates: flagged as an update, never as a conflict) or
"none" (never flagged as a conflict). A pair may name `value_a`/`value_b` when its sentences hold several figures:
then only the flags between those two figures count.

Not asserted (product gaps at the time of writing): "There were 436 people on board" (island_courier) is not
compared with "carrying 412 passengers and crew" (avel_herald); the age "Captain Alasdair Reid, 58, has worked on
the Inchmorra route" (northern_post) is not compared with "Alasdair Reid, 54, was among the last" (avel_herald); and
the licensed capacity ("licensed to carry 600/700 passengers") is flagged against the people aboard (412, 436).
"""

import json
from pathlib import Path

import pytest

from claimcheck import embed, pipeline, store
from claimcheck.config import Settings

pytestmark = pytest.mark.e2e
FOLDER = Path(__file__).parent / "data" / "realshape"
EXPECTED = json.loads((FOLDER / "expected.json").read_text())
PAIRS = EXPECTED["pairs"]
DATES = EXPECTED["dates"]


@pytest.fixture(scope="session")
def realshape_flags(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The real pipeline with the real model over the folder, run once for the session."""
    folder = tmp_path_factory.mktemp("realshape")
    settings = Settings(db_path=folder / "realshape.db")
    db = store.open_db(settings.db_path)
    real = embed.load_embedder(settings.model)
    pipeline.run_report(db, settings, [FOLDER], folder / "report.md", embedder=real)
    flags = store.flags(db)
    db.close()
    return flags


def _matches(row: dict, item: dict) -> bool:
    """The flag joins the item's two sentences (either way round) and, when the item names them, its two figures."""
    for a, b in (("a", "b"), ("b", "a")):
        if (row["article_a"], row["article_b"]) != (item[f"file_{a}"], item[f"file_{b}"]):
            continue
        if item[f"sentence_{a}"] not in row["text_a"] or item[f"sentence_{b}"] not in row["text_b"]:
            continue
        if "value_a" in item and (row["value_a"], row["value_b"]) != (item[f"value_{a}"], item[f"value_{b}"]):
            continue
        return True
    return False


def _found(flags: list[dict], item: dict) -> list[dict]:
    return [f for f in flags if f["kind"] == item["kind"] and _matches(f, item)]


def _label(item: dict) -> str:
    return f"{item['case']}: {item['file_a']} vs {item['file_b']}"


def test_the_fixture_covers_every_verdict_and_names_real_sentences():
    texts = {path.name: path.read_text() for path in FOLDER.iterdir() if path.name != "expected.json"}
    assert set(texts) == set(DATES)
    assert {item["verdict"] for item in PAIRS} == {"conflict", "update", "none"}
    for item in PAIRS:
        for side in "ab":
            assert item[f"sentence_{side}"] in texts[item[f"file_{side}"]], _label(item)
            if f"value_{side}" in item:
                assert item[f"value_{side}"] in item[f"sentence_{side}"], _label(item)


@pytest.mark.parametrize("item", [p for p in PAIRS if p["verdict"] == "conflict"], ids=lambda p: p["case"])
def test_planted_conflicts_are_flagged_as_conflicts(realshape_flags, item):
    found = _found(realshape_flags, item)
    assert found, f"missed conflict, {_label(item)}"
    assert all(f["relation"] == "conflict" for f in found), [f["reason"] for f in found]


@pytest.mark.parametrize("item", [p for p in PAIRS if p["verdict"] == "update"], ids=lambda p: p["case"])
def test_a_rising_death_toll_is_an_update_never_a_conflict(realshape_flags, item):
    found = _found(realshape_flags, item)
    assert found, f"missed update, {_label(item)}"
    assert all(f["relation"] == "update" for f in found), [f["reason"] for f in found]


@pytest.mark.parametrize("item", [p for p in PAIRS if p["verdict"] == "none"], ids=lambda p: p["case"])
def test_different_or_compatible_figures_and_quotes_are_never_conflicts(realshape_flags, item):
    found = [f for f in _found(realshape_flags, item) if f["relation"] == "conflict"]
    assert not found, f"flagged as a conflict, {_label(item)}: {[f['reason'] for f in found]}"


def test_numeric_flags_carry_the_dates_of_their_articles(realshape_flags):
    numeric = [f for f in realshape_flags if f["kind"] == "numeric"]
    assert numeric
    for flag in numeric:
        assert (flag["time_a"], flag["time_b"]) == (DATES[flag["article_a"]], DATES[flag["article_b"]]), flag["reason"]
    updates = [f for f in numeric if f["relation"] == "update"]
    assert updates and all(f["time_a"] != f["time_b"] for f in updates)


def test_the_update_reason_reads_from_the_earlier_date_to_the_later(realshape_flags):
    item = next(p for p in PAIRS if p["case"] == "death toll, day 2 -> day 4")
    [flag] = _found(realshape_flags, item)
    assert "19 (2026-03-13) -> 23 (2026-03-15)" in flag["reason"]

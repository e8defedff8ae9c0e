"""End-to-end with the real model: the seeds, the hand-made conflict and attribution articles, the CLI."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck import embed, pipeline, search, store
from claimcheck.cli import app
from claimcheck.config import SEEDS_DIR, Settings

pytestmark = pytest.mark.e2e
DATA = Path(__file__).parent / "data"
SEED_NAMES = sorted(path.name for path in SEEDS_DIR.glob("*.txt"))


def test_seed_report_names_all_five_articles(seeds_run):
    _, _, result, _ = seeds_run
    markdown = result.path.read_text()
    assert len(SEED_NAMES) == 5
    for name in SEED_NAMES:
        assert name.replace("_", "\\_") in markdown


def test_sangatte_2002_is_corroborated_by_three_seed_articles(seeds_run):
    _, db, result, _ = seeds_run
    sangatte = [a for a in store.agreements(db) if "Sangatte" in a["about"] and a["kind"] == "date"]
    articles = {a["article_a"] for a in sangatte} | {a["article_b"] for a in sangatte}
    assert articles == {"000_9f8486816fdba1ea.txt", "001_73a1f9b92a17632e.txt", "004_5b514aafaa0a4644.txt"}
    assert all(a["value_a"].endswith("2002") and a["value_b"].endswith("2002") for a in sangatte)
    assert "year Sangatte closed — 3 articles agree" in result.path.read_text()


def test_seeds_raise_no_false_numeric_or_date_flags(seeds_run):
    _, db, _, _ = seeds_run
    numeric = [(f["value_a"], f["value_b"], f["reason"]) for f in store.flags(db) if f["kind"] in {"numeric", "date"}]
    # The five seeds report different measures (3,000 in the area vs 8,448 arrivals this year, ...):
    # a careful reader finds no genuine numeric or date disagreement between them.
    assert numeric == []


def test_query_finds_the_sangatte_sentences_of_several_seed_articles(seeds_run):
    settings, db, _, real = seeds_run
    [hits] = search.query(db, settings, ["When did the Sangatte camp close?"], k=5, embedder=real)
    with_2002 = {hit["article"] for hit in hits if "2002" in hit["text"] and "Sangatte" in hit["text"]}
    assert len(with_2002) >= 2


def test_rerun_on_unchanged_seeds_loads_no_model_and_embeds_nothing(seeds_run, tmp_path):
    settings, db, _, _ = seeds_run
    before = store.counts(db)
    fresh = embed.load_embedder(settings.model)
    again = pipeline.run_report(db, settings, [SEEDS_DIR], tmp_path / "again.md", embedder=fresh)
    assert again.compared.embedded == 0 and again.compared.new_pairs == 0
    assert "model" not in vars(fresh) and "onnx" not in vars(fresh), "no model may load when nothing is new"
    assert store.counts(db) == before


def _flags_for(folder: Path, real, tmp_path: Path):
    settings = Settings(db_path=tmp_path / f"{folder.name}.db")
    db = store.open_db(settings.db_path)
    pipeline.run_report(db, settings, [folder], tmp_path / f"{folder.name}.md", embedder=real)
    return db


def _matches(row: dict, expected: dict) -> bool:
    forward = (row["article_a"], row["article_b"]) == (expected["file_a"], expected["file_b"]) and \
        expected["sentence_a"] in row["text_a"] and expected["sentence_b"] in row["text_b"]
    backward = (row["article_a"], row["article_b"]) == (expected["file_b"], expected["file_a"]) and \
        expected["sentence_b"] in row["text_a"] and expected["sentence_a"] in row["text_b"]
    return forward or backward


def test_planted_numeric_and_date_conflicts_are_all_found_and_equivalences_never_flagged(seeds_run, tmp_path):
    real = seeds_run[3]
    db = _flags_for(DATA / "conflicts", real, tmp_path)
    expected = json.loads((DATA / "conflicts" / "expected.json").read_text())
    flags = [f for f in store.flags(db) if f["kind"] in {"numeric", "date"}]
    for item in expected:
        found = [f for f in flags if _matches(f, item) and f["kind"] == item["kind"]]
        if item["verdict"] == "conflict":
            assert found, f"missed conflict {item['value_a']} vs {item['value_b']}"
        else:
            assert not found, f"equivalence flagged: {item['value_a']} vs {item['value_b']}"
    planted = [item for item in expected if item["verdict"] == "conflict"]
    unexpected = [f for f in flags if not any(_matches(f, item) for item in planted)]
    assert unexpected == []


def test_moved_quotes_are_flagged_and_faithful_requotes_are_not(seeds_run, tmp_path):
    real = seeds_run[3]
    db = _flags_for(DATA / "attribution", real, tmp_path)
    expected = json.loads((DATA / "attribution" / "expected.json").read_text())
    flags = [f for f in store.flags(db) if f["kind"] == "attribution"]
    for item in expected:
        found = [f for f in flags if _matches(f, item)]
        if item["verdict"] == "conflict":
            assert found, f"missed attribution conflict {item['speaker_a']} vs {item['speaker_b']}"
        else:
            assert not found, f"faithful re-quote flagged: {item['speaker_a']} vs {item['speaker_b']}"


def test_cli_report_with_no_arguments_uses_the_seeds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(app, ["report"])
    assert first.exit_code == 0, first.output
    report = tmp_path / "reports" / "report.md"
    assert "Report written to reports/report.md" in first.output
    assert all(name.replace("_", "\\_") in report.read_text() for name in SEED_NAMES)
    second = runner.invoke(app, ["report"])
    assert "0 new" in second.output and "0 embedded" in second.output
    flags = json.loads(runner.invoke(app, ["flags", "--json"]).output)
    assert isinstance(flags, list)

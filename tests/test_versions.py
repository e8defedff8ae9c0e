"""One registry of checks for every path, and results that know the version of the code that made them."""

import json

import pytest
from typer.testing import CliRunner

from claimcheck import checks, direct, facts, pipeline, store
from claimcheck.cli import app
from claimcheck.quantity_check import QuantityCheck


def run(db, settings, paths, embedder, tmp_path):
    return pipeline.run_report(db, settings, paths, tmp_path / "report.md", embedder=embedder)


class FirstWordCheck:
    """A test check: two paired claims that open with different words disagree on their first word."""

    name = "first-word"
    version = "1"
    reads = ()

    def compare(self, a, b, context):
        first_a, first_b = a.text.split()[0], b.text.split()[0]
        if first_a != first_b:
            yield checks.Outcome(kind="first-word", verdict="conflict", value_a=first_a, value_b=first_b,
                                 about="opening word", confidence=0.5, reason=f"{first_a} vs {first_b}")


@pytest.fixture
def first_word():
    check = checks.register(FirstWordCheck())  # the one line a new check needs
    yield check
    checks.unregister(check.name)


def test_a_check_registered_in_one_line_runs_in_the_corpus_and_in_check(db, settings, embedder, basic_dir, tmp_path,
                                                                         first_word, fake_model):
    run(db, settings, [basic_dir], embedder, tmp_path)
    # Flag ids come from content: two pairs of the same two sentences make one flag.
    expected = {frozenset([p["text_a"], p["text_b"]]) for p in store.pairs(db)
                if p["text_a"].split()[0] != p["text_b"].split()[0]}
    found = {frozenset([f["text_a"], f["text_b"]]) for f in store.flags(db) if f["kind"] == "first-word"}
    assert expected and found == expected
    assert {f["check_name"] for f in store.flags(db) if f["kind"] == "first-word"} == {"first-word"}
    [result] = direct.check_texts([("Police closed the camp.", "Officials closed the camp.")], settings, embedder)
    assert [(f["kind"], f["value_a"], f["value_b"]) for f in result["flags"]] == [("first-word", "Police", "Officials")]
    cli = CliRunner().invoke(app, ["check", "Police closed the camp.", "Officials closed the camp.", "--json"])
    assert [f["kind"] for f in json.loads(cli.output)["flags"]] == ["first-word"]


def test_a_check_added_to_an_existing_database_examines_every_stored_pair_once(db, settings, embedder, basic_dir,
                                                                               tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    checks.register(FirstWordCheck())
    try:
        first = run(db, settings, [basic_dir], embedder, tmp_path).compared
        assert first.checked_pairs == store.counts(db)["pairs"] and first.notes == []
        assert run(db, settings, [basic_dir], embedder, tmp_path).compared.checked_pairs == 0
    finally:
        checks.unregister("first-word")


def test_a_new_check_version_rechecks_its_pairs_says_so_and_keeps_reviews(db, settings, embedder, basic_dir, tmp_path,
                                                                         monkeypatch):
    run(db, settings, [basic_dir], embedder, tmp_path)
    before = {f["id"] for f in store.flags(db)}
    flag_id = sorted(before)[0]
    with store.transaction(db):
        store.save_review(db, flag_id, "confirmed", "checked the sources", "ana")
    monkeypatch.setattr(QuantityCheck, "version", QuantityCheck.version + ".next")
    compared = run(db, settings, [basic_dir], embedder, tmp_path).compared
    n_pairs = store.counts(db)["pairs"]
    assert compared.notes == [f"re-checked {n_pairs:,} pairs: the numeric check changed"]
    assert compared.checked_pairs == n_pairs
    after = {f["id"]: f for f in store.flags(db)}
    assert set(after) == before
    assert (after[flag_id]["status"], after[flag_id]["note"]) == ("confirmed", "checked the sources")
    assert run(db, settings, [basic_dir], embedder, tmp_path).compared.checked_pairs == 0


def test_once_every_pair_carries_the_current_checks_only_pairs_sent_back_are_read_and_re_checked(
        db, settings, embedder, basic_dir, tmp_path):
    from claimcheck import corpus_checks

    run(db, settings, [basic_dir], embedder, tmp_path)
    registry = checks.registered()
    assert store.get_meta(db, "checks_complete") == json.dumps({c.name: c.version for c in registry}, sort_keys=True)
    # A claim's facts changed: the store sends its pairs back, and only those are read and checked again.
    claim = db.execute("SELECT claim_a FROM pairs GROUP BY claim_a ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    touching = db.execute("SELECT count(*) FROM pairs WHERE ? IN (claim_a, claim_b)", [claim]).fetchone()[0]
    assert 0 < touching < store.counts(db)["pairs"]
    with store.transaction(db):
        store.forget_checks_of_claims(db, [claim], ["numeric"])
    assert len(store.stale_pairs(db, "numeric", QuantityCheck.version, waiting_only=True)) == touching
    assert corpus_checks.run_checks(db, embedder.name).checked == touching
    assert db.execute("SELECT count(*) FROM pairs WHERE checked = 0").fetchone()[0] == 0
    # The fast path reads only the pairs marked as waiting: a stamp removed behind the store's back goes unseen
    # there, and a full scan (what a new check version gets) still finds it.
    with store.transaction(db):
        db.execute("UPDATE pairs SET checked_by = '{}' WHERE id = (SELECT min(id) FROM pairs)")
    assert store.stale_pairs(db, "numeric", QuantityCheck.version, waiting_only=True) == []
    assert len(store.stale_pairs(db, "numeric", QuantityCheck.version)) == 1


def test_a_decision_follows_its_finding_when_a_new_check_version_gives_it_another_id(
        db, settings, embedder, basic_dir, tmp_path, monkeypatch):
    run(db, settings, [basic_dir], embedder, tmp_path)
    flag = sorted(store.flags(db), key=lambda f: f["id"])[0]
    with store.transaction(db):
        store.save_review(db, flag["id"], "dismissed", "same survey, other year", "ana")
    monkeypatch.setattr(QuantityCheck, "version", QuantityCheck.version + ".next")
    monkeypatch.setattr(checks, "finding_id", lambda *parts: "v2-" + checks.text_hash(json.dumps(parts))[:8])
    run(db, settings, [basic_dir], embedder, tmp_path)
    [moved] = [f for f in store.flags(db) if f["pair_id"] == flag["pair_id"] and f["kind"] == flag["kind"]
               and {f["value_a"], f["value_b"]} == {flag["value_a"], flag["value_b"]}]
    assert moved["id"].startswith("v2-") and moved["id"] != flag["id"]
    assert (moved["status"], moved["note"], moved["reviewer"]) == ("dismissed", "same survey, other year", "ana")


def test_a_database_from_an_older_extractor_is_re_extracted_and_keeps_review_decisions(
        db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    current = {c["id"]: c for c in store.claims(db)}
    flags = {f["id"]: f for f in store.flags(db)}
    kept = next(f for f in flags.values() if {f["value_a"], f["value_b"]} == {"An estimated 3,000", "Around 5,000"})
    with store.transaction(db):
        store.save_review(db, kept["id"], "dismissed", "different counts", "ana")
    # What an older claimcheck left: no extractor version (as migration m003 leaves it), and one claim's
    # quantities missed, so the agreements that need them were never found.
    agreements = {a["id"]: a for a in store.agreements(db)}
    stale = next(current[a["claim_a"]] for a in agreements.values() if a["kind"] == "date")
    lost = sorted(i for i, a in agreements.items() if stale["id"] in (a["claim_a"], a["claim_b"]))
    with store.transaction(db):
        db.execute("UPDATE articles SET facts_version = NULL")
        db.execute("UPDATE claims SET quantities = '[]' WHERE id = ?", [stale["id"]])
        db.execute(f"DELETE FROM agreements WHERE id IN ({','.join('?' * len(lost))})", lost)
    embedded = embedder.texts
    compared = run(db, settings, [basic_dir], embedder, tmp_path).compared
    assert compared.notes == [f"re-extracted {len(store.articles(db))} articles: the extractor changed "
                              "(1 claims got other facts)"]
    assert {c["id"]: c for c in store.claims(db)} == current  # the stale facts recomputed, claim ids kept
    assert {a["facts_version"] for a in store.articles(db)} == {facts.EXTRACTOR_VERSION}
    again = {f["id"]: f for f in store.flags(db)}
    assert set(again) == set(flags)
    assert {a["id"] for a in store.agreements(db)} == set(agreements)  # found again, under their content-derived ids
    assert (again[kept["id"]]["status"], again[kept["id"]]["note"]) == ("dismissed", "different counts")
    assert embedder.texts == embedded  # nothing embedded again
    assert run(db, settings, [basic_dir], embedder, tmp_path).compared.notes == []


def test_an_article_split_into_other_sentences_is_re_ingested_from_its_text(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    flags = {f["id"] for f in store.flags(db)}
    texts = sorted(c["text"] for c in store.claims(db))
    alpha = next(a for a in store.articles(db) if a["name"] == "alpha.md")
    with store.transaction(db):  # an older segmentation that ran two sentences together
        db.execute("UPDATE articles SET facts_version = '0' WHERE id = ?", [alpha["id"]])
        db.execute("DELETE FROM claims WHERE article_id = ? AND idx > 0", [alpha["id"]])
    compared = run(db, settings, [basic_dir], embedder, tmp_path).compared
    assert "1 split into other sentences" in compared.notes[0]
    assert sorted(c["text"] for c in store.claims(db)) == texts
    assert {f["id"] for f in store.flags(db)} == flags


def test_re_extracted_facts_get_their_measure_phrases_embedded_without_new_articles(
        db, settings, embedder, basic_dir, tmp_path):
    from claimcheck import measure_pairs

    run(db, settings, [basic_dir], embedder, tmp_path)
    phrases = {measure_pairs.phrase_key(phrase) for _, _, _, phrase in store.measure_figures(db)}
    assert phrases
    stale = store.measure_figures(db)[0][0]
    with store.transaction(db):  # an older extractor: other phrases, never embedded
        db.execute(f"DELETE FROM embeddings WHERE text_hash IN ({','.join('?' * len(phrases))})", sorted(phrases))
        db.execute("UPDATE articles SET facts_version = NULL")
        db.execute("UPDATE claims SET quantities = '[]' WHERE id = ?", [stale])
    run(db, settings, [basic_dir], embedder, tmp_path)
    assert not store.missing_vectors(db, embedder.name, phrases)

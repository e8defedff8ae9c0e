"""The pipeline with the deterministic embedder: incremental runs, copies, stable flags, the index cache."""

import json
import shutil

import numpy as np
import pytest

from claimcheck import index, pipeline, search, store
from claimcheck.report import md_text


def run(db, settings, paths, embedder, tmp_path):
    return pipeline.run_report(db, settings, paths, tmp_path / "report.md", embedder=embedder)


def test_report_names_every_article_and_keeps_claim_offsets(db, settings, embedder, basic_dir, tmp_path):
    result = run(db, settings, [basic_dir], embedder, tmp_path)
    assert sorted(result.ingested.added) == ["alpha.md", "articles.jsonl#g1", "articles.jsonl#g2", "beta.txt"]
    markdown = result.path.read_text()
    for name in ("alpha.md", "beta.txt", "articles.jsonl#g1"):
        assert md_text(name) in markdown
    for claim in store.claims(db):
        article = store.article(db, claim["article_id"])
        assert article["text"][claim["start"] : claim["end"]] == claim["text"]


def test_boilerplate_and_related_links_are_not_claims(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    texts = [c["text"] for c in store.claims(db)]
    assert not any("Stories you might have missed" in t or "suspicious" in t for t in texts)
    assert "The strike by ferry workers began on Monday and closed the port." in texts


def test_second_run_on_unchanged_input_embeds_nothing_and_adds_nothing(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    first_texts, before = embedder.texts, store.counts(db)
    again = run(db, settings, [basic_dir], embedder, tmp_path)
    assert embedder.texts == first_texts
    assert again.compared.embedded == 0 and again.compared.new_pairs == 0
    assert sorted(again.ingested.unchanged) == sorted(["alpha.md", "beta.txt", "articles.jsonl#g1", "articles.jsonl#g2"])
    assert store.counts(db) == before


def test_a_changed_file_replaces_its_old_version_and_only_new_sentences_are_embedded(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    embedded_before = embedder.texts
    beta = basic_dir / "beta.txt"
    beta.write_text(beta.read_text().replace("Around 5,000 migrants", "Around 6,000 migrants"))
    again = run(db, settings, [basic_dir], embedder, tmp_path)
    assert again.ingested.replaced == ["beta.txt"]
    assert embedder.texts - embedded_before == 1  # only the edited sentence
    assert len(store.articles(db)) == 4
    assert any("6,000" in c["text"] for c in store.claims(db))
    assert not any("5,000" in c["text"] for c in store.claims(db))


def test_duplicate_content_under_another_name_is_stored_once_with_both_names(db, settings, embedder, basic_dir, tmp_path):
    shutil.copy(basic_dir / "beta.txt", basic_dir / "beta-copy.txt")
    result = run(db, settings, [basic_dir], embedder, tmp_path)
    assert result.ingested.duplicates == [("beta.txt", "beta-copy.txt")]
    names = {a["name"]: a["names"] for a in store.articles(db)}
    assert set(names["beta-copy.txt"].split(", ")) == {"beta-copy.txt", "beta.txt"}
    assert len(names) == 4


def test_updated_versions_of_one_story_are_linked_as_copies(db, settings, embedder, basic_dir, tmp_path):
    result = run(db, settings, [basic_dir], embedder, tmp_path)
    assert result.compared.copies == [("articles.jsonl#g1", "articles.jsonl#g2")]
    # Their shared numbers are not independent corroboration.
    for agreement in store.agreements(db):
        if {agreement["article_a"], agreement["article_b"]} == {"articles.jsonl#g1", "articles.jsonl#g2"}:
            assert agreement["independent"] == 0


def test_pairs_are_cross_article_canonical_and_unique(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    rows = store.pairs(db)
    assert rows
    assert all(r["article_id_a"] != r["article_id_b"] and r["claim_a"] < r["claim_b"] for r in rows)
    assert len({(r["claim_a"], r["claim_b"]) for r in rows}) == len(rows)
    sangatte = [r for r in rows if "Sangatte" in r["text_a"] and "Sangatte" in r["text_b"]]
    assert sangatte, "the two Sangatte sentences share rare terms and must pair"


def test_index_cache_is_rebuilt_when_corrupted_or_from_another_model(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    ids, _ = store.claim_vectors(db, embedder.name)
    assert index.load(settings.index_path, embedder.name, ids) is not None
    assert index.load(settings.index_path, "another-model", ids) is None
    settings.index_path.write_bytes(b"garbage")
    assert index.load(settings.index_path, embedder.name, ids) is None
    hits = search.query(db, settings, ["Sangatte closed in 2002"], k=2, embedder=embedder)
    assert "Sangatte" in hits[0][0]["text"]


def test_flag_ids_and_reviews_survive_a_full_rebuild(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    flags = store.flags(db)
    assert flags, "alpha says 3,000 migrants around Calais, beta around 5,000"
    flag = flags[0]
    with store.transaction(db):
        store.save_review(db, flag["id"], "dismissed", "different sources", "ana")
    # Wipe everything derived and re-ingest: the same disagreement must come back under the same id.
    for article in store.articles(db):
        with store.transaction(db):
            store.delete_article(db, article["id"])
    settings.index_path.unlink()
    run(db, settings, [basic_dir], embedder, tmp_path)
    again = {f["id"]: f for f in store.flags(db)}
    assert flag["id"] in again
    assert again[flag["id"]]["status"] == "dismissed" and again[flag["id"]]["note"] == "different sources"


def test_claim_quantities_and_speakers_are_stored_as_json(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    claim = next(c for c in store.claims(db) if "Around 5,000 migrants" in c["text"])
    quantities = json.loads(claim["quantities"])
    assert [q["value"] for q in quantities] == [5000.0]
    ids, vectors = store.claim_vectors(db, embedder.name)
    assert vectors.dtype == np.float32 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_corpus_that_outgrows_exact_search_is_reindexed_with_ivf(db, settings, embedder, basic_dir, tmp_path):
    from dataclasses import replace

    (basic_dir / "articles.jsonl").unlink()
    run(db, settings, [basic_dir], embedder, tmp_path)
    ids, _ = store.claim_vectors(db, embedder.name)
    assert index.load(settings.index_path, embedder.name, ids).exact
    small_limit = replace(settings, exact_search_limit=len(ids))
    extra = basic_dir / "gamma.txt"
    extra.write_text("The Sangatte centre near Calais closed in 2002 after riots and pressure from Britain.")
    run(db, small_limit, [basic_dir], embedder, tmp_path)
    ids, _ = store.claim_vectors(db, embedder.name)
    rebuilt = index.load(settings.index_path, embedder.name, ids)
    assert rebuilt is not None and not rebuilt.exact and rebuilt.size == len(ids)
    assert any("gamma.txt" in (p["article_a"], p["article_b"]) for p in store.pairs(db))


def test_embedding_reports_progress_for_every_text(db, settings, embedder, basic_dir):
    import contextlib

    pipeline.ingest(db, [basic_dir], settings)
    seen = []

    @contextlib.contextmanager
    def recording(label, total):
        seen.append((label, total, []))
        yield seen[-1][2].append

    embedded = pipeline.embed_missing(db, embedder, progress=recording)
    [(label, total, steps)] = seen
    assert label == "Embedding claims" and total == embedded == sum(steps) > 0


def test_a_large_check_run_reads_phrase_vectors_from_the_phrase_file_and_finds_the_same(
        db, settings, embedder, basic_dir, tmp_path, monkeypatch):
    from claimcheck import corpus_checks, measure_pairs

    run(db, settings, [basic_dir], embedder, tmp_path)
    whole = sorted((f["id"], f["reason"]) for f in store.flags(db))
    held = measure_pairs.phrase_file(db, embedder.name, settings.phrase_cache_path)
    assert held and all(np.array_equal(vector, store.vectors_by_hash(db, embedder.name, [key])[key])
                        for key, vector in held.items())
    real, read = measure_pairs.phrase_vectors, []
    monkeypatch.setattr(measure_pairs, "phrase_vectors", lambda *args: read.append(args[3]) or real(*args))
    monkeypatch.setattr(corpus_checks, "PARALLEL_MIN_PAIRS", 1)  # "large": every run reads the file
    monkeypatch.setattr(corpus_checks, "MAX_WORKERS", 1)  # checked here, where the spy sees it
    db.execute("UPDATE pairs SET checked_by = '{}', checked = 0")
    db.conn.commit()
    assert corpus_checks.run_checks(db, embedder.name, settings.phrase_cache_path).checked > 0
    assert read and all(phrases.keys() == held.keys() for phrases in read)
    assert sorted((f["id"], f["reason"]) for f in store.flags(db)) == whole


@pytest.mark.parametrize("workers", [False, True])
def test_checks_in_small_batches_find_what_one_batch_finds(db, settings, embedder, basic_dir, tmp_path, monkeypatch,
                                                          workers):
    from claimcheck import corpus_checks

    run(db, settings, [basic_dir], embedder, tmp_path)
    whole = ({f["id"] for f in store.flags(db)}, db.execute("SELECT count(*) FROM agreements").fetchone()[0])
    pairs = db.execute("SELECT count(*) FROM pairs").fetchone()[0]
    assert whole[0] and pairs > 3
    db.execute("UPDATE pairs SET checked_by = '{}', checked = 0")  # every pair sent back, as forget_* functions do
    db.conn.commit()
    monkeypatch.setattr(corpus_checks, "BATCH", 2)  # every batch its own read, check and transaction
    monkeypatch.setattr(corpus_checks, "PARALLEL_MIN_PAIRS", 1 if workers else 10**9)
    if workers:  # the batches really go to worker processes
        assert corpus_checks._workers(corpus_checks._Job(str(settings.db_path), "m", "{}", frozenset()),
                                      corpus_checks.checks.registered(), pairs) == 2
    again = corpus_checks.run_checks(db, embedder.name)
    assert again.checked == pairs
    assert ({f["id"] for f in store.flags(db)}, db.execute("SELECT count(*) FROM agreements").fetchone()[0]) == whole
    assert all(store.stale_pairs(db, check.name, check.version) == [] for check in corpus_checks.checks.registered())


def test_while_spacy_parses_an_add_reads_the_corpus_aliases_and_the_phrase_file(db, settings, embedder, basic_dir,
                                                                                 tmp_path, monkeypatch):
    from claimcheck import corpus_checks, measure_pairs

    run(db, settings, [basic_dir], embedder, tmp_path)
    assert settings.phrase_cache_path.exists()
    monkeypatch.setattr(corpus_checks, "_last_union", (frozenset(), corpus_checks.AliasTable()))
    monkeypatch.setattr(measure_pairs, "_READ_AHEAD", {})
    pipeline._while_parsing(embedder, store.database_file(db), settings)
    assert corpus_checks._last_union[0] == frozenset(store.all_aliases(db))
    assert str(settings.phrase_cache_path) in measure_pairs._READ_AHEAD

"""Pairing maths with hand-made vectors: no model, no database."""

import numpy as np
import pytest

from claimcheck import pair, store


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def pairs_of(codes: np.ndarray) -> list[tuple[int, int]]:
    return [tuple(ends) for ends in pair.decode(codes).tolist()]


def codes_of(keys, cosine_of=None):  # noqa: ANN001, ANN201 - (a, b) keys -> sorted codes and their cosine (NaN: none)
    keys = sorted(keys)
    codes = pair.encode(np.array([a for a, _ in keys]), np.array([b for _, b in keys]))
    return codes, np.array([(cosine_of or {}).get(key, np.nan) for key in keys], dtype=np.float64)


def test_neighbour_candidates_are_canonical_deduplicated_and_skip_self():
    ids = np.array([1, 2])
    sims = np.array([[1.0, 0.8, 0.1], [1.0, 0.8, 0.5]])
    neighbours = np.array([[1, 2, 3], [2, 1, 3]])
    codes, cosine = pair.neighbour_candidates(ids, sims, neighbours, min_cosine=0.3)
    assert dict(zip(pairs_of(codes), cosine.tolist())) == {(1, 2): pytest.approx(0.8), (2, 3): pytest.approx(0.5)}


def test_neighbour_candidates_drop_missing_ids_and_low_cosine():
    codes, cosine = pair.neighbour_candidates(np.array([5]), np.array([[1.0, 0.29, 0.9]]), np.array([[5, 6, -1]]), 0.3)
    assert len(codes) == len(cosine) == 0


def test_a_neighbour_found_from_both_ends_keeps_its_best_cosine():
    codes, cosine = pair.neighbour_candidates(np.array([1, 2]), np.array([[0.7, 0.9], [0.8, 0.95]]),
                                              np.array([[2, 3], [1, 3]]), 0.3)
    assert dict(zip(pairs_of(codes), cosine.tolist())) == {(1, 2): pytest.approx(0.8), (1, 3): pytest.approx(0.9),
                                                            (2, 3): pytest.approx(0.95)}


def test_pair_codes_round_trip_in_canonical_order_and_refuse_ids_that_do_not_fit():
    codes = pair.encode(np.array([9, 2]), np.array([4, 2**31 - 1]))
    assert pairs_of(codes) == [(4, 9), (2, 2**31 - 1)]
    with pytest.raises(ValueError, match="pair code"):
        pair.encode(np.array([1]), np.array([2**31]))


def test_unscored_candidates_join_the_scored_ones_without_their_cosine():
    scored = codes_of([(1, 5), (2, 3)], {(1, 5): 0.9, (2, 3): 0.7})
    codes, cosine = pair.with_candidates(*scored, codes_of([(1, 2), (2, 3)])[0])
    assert pairs_of(codes) == [(1, 2), (1, 5), (2, 3)]
    assert np.isnan(cosine[0]) and cosine[1:].tolist() == [0.9, 0.7]


@pytest.mark.parametrize(
    ("terms_a", "terms_b", "expected"),
    [
        # Shared IDF mass 4 + 4 = 8 against the half-saturation point 8.
        (["sangatte", "2002"], ["sangatte", "2002"], 0.5),
        (["sangatte"], ["calais"], 0.0),
        ([], [], 0.0),
        # Unshared words cost nothing: a long sentence is not penalised for saying more.
        (["sangatte", "migrant", "calais", "boat"], ["sangatte"], 4 / 12),
        (["migrant", "calais"], ["migrant", "calais", "camp"], 2 / 10),
    ],
)
def test_lexical_overlap_saturates_with_shared_idf_mass(terms_a, terms_b, expected):
    idf = {"sangatte": 4.0, "2002": 4.0, "migrant": 1.0, "calais": 1.0, "boat": 2.0, "camp": 2.0}
    assert pair.lexical_overlap(terms_a, terms_b, idf, half=8.0) == pytest.approx(expected)


def test_idf_is_normalised_to_the_corpus_maximum():
    small = pair.idf_weights({"rare": 1, "common": 100}, 150)
    large = pair.idf_weights({"rare": 1, "common": 100_000}, 150_000)
    assert 0 < small["common"] < small["rare"] <= 1 and 0 < large["rare"] <= 1
    assert small["rare"] == pytest.approx(large["rare"], abs=0.12)


def test_shared_rare_terms_lift_a_low_cosine_pair_over_a_common_word_pair():
    idf = pair.idf_weights({"sangatte": 3, "2002": 4, "close": 10, "migrant": 60, "camp": 12, "boat": 20}, 150)
    sangatte = pair.hybrid_score(0.45, pair.lexical_overlap(["sangatte", "close", "2002", "camp"], ["sangatte", "2002", "close"], idf), 0.55)
    migrants = pair.hybrid_score(0.45, pair.lexical_overlap(["migrant", "camp"], ["migrant", "boat"], idf), 0.55)
    assert sangatte > migrants + 0.2


def test_rare_term_candidates_keep_the_claims_sharing_most_rare_terms():
    postings = {"sangatte": [1, 2, 3], "2002": [1, 2], "riot": [1, 2, 4]}
    found = pair.rare_term_candidates({1: ["sangatte", "2002", "riot"]}, postings, per_claim=2)
    assert pairs_of(found) == [(1, 2), (1, 3)]  # 2 shares all three; 3 and 4 tie on one, and the lower id wins


def test_rare_term_candidates_pair_claims_sharing_a_posting():
    found = pair.rare_term_candidates({7: ["sangatte", "close"]}, {"sangatte": [3, 7, 9]})
    assert pairs_of(found) == [(3, 7), (7, 9)]


def test_rare_term_candidates_on_arrays_choose_what_counting_per_claim_chooses():
    """Each claim keeps the per_claim others sharing the most of its rare terms, ties to the lower id: the arrays
    must choose exactly what counting each claim's shared terms does, on a corpus with many ties."""
    from collections import Counter

    rng = np.random.default_rng(5)
    vocabulary = [f"t{n}" for n in range(40)]
    postings = {t: sorted(rng.choice(200, size=rng.integers(2, 25), replace=False).tolist()) for t in vocabulary}
    query_terms = {int(q): list(rng.choice(vocabulary + ["common"], size=rng.integers(0, 9))) for q in range(0, 200, 3)}
    want = set()
    for query, terms in query_terms.items():
        shared = Counter(other for term in set(terms) for other in postings.get(term, ()) if other != query)
        for other, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:4]:
            want.add((min(query, other), max(query, other)))
    found = pairs_of(pair.rare_term_candidates(query_terms, postings, per_claim=4))
    assert found == sorted(want) and len(want) > 100


def test_score_pairs_keeps_only_cross_article_pairs_above_threshold_best_first():
    vectors = {1: unit(1, 0), 2: unit(1, 0.1), 3: unit(0, 1), 4: unit(1, 0.05)}
    terms = {1: ["a"], 2: ["a"], 3: ["b"], 4: ["a"]}
    article_of = {1: 10, 2: 20, 3: 30, 4: 10}
    codes, cosine = codes_of([(1, 2), (1, 3), (1, 4)])
    pairs = pair.score_pairs(codes, cosine, vectors, terms, article_of, {"a": 1.0, "b": 1.0}, 0.5, threshold=1.1)
    assert [(p.a, p.b) for p in pairs] == [(1, 2)]  # (1, 4) is inside one article, (1, 3) too far apart
    assert pairs[0].lexical == pytest.approx(1 / 2.2, abs=1e-4)
    assert pairs[0].score == pytest.approx(pairs[0].similarity + 0.5 / 2.2, abs=1e-3)


def test_score_pairs_on_arrays_gives_what_the_scalar_formulas_give():
    """The array version of score_pairs must score every candidate as hybrid_score(cosine, lexical_overlap(...))
    does, with cosines from the search where given, unseen terms at the rarest weight and repeated terms once."""
    rng = np.random.default_rng(3)
    vocabulary = [f"t{n}" for n in range(30)]
    vectors = {c: v / np.linalg.norm(v) for c, v in ((c, rng.normal(size=8).astype(np.float32)) for c in range(1, 61))}
    terms = {c: list(rng.choice(vocabulary, size=rng.integers(0, 8))) * 2 for c in vectors}  # each term twice
    article_of = {c: c % 7 for c in vectors}
    idf = {t: float(w) for t, w in zip(vocabulary[:25], rng.uniform(0, 1, 25))}  # t25..t29 unseen
    keys = {(a, b) for a in vectors for b in vectors if a < b and rng.random() < 0.3}
    cosine_of = {key: 0.9 for key in sorted(keys)[::5]}
    pairs = pair.score_pairs(*codes_of(keys, cosine_of), vectors, terms, article_of, idf, 0.5, threshold=-1.0)
    want = {}
    for a, b in keys:
        if article_of[a] != article_of[b]:
            cosine = cosine_of.get((a, b), float(vectors[a] @ vectors[b]))
            lexical = pair.lexical_overlap(terms[a], terms[b], idf)
            want[a, b] = (cosine, lexical, pair.hybrid_score(cosine, lexical, 0.5))
    assert {(p.a, p.b) for p in pairs} == set(want)
    for p in pairs:
        assert (p.similarity, p.lexical, p.score) == pytest.approx(want[p.a, p.b], abs=1e-4)
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert any(p.lexical > 0 for p in pairs) and any(p.similarity == 0.9 for p in pairs)


def test_copied_articles_need_most_claims_of_the_shorter_article_near_verbatim():
    article_of = {1: 100, 2: 100, 3: 200, 4: 200, 5: 300}
    sizes = {100: 2, 200: 3, 300: 1}
    pairs = [pair.Pair(1, 3, 0.99, 1, 1.5), pair.Pair(2, 4, 0.97, 1, 1.5), pair.Pair(1, 5, 0.7, 0.2, 0.8)]
    copies = pair.copied_articles(pairs, article_of, sizes, copy_cosine=0.95, copy_share=0.5)
    assert copies == {(100, 200): 1.0}


def test_adding_nothing_to_an_index_keeps_it_and_records_the_ids():
    """A second writer that finds its articles already paired adds an empty (0, 0) matrix: nothing breaks."""
    from claimcheck import index

    built = index.build(np.array([1, 2]), np.stack([unit(1, 0), unit(0, 1)]), "m")
    built.add(np.empty(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32), "digest-after")
    assert built.size == 2 and built.ids_digest == "digest-after"


def _ivf_index(n: int, dimension: int = 8, seed: int = 0):
    from claimcheck import index

    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return index.build(np.arange(1, n + 1), vectors, "m", exact_limit=10), vectors


def test_claims_added_to_an_approximate_index_wait_beside_it_and_are_found(tmp_path):
    """New vectors go to the small exact `recent` index; a search returns the best of both, and a save writes
    only the small file while the main file stays as it was."""
    from claimcheck import index

    built, _ = _ivf_index(50)
    path = tmp_path / "db.faiss"
    index.save(built, path)
    main_bytes = path.read_bytes()
    loaded = index.load(path, "m", np.arange(1, 51))
    new = np.stack([unit(1, 0, 0, 0, 0, 0, 0, 0), unit(0, 1, 0, 0, 0, 0, 0, 0)])
    loaded.add(np.array([101, 102]), new, index.digest_ids(np.r_[np.arange(1, 51), 101, 102]))
    assert loaded.recent_size == 2 and loaded.size == 52
    sims, ids = loaded.search(new, 3)
    assert ids[0, 0] == 101 and ids[1, 0] == 102 and sims[0, 0] == pytest.approx(1.0)
    index.save(loaded, path)
    assert path.read_bytes() == main_bytes
    again = index.load(path, "m", np.r_[np.arange(1, 51), 101, 102])
    assert again is not None and again.recent_size == 2
    assert again.search(new[:1], 1)[1][0, 0] == 101


def test_recent_vectors_fold_into_the_main_index_past_their_share(monkeypatch, tmp_path):
    from claimcheck import index

    monkeypatch.setattr(index, "RECENT_MIN", 3)
    built, vectors = _ivf_index(50)
    built.add(np.arange(101, 104), vectors[:3], "d1")
    assert built.recent_size == 3
    built.add(np.arange(104, 105), vectors[3:4], "d2")
    assert built.recent_size == 0 and built.faiss_index.ntotal == 54
    assert set(built.search(vectors[:1], 2)[1][0]) == {1, 101}  # the copies are found in the main index itself
    index.save(built, tmp_path / "db.faiss")
    assert not (tmp_path / "db.faiss.recent").exists()


def test_a_damaged_recent_file_means_a_rebuild(tmp_path):
    from claimcheck import index

    built, vectors = _ivf_index(20)
    built.add(np.array([99]), vectors[:1], index.digest_ids(np.r_[np.arange(1, 21), 99]))
    path = tmp_path / "db.faiss"
    index.save(built, path)
    (tmp_path / "db.faiss.recent").write_bytes(b"garbage")
    assert index.load(path, "m", np.r_[np.arange(1, 21), 99]) is None


def test_an_index_built_from_blocks_is_the_index_built_at_once():
    from claimcheck import index

    _, vectors = _ivf_index(30)
    ids = np.arange(1, 31)
    whole = index.build(ids, vectors, "m", exact_limit=100)
    blocks = index.build_from_blocks([(ids[:12], vectors[:12]), (ids[12:], vectors[12:])], 30, "m", exact_limit=100)
    assert blocks.exact and blocks.size == 30 and blocks.ids_digest == whole.ids_digest == index.digest_ids(ids)
    assert (blocks.search(vectors, 3)[1] == whole.search(vectors, 3)[1]).all()
    assert not index.build_from_blocks([(ids, vectors)], 30, "m", exact_limit=10).exact


def test_an_index_that_will_not_grow_is_mapped_and_one_that_folds_is_read(monkeypatch, tmp_path):
    """`load` maps the graph's vectors from the file when the caller's adds stay beside it; a fold into a mapped
    index (FAISS would abort on it) first copies the vectors into memory, and finds the same neighbours."""
    from claimcheck import index

    monkeypatch.setattr(index, "RECENT_MIN", 3)
    built, vectors = _ivf_index(50)
    path = tmp_path / "db.faiss"
    index.save(built, path)
    ids = np.arange(1, 51)
    assert index.load(path, "m", ids, adding=2).mapped
    assert not index.load(path, "m", ids, adding=4).mapped  # four recent vectors would fold: read, not mapped
    exact = index.build(ids, vectors, "m", exact_limit=100)
    index.save(exact, tmp_path / "exact.faiss")
    assert not index.load(tmp_path / "exact.faiss", "m", ids).mapped  # an exact index grows in place: never mapped
    mapped = index.load(path, "m", ids)
    assert mapped.mapped
    mapped.add(np.arange(101, 105), vectors[:4], "d")  # more than the load was told: folds into the mapped graph
    assert not mapped.mapped and mapped.recent_size == 0 and mapped.faiss_index.ntotal == 54
    assert set(mapped.search(vectors[:1], 2)[1][0]) == {1, 101}


def test_an_index_hashed_ahead_is_not_hashed_again_unless_its_file_changed(monkeypatch, tmp_path):
    from claimcheck import index

    built, _ = _ivf_index(20)
    path = tmp_path / "db.faiss"
    index.save(built, path)
    hashed = []
    real_hash = index._hash_file
    monkeypatch.setattr(index, "_hash_file", lambda p: hashed.append(p) or real_hash(p))
    index.verify_ahead(path)
    assert index.load(path, "m", np.arange(1, 21)) is not None
    assert hashed == [path]  # the background hash served the load
    index.verify_ahead(path)
    index._AHEAD[str(path)][1].result()
    path.write_bytes(path.read_bytes()[:-8])  # damaged after the hash ahead: a new size, hashed again, refused
    assert index.load(path, "m", np.arange(1, 21)) is None and hashed == [path, path, path]


def _phrase_db(path, n):
    db = store.open_db(path)
    vectors = np.random.default_rng(7).normal(size=(n, 8)).astype(np.float32)
    with store.transaction(db):
        store.save_embeddings(db, "m", [f"k{i:03d}" for i in range(n)], vectors)
    return db, {f"k{i:03d}": vectors[i] for i in range(n)}


def _as_dict(found):
    keys, matrix = found
    return {key: matrix[row] for row, key in enumerate(keys)}


def test_the_phrase_vector_file_gives_what_sqlite_holds_as_phrases_come_and_go(tmp_path, monkeypatch):
    from claimcheck import measure_pairs

    db, truth = _phrase_db(tmp_path / "p.db", 30)
    cache = tmp_path / "p.db.phrases.npz"
    wanted = [*sorted(truth)[:20], "not-embedded"]
    first = _as_dict(measure_pairs.phrase_matrix(db, "m", wanted, cache))
    assert first.keys() == set(sorted(truth)[:20]) and all(np.array_equal(first[k], truth[k]) for k in first)
    assert cache.exists()

    with monkeypatch.context() as patched:
        patched.setattr(store, "vectors_by_hash", lambda db, model, keys: {} if not keys else pytest.fail("SQLite"))
        again = _as_dict(measure_pairs.phrase_matrix(db, "m", wanted[:-1], cache))  # all held by the file
    assert again.keys() == first.keys() and all(np.array_equal(again[k], truth[k]) for k in again)

    grown = sorted(truth)[10:]  # ten phrases went, ten came
    got = _as_dict(measure_pairs.phrase_matrix(db, "m", grown, cache))
    assert got.keys() == set(grown) and all(np.array_equal(got[k], truth[k]) for k in got)
    assert measure_pairs._read_phrase_cache(cache, f"{store.database_id(db)} m")[0] == grown  # rewritten


def test_a_phrase_file_read_ahead_is_used_once_and_not_after_the_file_changed(tmp_path, monkeypatch):
    from claimcheck import measure_pairs

    db, truth = _phrase_db(tmp_path / "p.db", 12)
    cache = tmp_path / "p.db.phrases.npz"
    measure_pairs.phrase_matrix(db, "m", sorted(truth), cache)
    measure_pairs.read_ahead(db, "m", cache)
    with monkeypatch.context() as patched:
        patched.setattr(np, "load", lambda *args, **kwargs: pytest.fail("read again"))
        ahead = _as_dict(measure_pairs.phrase_matrix(db, "m", sorted(truth), cache))
    assert ahead.keys() == truth.keys() and all(np.array_equal(ahead[k], truth[k]) for k in truth)
    assert not measure_pairs._READ_AHEAD  # used once

    tag, keys = f"{store.database_id(db)} m", sorted(truth)
    measure_pairs._write_phrase_cache(cache, tag, keys, -np.stack([truth[k] for k in keys]))  # a wrong file
    measure_pairs.read_ahead(db, "m", cache)
    measure_pairs._write_phrase_cache(cache, tag, keys, np.stack([truth[k] for k in keys]))  # replaced since
    got = _as_dict(measure_pairs.phrase_matrix(db, "m", keys, cache))
    assert all(np.array_equal(got[k], truth[k]) for k in truth)  # the file as it is now, not as read ahead


def test_a_phrase_vector_file_of_another_database_or_model_or_damaged_is_not_used(tmp_path):
    from claimcheck import measure_pairs

    db, truth = _phrase_db(tmp_path / "p.db", 12)
    other, _ = _phrase_db(tmp_path / "other.db", 12)  # same keys, other vectors (another seed would do too)
    with store.transaction(other):
        store.save_embeddings(other, "m", sorted(truth), -np.stack([truth[k] for k in sorted(truth)]))
    assert store.database_id(db) and store.database_id(db) != store.database_id(other)
    cache = tmp_path / "shared.phrases.npz"
    measure_pairs.phrase_matrix(other, "m", sorted(truth), cache)
    got = _as_dict(measure_pairs.phrase_matrix(db, "m", sorted(truth), cache))
    assert all(np.array_equal(got[k], truth[k]) for k in truth)  # this database's vectors, not the file's
    assert measure_pairs._read_phrase_cache(cache, f"{store.database_id(db)} m")[0] == sorted(truth)
    assert measure_pairs._read_phrase_cache(cache, f"{store.database_id(db)} other-model") == ([], None)
    cache.write_bytes(cache.read_bytes()[:200])  # torn
    got = _as_dict(measure_pairs.phrase_matrix(db, "m", sorted(truth), cache))
    assert all(np.array_equal(got[k], truth[k]) for k in truth)
    database_id = store.database_id(db)
    db.close()
    assert store.database_id(store.open_db(tmp_path / "p.db")) == database_id  # kept across opens

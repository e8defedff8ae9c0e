"""The pairing pass: the new claims searched against the saved index (extended with them) plus the claims they
share a rare term with, each candidate scored; and the articles that turn out to be copies of one source.

`pipeline.compare` runs it after embedding, and again when another process paired claims meanwhile
(store.pairing_generation moved): each pass works on a snapshot of the embedded claims.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlite_utils import Database

from . import cells, index, pair, store
from .config import Settings


@dataclass(frozen=True)
class Snapshot:
    """What one pairing pass works on: every embedded claim id, and the new claims with their vectors."""

    known_ids: np.ndarray
    new_ids: np.ndarray
    new_vectors: np.ndarray
    generation: int = 0  # store.pairing_generation when the snapshot was taken

    def vectors_of(self, db: Database, model: str, claim_ids: list[int]) -> dict[int, np.ndarray]:
        """These claims' vectors: the snapshot's own where it holds them (all, on a first run), else from SQLite."""
        rows = np.minimum(np.searchsorted(self.new_ids, claim_ids), max(0, len(self.new_ids) - 1))
        held = (self.new_ids[rows] == claim_ids) if len(self.new_ids) else np.zeros(len(claim_ids), dtype=bool)
        found = {int(c): self.new_vectors[r] for c, r, h in zip(claim_ids, rows.tolist(), held.tolist()) if h}
        return found | store.vectors_of(db, model, [c for c, h in zip(claim_ids, held.tolist()) if not h])


def snapshot(db: Database, model: str, new_articles: Sequence[int]) -> Snapshot:
    """The claims to pair now (those of `new_articles`) without loading every vector of the corpus."""
    generation = store.pairing_generation(db)  # read first: a pass committed after it makes this one search again
    known_ids = store.embedded_claim_ids(db, model)
    # Articles that arrived after `new_articles` was read wait for the next pass.
    new_ids, vectors = store.claim_vectors(db, model, unpaired_only=True, articles=[int(a) for a in new_articles])
    return Snapshot(np.union1d(known_ids, new_ids), new_ids, vectors, generation)


def index_for(db: Database, settings: Settings, model: str, snap: Snapshot) -> index.ClaimIndex:
    """The saved index extended with the new claims, or one rebuilt from SQLite when the cache is unusable."""
    old_ids = np.setdiff1d(snap.known_ids, snap.new_ids)
    claim_index = index.load(settings.index_path, model, old_ids, adding=len(snap.new_ids))
    if claim_index is not None and claim_index.outgrown(len(snap.known_ids), settings.exact_search_limit):
        claim_index = None  # past exact search's size, or past what its IVF cells were trained for: rebuild
    if claim_index is None and len(snap.new_ids) == len(snap.known_ids):
        # A first run: the snapshot holds every vector already (100k claims: 4 s less than reading them again).
        claim_index = index.build(snap.new_ids, snap.new_vectors, model, settings.exact_search_limit)
    elif claim_index is None:
        claim_index = rebuild_index(db, settings, model, snap.known_ids, _snapshot_blocks(db, model, snap))
    else:
        claim_index.add(snap.new_ids, snap.new_vectors, index.digest_ids(snap.known_ids))
    index.save(claim_index, settings.index_path)
    return claim_index


def rebuild_index(db: Database, settings: Settings, model: str, ids: np.ndarray,
                  blocks: Iterable[tuple[np.ndarray, np.ndarray]]) -> index.ClaimIndex:
    """An index over `blocks` (the vectors of `ids`), its IVF cells, if it needs them, trained on claims drawn at
    random (the blocks come in article order)."""
    count = len(ids)
    exact = count <= settings.exact_search_limit
    sample = None if exact else store.vector_sample(db, model, ids, cells.train_size(count))
    return index.build_from_blocks(blocks, count, model, settings.exact_search_limit, sample)


def _snapshot_blocks(db: Database, model: str, snap: Snapshot):
    """The vectors of the snapshot's claims in blocks; claims embedded after the snapshot wait for the next pass."""
    for ids, vectors in store.claim_vector_blocks(db, model):
        keep = np.isin(ids, snap.known_ids)
        yield ids[keep], vectors[keep]


def find_pairs(db: Database, settings: Settings, claim_index: index.ClaimIndex, snap: Snapshot) -> list[pair.Pair]:
    """Pairs between the new claims and every other claim: nearest neighbours plus shared rare terms."""
    if not len(snap.new_ids):
        return []
    # No cyclic garbage collection meanwhile: pairing 100k claims builds millions of tuples and sets (no cycles),
    # and the collector, scanning them again and again, took 6 s of its 43.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _find_pairs(db, settings, claim_index, snap)
    finally:
        if was_enabled:
            gc.enable()


def _find_pairs(db: Database, settings: Settings, claim_index: index.ClaimIndex, snap: Snapshot) -> list[pair.Pair]:
    # k+1: FAISS returns the query itself first.
    sims, neighbours = claim_index.search(snap.new_vectors, settings.neighbours + 1)
    codes, cosine = pair.neighbour_candidates(snap.new_ids, sims, neighbours, settings.min_cosine)
    query_terms = _terms_of(db, snap.new_ids.tolist())
    df = store.term_document_frequency(db, {t for terms in query_terms.values() for t in terms})
    rare = {t for t, n in df.items() if 2 <= n <= settings.rare_term_max_df}
    postings = store.claims_with_terms(db, rare, settings.rare_term_max_df)
    rare_codes = pair.rare_term_candidates(query_terms, postings)
    # Only claims this pass knows: another process may have added claims since (the index holds only known ones).
    rare_codes = rare_codes[np.isin(pair.decode(rare_codes), snap.known_ids).all(axis=1)]
    codes, cosine = pair.with_candidates(codes, cosine, rare_codes)
    involved = np.unique(pair.decode(codes)).tolist()
    terms = _terms_of(db, involved)
    df.update(store.term_document_frequency(db, {t for ts in terms.values() for t in ts} - set(df)))
    idf = pair.idf_weights(df, store.claim_count(db))
    article_of = _articles_of(db, involved)
    # Vectors only for the candidates the search did not already score.
    unscored = np.unique(pair.decode(codes[np.isnan(cosine)])).tolist()
    vector_of = snap.vectors_of(db, claim_index.model, unscored)
    return pair.score_pairs(codes, cosine, vector_of, terms, article_of, idf, settings.lexical_weight,
                            settings.pair_threshold)


def _terms_of(db: Database, claim_ids: list[int]) -> dict[int, list[str]]:
    return {claim_id: json.loads(terms) for claim_id, terms in store.claim_terms(db, claim_ids)}


def _articles_of(db: Database, claim_ids: list[int]) -> dict[int, int]:
    return dict(store.claim_articles(db, claim_ids))


def detect_copies(db: Database, settings: Settings, new_articles: list[int]) -> list[tuple[str, str]]:
    """Link article pairs that are copies of one source; their pairs go back to the checks."""
    # Only near-verbatim pairs can make two articles copies: reading every pair of 100k claims took 20 s (profiled).
    rows = store.close_pairs_of_articles(db, new_articles, settings.copy_cosine)
    found = [pair.Pair(*row[:5]) for row in rows]
    article_of = {row[0]: row[5] for row in rows} | {row[1]: row[6] for row in rows}
    listing = store.articles(db)
    sizes = {a["id"]: a["n_claims"] for a in listing}
    copies = pair.copied_articles(found, article_of, sizes, settings.copy_cosine, settings.copy_share)
    names = {a["id"]: a["name"] for a in listing}
    with store.transaction(db):
        for (a, b), share in copies.items():
            store.save_copy_link(db, a, b, share)
            store.forget_checks_between(db, a, b)
    return [(names[a], names[b]) for a, b in copies]

"""Query: the claims most similar to a text, ranked like pairing (meaning plus shared rare terms).

It needs the cached vectors and the FAISS index, never spaCy's pass over the corpus; claims ingested but not
embedded yet are embedded first (the model is loaded for the query anyway).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlite_utils import Database

from . import embed, index, pair, store
from .config import Settings
from .embed import Embedder
from .errors import InputError

if TYPE_CHECKING:
    from .pipeline import Progress

# Candidates read from the index per query before re-ranking with shared terms.
MIN_CANDIDATES = 50


def query(
    db: Database, settings: Settings, texts: Sequence[str], k: int = 5, embedder: Embedder | None = None,
    min_score: float | None = None, article: str | None = None, progress: Progress | None = None,
) -> list[list[dict]]:
    """For each text, the k best claims (with article, line, score, speaker and quantities)."""
    from .config import check_settings
    from .pipeline import embed_missing, no_progress
    from .segment import claim_terms, load_nlp

    if k < 1:
        raise InputError("-k must be at least 1")
    check_settings(settings)
    embedder = embedder or embed.load_embedder(settings.model, settings.batch_size)
    # Claims ingested but not compared yet: the model is loaded for the query anyway, so embed them now.
    embed_missing(db, embedder, progress or no_progress)
    claim_index = _index(db, settings, embedder.name)
    query_vectors = embedder.embed_batch(list(texts))
    nlp = load_nlp()
    return [_rank(db, settings, claim_index, vector, claim_terms(nlp(text)[:]), k, min_score, article)
            for text, vector in zip(texts, query_vectors)]


def query_texts(text: str | None, file: Path | None) -> list[str]:
    """The queries to answer: TEXT, or each non-blank line of FILE."""
    if file is not None:
        try:
            lines = [line.strip() for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"cannot read {file}: {error}") from None
        if not lines:
            raise InputError(f"{file} holds no queries")
        return lines
    if not text or not text.strip():
        raise InputError("give a TEXT to search for, or --file with one query per line")
    return [text]


def _index(db: Database, settings: Settings, model: str) -> index.ClaimIndex:
    """The cached index, or one rebuilt from SQLite (and cached) when it is missing or stale."""
    ids = store.embedded_claim_ids(db, model)
    if not len(ids):
        raise InputError("no claims to search yet: `claimcheck ingest PATH` or `claimcheck report` first")
    claim_index = index.load(settings.index_path, model, ids)
    if claim_index is None:
        from .pairing import rebuild_index

        claim_index = rebuild_index(db, settings, model, ids, store.claim_vector_blocks(db, model))
        index.save(claim_index, settings.index_path)
    return claim_index


def _rank(
    db: Database, settings: Settings, claim_index: index.ClaimIndex, vector: np.ndarray, terms: list[str], k: int,
    min_score: float | None, article: str | None,
) -> list[dict]:
    sims, neighbours = claim_index.search(vector[None, :], max(MIN_CANDIDATES, k * 10))
    similarity_of = {int(i): float(s) for s, i in zip(sims[0], neighbours[0]) if i >= 0}
    df = store.term_document_frequency(db, terms)
    # Claims sharing a rare term with the query are candidates even when the index ranked them low.
    lexical_only = {i for term, n in df.items() if n <= settings.rare_term_max_df
                    for i in store.claims_with_term(db, term, settings.rare_term_max_df)} - set(similarity_of)
    for claim_id, other in store.vectors_of(db, claim_index.model, sorted(lexical_only)).items():
        similarity_of[claim_id] = float(other @ vector)
    rows = store.claims_by_id(db, sorted(similarity_of))
    df.update(store.term_document_frequency(db, {t for r in rows for t in json.loads(r["terms"])} - set(df)))
    idf = pair.idf_weights(df, store.claim_count(db))
    hits = []
    for row in rows:
        if article and article not in (row["article"] or ""):
            continue
        similarity = similarity_of[row["id"]]
        lexical = pair.lexical_overlap(terms, json.loads(row["terms"]), idf)
        score = pair.hybrid_score(similarity, lexical, settings.lexical_weight)
        if min_score is not None and score < min_score:
            continue
        hits.append({"claim_id": row["id"], "article": row["article"], "outlet": row["outlet"], "line": row["line"],
                     "text": row["text"], "score": round(score, 4), "similarity": round(similarity, 4),
                     "lexical": round(lexical, 4), "speaker": row["speaker"],
                     "quantities": [q["text"] for q in json.loads(row["quantities"])]})
    return sorted(hits, key=lambda hit: -hit["score"])[:k]

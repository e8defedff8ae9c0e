"""Figures from different articles that measure the same thing, found by the meaning of their measure phrases.

Two outlets rarely word one measure alike ("had been recovered" / "retrieved"; "a city of 2 million" /
"the capital of 3 million"), and the sentences around the figures often say different things, so claim
similarity alone misses them. Each figure's measure phrase (frames.py: the figure masked, what it counts and
what happened to it) is embedded with the claims' model and cached in the same table, keyed by the phrase's
hash; a FAISS inner-product index over the distinct phrases finds, for each figure of a new article, the
figures elsewhere whose phrases are alike. Their claims become pairs, and the checks decide with the
structure (measures.py, relation.py) whether the figures measure the same thing and disagree.
"""
from __future__ import annotations

import os
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlite_utils import Database

from . import index, store, timeref
from .embed import Embedder
from .ingest import text_hash
from .measures import MEASURE_SIMILARITY_SAME_THING, Setting
from .quantities import Quantity

if TYPE_CHECKING:
    from .checks import Side

NEIGHBOURS = 30  # per figure; a story's outlets repeat one measure a few dozen times at most


@lru_cache(maxsize=1 << 16)  # the checks ask it for both phrases of every figure pair they weigh
def phrase_key(phrase: str) -> str:
    """The cache key of a measure phrase: the same hash as a claim with that text (same text, same vector)."""
    return text_hash(phrase)


def embed_phrases(db: Database, embedder: Embedder, progress: Callable, chunk: int = 256,
                  articles: Sequence[int] | None = None) -> int:
    """Embed every measure phrase (of these articles' claims, or of all) this model has not embedded yet; returns
    how many."""
    rows = store.measure_figures(db, None if articles is None else list(articles))
    phrases = {phrase_key(phrase): phrase for _, _, _, phrase in rows}
    missing = sorted(store.missing_vectors(db, embedder.name, phrases), key=lambda key: (len(phrases[key]), key))
    if not missing:
        return 0
    with progress("Embedding measures", len(missing)) as advance:
        for start in range(0, len(missing), chunk):
            batch = missing[start:start + chunk]
            vectors = embedder.embed_batch([phrases[h] for h in batch], progress=advance)
            with store.transaction(db):
                store.save_embeddings(db, embedder.name, batch, vectors)
    return len(missing)


def candidate_pairs(db: Database, model: str, new_articles: Sequence[int],
                    threshold: float = MEASURE_SIMILARITY_SAME_THING,
                    cache: Path | None = None) -> dict[tuple[int, int], float]:
    """(claim a, claim b) -> best phrase similarity, for figures of `new_articles` and figures elsewhere; `cache`
    is phrase_matrix's file."""
    import faiss

    rows = store.measure_figures(db)  # kept by the database: no claim's quantities JSON is parsed here
    key_of = {phrase: phrase_key(phrase) for phrase in {row[3] for row in rows}}
    figures = [(claim, article, kind, key_of[phrase]) for claim, article, kind, phrase in rows]
    keys, matrix = phrase_matrix(db, model, sorted({f[3] for f in figures}), cache)
    if not keys:
        return {}
    row_of = {k: n for n, k in enumerate(keys)}
    by_phrase: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for claim, article, kind, key in figures:
        by_phrase[key].append((claim, article, kind))
    new = set(new_articles)
    queries = sorted({key for _, article, _, key in figures if article in new and key in row_of})
    if not queries:
        return {}
    phrase_index = faiss.IndexFlatIP(matrix.shape[1])
    phrase_index.add(matrix)
    sims, neighbours = phrase_index.search(matrix[[row_of[k] for k in queries]], min(NEIGHBOURS, len(keys)))
    found: dict[tuple[int, int], float] = {}
    for key, row_sims, row_ids in zip(queries, sims, neighbours):
        for sim, other in zip(row_sims, row_ids):
            if other < 0 or sim < threshold:
                continue
            _join(by_phrase[key], by_phrase[keys[other]], float(sim), new, found)
    return found


def phrase_matrix(db: Database, model: str, keys: list[str], cache: Path | None = None) -> tuple[list[str], np.ndarray]:
    """(the keys that have a vector, their vectors as rows), read from the `cache` file where it holds them.

    SQLite reads each 1.5 KB vector from an overflow page of its own: on a 100k-claim database with its 20k phrases
    embedded, the add's candidate step took 1.44-1.76 s reading them there and 0.27-0.52 s from the file, which is
    one read (dev timings, three interleaved rounds). The file is rewritten when phrases came or went.
    A phrase's vector never changes within one database (embeddings are keyed by text and model), so the file
    is trusted for the database and model it names; anything else in it is ignored and the file rewritten.
    """
    tag = f"{store.database_id(db)} {model}"
    cached_keys, cached = _read_phrase_cache(cache, tag) if cache else ([], None)
    row_of = {key: row for row, key in enumerate(cached_keys)}
    fetched = store.vectors_by_hash(db, model, [key for key in keys if key not in row_of])
    found = sorted([key for key in keys if key in row_of] + list(fetched))
    if cached is not None and not fetched and len(found) == len(cached_keys):
        return cached_keys, cached  # no phrase came or went since the file was written
    if not found:
        return [], np.zeros((0, 0), dtype=np.float32)
    matrix = np.stack([cached[row_of[key]] if key in row_of else fetched[key] for key in found]).astype(np.float32)
    if cache:
        _write_phrase_cache(cache, tag, found, matrix)
    return found, matrix


def read_ahead(db: Database, model: str, cache: Path | None) -> None:
    """Hash every measure phrase and read the phrase file now, for a `candidate_pairs` later in this process: an
    add does it while spaCy parses the new article (0.06 s and 0.03 s of its candidate step at 100k claims)."""
    for phrase in {row[3] for row in store.measure_figures(db)}:
        phrase_key(phrase)
    if cache is not None and cache.exists():
        tag = f"{store.database_id(db)} {model}"
        _READ_AHEAD[str(cache)] = (index.file_key(cache), tag, _read_phrase_cache(cache, tag))


# What read_ahead read, by file: (the file's inode, size and mtime then, its tag, keys and vectors); used once.
_READ_AHEAD: dict[str, tuple[tuple, str, tuple[list[str], np.ndarray | None]]] = {}


def _read_phrase_cache(path: Path, tag: str) -> tuple[list[str], np.ndarray | None]:
    ahead = _READ_AHEAD.pop(str(path), None)
    try:
        if ahead is not None and ahead[:2] == (index.file_key(path), tag):
            return ahead[2]  # the file has not changed since read_ahead read it
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["tag"]) != tag:
                return [], None
            keys, vectors = [key.decode() for key in saved["keys"].tolist()], saved["vectors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return [], None  # missing, damaged or foreign: built again from SQLite
    return (keys, vectors) if vectors.ndim == 2 and len(keys) == len(vectors) else ([], None)


def _write_phrase_cache(path: Path, tag: str, keys: list[str], vectors: np.ndarray) -> None:
    """Atomically: a file private to this process, then renamed over the old one (two writers leave one whole)."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            np.savez(handle, tag=np.array(tag), keys=np.array(keys, dtype="S"), vectors=vectors)
        tmp.replace(path)
    except OSError:
        pass  # a cache: a folder that cannot hold it costs the next run its SQLite reads, nothing else
    finally:
        tmp.unlink(missing_ok=True)


def _join(side_a: list, side_b: list, sim: float, new: set[int], found: dict) -> None:
    for claim_a, article_a, kind_a in side_a:
        if article_a not in new:
            continue
        for claim_b, article_b, kind_b in side_b:
            if article_a == article_b or kind_a != kind_b:
                continue
            pair = (min(claim_a, claim_b), max(claim_a, claim_b))
            found[pair] = max(found.get(pair, 0.0), sim)


def claim_pairs(db: Database, model: str, candidates: dict[tuple[int, int], float]) -> list[tuple]:
    """Rows for store.insert_pairs: each candidate with its claims' cosine (lexical 0, score the cosine)."""
    vectors = store.vectors_of(db, model, sorted({c for pair in candidates for c in pair}))
    rows = []
    for a, b in candidates:
        if a in vectors and b in vectors:
            cosine = float(vectors[a] @ vectors[b])
            rows.append((a, b, cosine, 0.0, cosine))
    return rows


# --- what the checks need to compare figures --------------------------------------------------------


def article_anchors(db: Database) -> dict[int, tuple[date | None, str]]:
    """Each article's date and where it was read from ("published", "dateline" or "")."""
    return {article: timeref.article_anchor(published, head)
            for article, (published, head) in store.article_dates(db).items()}


def phrase_vectors(db: Database, model: str, sides: Iterable[Side],
                   held: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """The cached vectors of every measure phrase of these claims (as the checks read them, figures parsed): from
    `held` (phrase_file's) where it has them, else from SQLite."""
    keys = {phrase_key(q.measure) for side in sides for q in side.quantities if q.measure}
    found = {key: held[key] for key in keys if key in held} if held else {}
    return found | store.vectors_by_hash(db, model, keys - set(found))


def phrase_file(db: Database, model: str, cache: Path | None) -> dict[str, np.ndarray]:
    """The phrase vectors phrase_matrix's file holds for this database and model (none if it holds none).

    The checks' workers read a batch's phrase vectors from SQLite, 0.04-0.08 s per 10,000 pairs, each vector an
    overflow page of its own; a vector never changes within one database, so the file's are the same values."""
    if cache is None:
        return {}
    keys, matrix = _read_phrase_cache(cache, f"{store.database_id(db)} {model}")
    return {} if matrix is None else dict(zip(keys, matrix))


def setting_for(row: dict, anchors: dict, vectors: dict[str, np.ndarray]) -> Setting:
    """What the quantity check knows about one pair: each article's date and how alike two measures are."""
    def similarity(a: Quantity, b: Quantity) -> float | None:
        va, vb = vectors.get(phrase_key(a.measure)), vectors.get(phrase_key(b.measure))
        return float(va @ vb) if va is not None and vb is not None else None

    return Setting(anchors.get(row["article_id_a"], (None, ""))[0], anchors.get(row["article_id_b"], (None, ""))[0],
                   similarity)

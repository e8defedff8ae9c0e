"""Articles, their names, claims with their facts and terms, cached embeddings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlite_utils import Database

from ._sql import _all, _by_chunks, _chunks, _one, now

# --- meta -------------------------------------------------------------------------------------


def get_meta(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: Database, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])


def database_id(db: Database) -> str:
    """The random id migration m010 gave this database."""
    return get_meta(db, "database_id") or ""


# --- articles and claims ----------------------------------------------------------------------


def article_by_hash(db: Database, content_hash: str) -> dict | None:
    return _one(db, "SELECT * FROM articles WHERE content_hash = ?", [content_hash])


def article_by_source(db: Database, path: str) -> dict | None:
    return _one(
        db, "SELECT articles.* FROM sources JOIN articles ON articles.id = sources.article_id WHERE path = ?", [path]
    )


def article(db: Database, article_id: int) -> dict | None:
    return _one(db, "SELECT * FROM articles WHERE id = ?", [article_id])


def remember_source(db: Database, path: str, name: str, article_id: int) -> None:
    db.execute(
        "INSERT OR REPLACE INTO sources (path, article_id, name, seen_at) VALUES (?, ?, ?, ?)",
        [path, article_id, name, now()],
    )


def insert_article(db: Database, row: dict[str, Any], claims: list[dict[str, Any]]) -> int:
    """Insert one article with its claims and their terms; returns the article id."""
    cursor = db.execute(
        "INSERT INTO articles (name, content_hash, title, outlet, url, published, text, aliases, facts_version,"
        " ingested_at) VALUES (:name, :content_hash, :title, :outlet, :url, :published, :text, :aliases,"
        " :facts_version, :ingested_at)",
        {"facts_version": None, **row, "ingested_at": now()},
    )
    _insert_claims(db, cursor.lastrowid, claims)
    return cursor.lastrowid


def _insert_claims(db: Database, article_id: int, claims: list[dict[str, Any]]) -> None:
    for claim in claims:
        cursor = db.execute(
            'INSERT INTO claims (article_id, idx, start, "end", line, text, text_hash, terms, quantities,'
            " attribution, speaker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                article_id, claim["idx"], claim["start"], claim["end"], claim["line"], claim["text"],
                claim["text_hash"], json.dumps(claim["terms"]), json.dumps(claim["quantities"]),
                json.dumps(claim["attribution"]) if claim["attribution"] else None, claim["speaker"],
            ],
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO claim_terms (claim_id, term) VALUES (?, ?)",
            [(cursor.lastrowid, term) for term in set(claim["terms"])],
        )


def articles_with_facts_not_from(db: Database, version: str) -> list[dict]:
    """Articles (with their text) whose claims' facts another extractor version made, in id order."""
    return _all(db, "SELECT * FROM articles WHERE facts_version IS NOT ? ORDER BY id", [version])


def set_article_facts(db: Database, article_id: int, aliases: str, version: str) -> None:
    db.execute("UPDATE articles SET aliases = ?, facts_version = ? WHERE id = ?", [aliases, version, article_id])


def claims_of_article(db: Database, article_id: int) -> list[dict]:
    """An article's claims as stored (facts as JSON text), in text order."""
    return _all(db, "SELECT * FROM claims WHERE article_id = ? ORDER BY idx", [article_id])


def update_claim_facts(db: Database, claim_id: int, facts: dict[str, Any]) -> None:
    """New facts (JSON text, as stored) for one claim; its terms index follows."""
    db.execute("UPDATE claims SET terms = ?, quantities = ?, attribution = ?, speaker = ? WHERE id = ?",
               [facts["terms"], facts["quantities"], facts["attribution"], facts["speaker"], claim_id])
    db.execute("DELETE FROM claim_terms WHERE claim_id = ?", [claim_id])
    db.conn.executemany("INSERT OR IGNORE INTO claim_terms (claim_id, term) VALUES (?, ?)",
                        [(claim_id, term) for term in set(json.loads(facts["terms"]))])


def replace_claims(db: Database, article_id: int, claims: list[dict[str, Any]]) -> None:
    """Replace an article's claims (their pairs and findings go with them) and send it back to pairing."""
    db.execute("DELETE FROM claims WHERE article_id = ?", [article_id])
    _insert_claims(db, article_id, claims)
    mark_unpaired(db, [article_id])


def mark_unpaired(db: Database, article_ids: Iterable[int]) -> None:
    db.conn.executemany("UPDATE articles SET paired_at = NULL WHERE id = ?", [(i,) for i in article_ids])


def has_sources(db: Database, article_id: int) -> bool:
    """Whether any file name still points at this article."""
    return db.execute("SELECT 1 FROM sources WHERE article_id = ?", [article_id]).fetchone() is not None


def source_paths(db: Database) -> dict[int, str]:
    """Each article's first path (alphabetically) among those it was read from."""
    return {row[0]: row[1] for row in db.execute("SELECT article_id, min(path) FROM sources GROUP BY article_id")}


def delete_article(db: Database, article_id: int) -> None:
    """Remove an article; its claims, pairs, flags and agreements go with it (reviews stay)."""
    db.execute("DELETE FROM articles WHERE id = ?", [article_id])


def articles(db: Database) -> list[dict]:
    """Every article (without its text) with its claim count and names, in id order."""
    return _all(
        db,
        "SELECT articles.id, articles.name, articles.content_hash, articles.title, articles.outlet, articles.url,"
        " articles.published, articles.ingested_at, articles.paired_at, articles.facts_version,"
        " (SELECT count(*) FROM claims WHERE article_id = articles.id) AS n_claims,"
        " (SELECT group_concat(name, ', ') FROM sources WHERE article_id = articles.id) AS names"
        " FROM articles ORDER BY id",
    )


_CLAIM_SELECT = ("SELECT claims.*, articles.name AS article, articles.outlet AS outlet FROM claims"
                 " JOIN articles ON articles.id = claims.article_id")


def claims(db: Database) -> list[dict]:
    """Every claim joined with its article's name and outlet, in id order."""
    return _all(db, f"{_CLAIM_SELECT} ORDER BY claims.id")


def claim_in_context(db: Database, claim_id: int, around: int = 1) -> list[dict]:
    """A claim (as `claims` returns it) with the `around` claims before and after it in its article."""
    return _all(
        db,
        f"{_CLAIM_SELECT} WHERE claims.article_id = (SELECT article_id FROM claims WHERE id = ?) AND claims.idx"
        " BETWEEN (SELECT idx FROM claims WHERE id = ?) - ? AND (SELECT idx FROM claims WHERE id = ?) + ?"
        " ORDER BY claims.idx",
        [claim_id, claim_id, around, claim_id, around],
    )


def claims_by_id(db: Database, claim_ids: list[int]) -> list[dict]:
    """Claims (as `claims` returns them) for any number of ids."""
    rows: list[dict] = []
    for chunk in _chunks(claim_ids, 500):
        rows += _all(db, f"{_CLAIM_SELECT} WHERE claims.id IN ({','.join('?' * len(chunk))}) ORDER BY claims.id", chunk)
    return rows


def article_of_claims(db: Database) -> dict[int, int]:
    """{claim id: article id} for every claim (read from the claims' article index alone)."""
    return dict(db.conn.execute("SELECT id, article_id FROM claims").fetchall())


def claim_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM claims").fetchone()[0]


def unpaired_article_ids(db: Database) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM articles WHERE paired_at IS NULL ORDER BY id")]


def mark_paired(db: Database, article_ids: Iterable[int]) -> None:
    db.conn.executemany("UPDATE articles SET paired_at = ? WHERE id = ?", [(now(), i) for i in article_ids])
    set_meta(db, "pairing_generation", str(pairing_generation(db) + 1))


def pairing_generation(db: Database) -> int:
    """A counter each committed pairing pass moves on: a pass that finds it moved since its snapshot knows another
    process paired claims that its search did not see (one row read instead of every paired claim's id)."""
    return int(get_meta(db, "pairing_generation") or 0)


def term_document_frequency(db: Database, terms: Iterable[str]) -> dict[str, int]:
    """How many claims contain each term (the corpus statistics behind rare-term weights)."""
    found: dict[str, int] = {}
    terms = list(set(terms))
    for chunk in _chunks(terms, 500):
        marks = ",".join("?" * len(chunk))
        for term, count in db.execute(
            f"SELECT term, count(*) FROM claim_terms WHERE term IN ({marks}) GROUP BY term", chunk
        ):
            found[term] = count
    return found


def claims_with_term(db: Database, term: str, limit: int) -> list[int]:
    return [row[0] for row in db.execute("SELECT claim_id FROM claim_terms WHERE term = ? LIMIT ?", [term, limit])]


def claims_with_terms(db: Database, terms: Iterable[str], limit: int) -> dict[str, list[int]]:
    """The claims holding each of these terms (at most `limit` per term, in id order), in one query per 500 terms
    rather than one per term (30k queries, 1.7 s of pairing 100k claims)."""
    found: dict[str, list[int]] = {term: [] for term in sorted(set(terms))}
    for chunk in _chunks(list(found), 500):
        marks = ",".join("?" * len(chunk))
        for term, claim in db.execute(f"SELECT term, claim_id FROM claim_terms WHERE term IN ({marks})"
                                      " ORDER BY term, claim_id", chunk):
            if len(found[term]) < limit:
                found[term].append(claim)
    return found


# --- embeddings -------------------------------------------------------------------------------


def missing_embeddings(db: Database, model: str, unpaired_only: bool = False) -> list[tuple[str, str]]:
    """(text_hash, text) of claims with no cached vector for this model, each text once; only those of articles
    not yet paired if `unpaired_only` (a pass pairing with this model knows the paired ones all have vectors).

    Each claim's vector is looked up by its key: `text_hash NOT IN (SELECT ...)` read every vector of the corpus."""
    where = "article_id IN (SELECT id FROM articles WHERE paired_at IS NULL) AND " if unpaired_only else ""
    return [
        (row[0], row[1])
        for row in db.execute(
            f"SELECT text_hash, min(text) FROM claims WHERE {where}"
            "NOT EXISTS (SELECT 1 FROM embeddings WHERE model = ? AND text_hash = claims.text_hash)"
            " GROUP BY text_hash ORDER BY min(id)",
            [model],
        )
    ]


def save_embeddings(db: Database, model: str, hashes: list[str], vectors: np.ndarray) -> None:
    db.conn.executemany(
        "INSERT OR REPLACE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)",
        [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors)],
    )


# CROSS JOIN: claims drive the loop, so a WHERE on claims is applied before any embedding is read.
_CLAIMS_WITH_VECTORS = (" FROM claims CROSS JOIN embeddings ON embeddings.text_hash = claims.text_hash"
                        " AND embeddings.model = ?")


def claim_vectors(db: Database, model: str, unpaired_only: bool = False,
                  articles: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(claim ids, float32 matrix) for claims with a vector for this model (only those of articles not yet paired
    if `unpaired_only`, only those of `articles` if given), filled straight from the cursor."""
    where = "claims.article_id IN (SELECT id FROM articles WHERE paired_at IS NULL)" if unpaired_only else "1"
    params: list[Any] = []
    if articles is not None:  # one JSON parameter, however many articles
        where += " AND claims.article_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(articles)))
    from_where = f"{_CLAIMS_WITH_VECTORS} WHERE {where}"
    count = db.execute(f"SELECT count(*){from_where}", [model, *params]).fetchone()[0]
    ids = np.empty(count, dtype=np.int64)
    matrix: np.ndarray | None = None
    row = -1
    for row, (claim_id, blob) in enumerate(db.execute(f"SELECT claims.id, embeddings.vector{from_where} ORDER BY claims.id",
                                                      [model, *params])):
        if row >= count:
            break  # another process added claims between the two queries: they wait for the next pass
        vector = np.frombuffer(blob, dtype=np.float32)
        if matrix is None:
            matrix = np.empty((count, len(vector)), dtype=np.float32)
        ids[row], matrix[row] = claim_id, vector
    filled = row + 1
    if matrix is None:
        return ids[:0], np.zeros((0, 0), dtype=np.float32)
    return ids[:filled], matrix[:filled]


def claim_vector_blocks(db: Database, model: str, block: int = 50_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(claim ids, float32 matrix) of every claim with a vector for this model, `block` claims at a time, in id
    order: an index is built from them without a second full copy of the vectors."""
    rows = db.execute(f"SELECT claims.id, embeddings.vector{_CLAIMS_WITH_VECTORS} ORDER BY claims.id", [model])
    while True:
        chunk = rows.fetchmany(block)
        if not chunk:
            return
        ids = np.fromiter((claim_id for claim_id, _ in chunk), dtype=np.int64, count=len(chunk))
        yield ids, np.vstack([np.frombuffer(blob, dtype=np.float32) for _, blob in chunk])


def vector_sample(db: Database, model: str, claim_ids: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """The vectors of `size` of these claims drawn at random (claims are stored in article order, so the first
    ones would all be about the first stories)."""
    chosen = np.random.default_rng(seed).choice(claim_ids, size=min(size, len(claim_ids)), replace=False)
    vectors = vectors_of(db, model, sorted(chosen.tolist()))
    return np.stack(list(vectors.values())).astype(np.float32)


def embedded_claim_ids(db: Database, model: str) -> np.ndarray:
    """Ids of every claim with a vector for this model, ascending."""
    rows = db.execute(
        "SELECT claims.id FROM claims JOIN embeddings ON embeddings.text_hash = claims.text_hash"
        " AND embeddings.model = ? ORDER BY claims.id",
        [model],
    )
    return np.fromiter((row[0] for row in rows), dtype=np.int64)


def vectors_of(db: Database, model: str, claim_ids: list[int]) -> dict[int, np.ndarray]:
    """The vectors of these claims, by claim id."""
    found: dict[int, np.ndarray] = {}
    for chunk in _chunks(claim_ids, 500):
        marks = ",".join("?" * len(chunk))
        for claim_id, blob in db.execute(
            # Claims as the outer loop: SQLite otherwise scans every embedding (150x slower).
            f"SELECT claims.id, embeddings.vector{_CLAIMS_WITH_VECTORS} WHERE claims.id IN ({marks})", [model, *chunk]
        ):
            found[claim_id] = np.frombuffer(blob, dtype=np.float32)
    return found


def claim_terms(db: Database, claim_ids: list[int]) -> list[tuple[int, str]]:
    """(claim id, JSON list of terms) for these claims."""
    return _by_chunks(db, "SELECT id, terms FROM claims WHERE id IN ({marks})", claim_ids)


def claim_articles(db: Database, claim_ids: list[int]) -> list[tuple[int, int]]:
    """(claim id, article id) for these claims."""
    return _by_chunks(db, "SELECT id, article_id FROM claims WHERE id IN ({marks})", claim_ids)


def measure_figures(db: Database, article_ids: list[int] | None = None) -> list[tuple[int, int, str, str]]:
    """(claim id, article id, kind, measure phrase) of every figure that has a phrase (the figures table), of
    these articles or all."""
    if article_ids is None:
        return db.conn.execute("SELECT claim_id, article_id, kind, measure FROM figures").fetchall()
    return _by_chunks(db, "SELECT claim_id, article_id, kind, measure FROM figures WHERE article_id IN ({marks})",
                      article_ids)


def missing_vectors(db: Database, model: str, hashes: Iterable[str]) -> set[str]:
    """Which of these text hashes have no cached vector for this model."""
    wanted = sorted(set(hashes))
    found: set[str] = set()
    for chunk in _chunks(wanted, 500):
        marks = ",".join("?" * len(chunk))
        found.update(row[0] for row in db.execute(
            f"SELECT text_hash FROM embeddings WHERE model = ? AND text_hash IN ({marks})", [model, *chunk]))
    return set(wanted) - found


def vectors_by_hash(db: Database, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
    """Cached vectors of these text hashes (claims or measure phrases) for this model."""
    found: dict[str, np.ndarray] = {}
    for chunk in _chunks(sorted(set(hashes)), 500):
        marks = ",".join("?" * len(chunk))
        for text_hash, blob in db.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN ({marks})", [model, *chunk]):
            found[text_hash] = np.frombuffer(blob, dtype=np.float32)
    return found


def article_dates(db: Database) -> dict[int, tuple[str | None, str]]:
    """(published, the text's first 200 characters) of every article: what its date is read from."""
    return {row[0]: (row[1], row[2]) for row in db.execute("SELECT id, published, substr(text, 1, 200) FROM articles")}


def embedding_models(db: Database) -> list[tuple[str, int]]:
    return [(row[0], row[1]) for row in db.execute("SELECT model, count(*) FROM embeddings GROUP BY model")]

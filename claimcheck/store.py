"""The SQLite store: open a database, apply the schema's migrations, and every query (the only module with SQL).

SQLite is the single source of truth. Each table is plain and readable so that
`datasette claimcheck.db` browses it without any change.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .errors import DatabaseError

migrations = Migrations("claimcheck")


@migrations()
def m001_initial(db: Database) -> None:
    """Articles, their names, claims, cached embeddings, pairs, flags, agreements and reviews."""
    _execute_script(
        db,
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,              -- file name shown to people
            content_hash TEXT NOT NULL UNIQUE,
            title TEXT, outlet TEXT, url TEXT, published TEXT,
            text TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',  -- alias pairs learnt from this article (JSON)
            ingested_at TEXT NOT NULL,
            paired_at TEXT                    -- NULL until its claims have been paired
        );
        CREATE TABLE sources (
            path TEXT PRIMARY KEY,           -- where an article was read from; duplicates keep every name
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            seen_at TEXT NOT NULL
        );
        CREATE TABLE claims (
            id INTEGER PRIMARY KEY,          -- also the claim's id in the FAISS index
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, line INTEGER NOT NULL,
            text TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            terms TEXT NOT NULL,             -- JSON list of content lemmas, names and numbers
            quantities TEXT NOT NULL,        -- JSON list of quantities.Quantity
            attribution TEXT,                -- JSON attribution.Attribution or NULL
            speaker TEXT                     -- the speaker as resolved in the article, for reading
        );
        CREATE INDEX claims_article ON claims(article_id);
        CREATE INDEX claims_hash ON claims(text_hash);
        CREATE TABLE claim_terms (
            claim_id INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            term TEXT NOT NULL,
            PRIMARY KEY (term, claim_id)
        ) WITHOUT ROWID;
        CREATE INDEX claim_terms_claim ON claim_terms(claim_id);
        CREATE TABLE embeddings (
            model TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            vector BLOB NOT NULL,            -- float32, L2-normalised
            PRIMARY KEY (model, text_hash)
        ) WITHOUT ROWID;
        CREATE TABLE article_links (
            article_a INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            article_b INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            relation TEXT NOT NULL,          -- 'copy': one source run twice (wire copy, a page saved twice)
            shared REAL NOT NULL,
            PRIMARY KEY (article_a, article_b)
        );
        CREATE TABLE pairs (
            id INTEGER PRIMARY KEY,
            claim_a INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            claim_b INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            similarity REAL NOT NULL,        -- cosine of the two embeddings
            lexical REAL NOT NULL,           -- weighted overlap of rare terms, names and numbers
            score REAL NOT NULL,             -- what pairing ranks on
            checked INTEGER NOT NULL DEFAULT 0,
            UNIQUE (claim_a, claim_b)
        );
        CREATE INDEX pairs_b ON pairs(claim_b);
        CREATE TABLE flags (
            id TEXT PRIMARY KEY,             -- derived from content: stable across re-runs
            kind TEXT NOT NULL,              -- numeric | date | attribution
            verdict TEXT NOT NULL,           -- conflict | revision (a difference between copies)
            pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
            claim_a INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            claim_b INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            value_a TEXT NOT NULL, value_b TEXT NOT NULL,
            norm_a TEXT, norm_b TEXT,
            about TEXT NOT NULL,
            similarity REAL NOT NULL,
            confidence REAL NOT NULL,
            reason TEXT NOT NULL,
            shared TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE agreements (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
            claim_a INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            claim_b INTEGER NOT NULL REFERENCES claims(id) ON DELETE CASCADE,
            value_a TEXT NOT NULL, value_b TEXT NOT NULL,
            about TEXT NOT NULL,
            independent INTEGER NOT NULL,    -- 0 when the two articles are copies of one source
            reason TEXT NOT NULL
        );
        CREATE TABLE reviews (
            flag_id TEXT PRIMARY KEY,        -- no foreign key: a decision outlives its flag and returns with it
            decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
            note TEXT,
            reviewer TEXT,
            decided_at TEXT NOT NULL
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """
    )


@migrations()
def m002_flag_relation(db: Database) -> None:
    """What each flag is: a conflict, an update over time or a revision; what it measures, when, cited from whom."""
    _execute_script(
        db,
        """
        -- relation: conflict | update | revision; time_*: ISO date or interval; source_*: whom each side cites
        ALTER TABLE flags ADD COLUMN relation TEXT NOT NULL DEFAULT 'conflict';
        ALTER TABLE flags ADD COLUMN measure TEXT NOT NULL DEFAULT '';
        ALTER TABLE flags ADD COLUMN time_a TEXT;
        ALTER TABLE flags ADD COLUMN time_b TEXT;
        ALTER TABLE flags ADD COLUMN source_a TEXT;
        ALTER TABLE flags ADD COLUMN source_b TEXT;
        UPDATE flags SET relation = CASE verdict WHEN 'revision' THEN 'revision' ELSE 'conflict' END, measure = about;
        """,
    )


def known_migrations(schema: Migrations = migrations) -> set[str]:
    """The names of every migration this claimcheck knows (`pending` on an empty database lists them all)."""
    return {migration.name for migration in schema.pending(Database(memory=True))}


def _execute_script(db: Database, script: str) -> None:
    # Not executescript(): it commits, which would break the migration's transaction.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def now() -> str:
    """UTC timestamp for rows."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_db(path: Path | str, schema: Migrations = migrations) -> Database:
    """Open (creating if needed) a claimcheck database and bring its schema up to date."""
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    if path.parent and not path.parent.exists():
        raise DatabaseError(f"the folder for the database does not exist: {path.parent}")
    try:
        conn = sqlite3.connect(str(path), timeout=60)
        db = Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 60000")
        # WAL lets `query` and `flags` read while a `report` writes.
        with db.ensure_autocommit_on():
            db.execute("PRAGMA journal_mode = WAL")
        _refuse_newer_schema(db, schema)
        if schema.pending(db) or not db[schema.migrations_table].exists():
            # Under the write lock: a second process creating the same new database waits here,
            # then finds nothing pending instead of creating every table a second time.
            with transaction(db):
                _refuse_newer_schema(db, schema)
                schema.apply(db)
    except sqlite3.DatabaseError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise DatabaseError(f"{path} stayed locked by another claimcheck for over a minute; try again") from None
        raise DatabaseError(f"{path} is not a usable claimcheck database ({error})") from None
    return db


def _refuse_newer_schema(db: Database, schema: Migrations = migrations) -> None:
    if not db[schema.migrations_table].exists():
        if db.table_names() and "articles" not in db.table_names():
            raise DatabaseError("this SQLite file was not made by claimcheck; use another --db")
        return
    applied = {row["name"] for row in db[schema.migrations_table].rows_where("migration_set = ?", [schema.name])}
    unknown = applied - known_migrations(schema)
    if unknown:
        raise DatabaseError(
            f"this database was written by a newer claimcheck (schema {sorted(unknown)[-1]}); upgrade claimcheck"
        )


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction; IMMEDIATE so that two writers queue instead of deadlocking.

    Inside another `transaction` it joins the outer one, which commits or rolls back the whole.
    (Only ours: an implicit transaction left open by a stray write still makes BEGIN fail loudly.)
    """
    if getattr(db, "_claimcheck_transaction", False):
        yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    db._claimcheck_transaction = True  # type: ignore[attr-defined]
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")
    finally:
        db._claimcheck_transaction = False  # type: ignore[attr-defined]


# --- meta -------------------------------------------------------------------------------------


def get_meta(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: Database, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])


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
        "INSERT INTO articles (name, content_hash, title, outlet, url, published, text, aliases, ingested_at)"
        " VALUES (:name, :content_hash, :title, :outlet, :url, :published, :text, :aliases, :ingested_at)",
        {**row, "ingested_at": now()},
    )
    article_id = cursor.lastrowid
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
    return article_id


def delete_article(db: Database, article_id: int) -> None:
    """Remove an article; its claims, pairs, flags and agreements go with it (reviews stay)."""
    db.execute("DELETE FROM articles WHERE id = ?", [article_id])


def articles(db: Database) -> list[dict]:
    """Every article (without its text) with its claim count and names, in id order."""
    return _all(
        db,
        "SELECT articles.id, articles.name, articles.content_hash, articles.title, articles.outlet, articles.url,"
        " articles.published, articles.ingested_at, articles.paired_at,"
        " (SELECT count(*) FROM claims WHERE article_id = articles.id) AS n_claims,"
        " (SELECT group_concat(name, ', ') FROM sources WHERE article_id = articles.id) AS names"
        " FROM articles ORDER BY id",
    )


def claims(db: Database, where: str = "1", params: Iterable[Any] = ()) -> list[dict]:
    """Claims joined with their article's name, filtered by a WHERE clause written by this package."""
    return _all(
        db,
        "SELECT claims.*, articles.name AS article, articles.outlet AS outlet FROM claims"
        f" JOIN articles ON articles.id = claims.article_id WHERE {where} ORDER BY claims.id",
        list(params),
    )


def claims_by_id(db: Database, claim_ids: list[int]) -> list[dict]:
    """Claims (as `claims` returns them) for any number of ids."""
    rows: list[dict] = []
    for chunk in _chunks(claim_ids, 500):
        rows += claims(db, f"claims.id IN ({','.join('?' * len(chunk))})", chunk)
    return rows


def claim_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM claims").fetchone()[0]


def unpaired_article_ids(db: Database) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM articles WHERE paired_at IS NULL ORDER BY id")]


def mark_paired(db: Database, article_ids: Iterable[int]) -> None:
    db.conn.executemany("UPDATE articles SET paired_at = ? WHERE id = ?", [(now(), i) for i in article_ids])


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


# --- embeddings -------------------------------------------------------------------------------


def missing_embeddings(db: Database, model: str) -> list[tuple[str, str]]:
    """(text_hash, text) of claims with no cached vector for this model, each text once."""
    return [
        (row[0], row[1])
        for row in db.execute(
            "SELECT text_hash, min(text) FROM claims WHERE text_hash NOT IN"
            " (SELECT text_hash FROM embeddings WHERE model = ?) GROUP BY text_hash ORDER BY min(id)",
            [model],
        )
    ]


def save_embeddings(db: Database, model: str, hashes: list[str], vectors: np.ndarray) -> None:
    db.conn.executemany(
        "INSERT OR REPLACE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)",
        [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors)],
    )


def claim_vectors(db: Database, model: str, where: str = "1", params: Iterable[Any] = ()) -> tuple[np.ndarray, np.ndarray]:
    """(claim ids, float32 matrix) for claims that have a vector for this model, filled straight from the cursor."""
    # CROSS JOIN: claims drive the loop, so a WHERE on claims is applied before any embedding is read.
    from_where = (" FROM claims CROSS JOIN embeddings ON embeddings.text_hash = claims.text_hash"
                  f" AND embeddings.model = ? WHERE {where}")
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
            # CROSS JOIN keeps claims as the outer loop: SQLite otherwise scans every embedding (150x slower).
            "SELECT claims.id, embeddings.vector FROM claims CROSS JOIN embeddings ON embeddings.text_hash ="
            f" claims.text_hash AND embeddings.model = ? WHERE claims.id IN ({marks})", [model, *chunk]
        ):
            found[claim_id] = np.frombuffer(blob, dtype=np.float32)
    return found


def claim_terms(db: Database, claim_ids: list[int]) -> list[tuple[int, str]]:
    """(claim id, JSON list of terms) for these claims."""
    return _by_chunks(db, "SELECT id, terms FROM claims WHERE id IN ({marks})", claim_ids)


def claim_articles(db: Database, claim_ids: list[int]) -> list[tuple[int, int]]:
    """(claim id, article id) for these claims."""
    return _by_chunks(db, "SELECT id, article_id FROM claims WHERE id IN ({marks})", claim_ids)


def paired_claim_ids(db: Database, model: str) -> np.ndarray:
    """Ids of the claims, embedded with this model, whose articles have already been paired."""
    rows = db.execute(
        "SELECT claims.id FROM claims JOIN articles ON articles.id = claims.article_id"
        " JOIN embeddings ON embeddings.text_hash = claims.text_hash AND embeddings.model = ?"
        " WHERE articles.paired_at IS NOT NULL",
        [model],
    )
    return np.fromiter((row[0] for row in rows), dtype=np.int64)


def embedding_models(db: Database) -> list[tuple[str, int]]:
    return [(row[0], row[1]) for row in db.execute("SELECT model, count(*) FROM embeddings GROUP BY model")]


# --- pairs, links, flags, agreements ------------------------------------------------------------


def insert_pairs(db: Database, rows: list[tuple[int, int, float, float, float]]) -> None:
    """Insert (claim_a, claim_b, similarity, lexical, score) pairs; existing ones are kept.

    A pair whose claim another process deleted meanwhile (its article was replaced) is skipped.
    """
    alive = _existing(db, "claims", {claim for row in rows for claim in row[:2]})
    db.conn.executemany(
        "INSERT OR IGNORE INTO pairs (claim_a, claim_b, similarity, lexical, score) VALUES (?, ?, ?, ?, ?)",
        [row for row in rows if row[0] in alive and row[1] in alive],
    )


def pairs(db: Database, where: str = "1", params: Iterable[Any] = ()) -> list[dict]:
    """Pairs with both claims and their articles, best first."""
    return _all(
        db,
        "SELECT pairs.*, ca.text AS text_a, cb.text AS text_b, ca.article_id AS article_id_a,"
        " cb.article_id AS article_id_b, aa.name AS article_a, ab.name AS article_b, ca.line AS line_a, cb.line AS line_b,"
        " ca.quantities AS quantities_a, cb.quantities AS quantities_b,"
        " ca.attribution AS attribution_a, cb.attribution AS attribution_b"
        " FROM pairs JOIN claims ca ON ca.id = pairs.claim_a JOIN claims cb ON cb.id = pairs.claim_b"
        " JOIN articles aa ON aa.id = ca.article_id JOIN articles ab ON ab.id = cb.article_id"
        f" WHERE {where} ORDER BY pairs.score DESC",
        list(params),
    )


def copy_links(db: Database) -> set[tuple[int, int]]:
    return {(row[0], row[1]) for row in db.execute("SELECT article_a, article_b FROM article_links")}


def save_copy_link(db: Database, a: int, b: int, shared: float) -> None:
    db.execute(
        "INSERT OR REPLACE INTO article_links (article_a, article_b, relation, shared) VALUES (?, ?, 'copy', ?)",
        [min(a, b), max(a, b), shared],
    )


def uncheck_pairs_between(db: Database, a: int, b: int) -> None:
    """Send every pair between two articles back to the checks (their relation changed)."""
    db.execute(
        "UPDATE pairs SET checked = 0 WHERE id IN (SELECT pairs.id FROM pairs"
        " JOIN claims ca ON ca.id = claim_a JOIN claims cb ON cb.id = claim_b"
        " WHERE (ca.article_id = ? AND cb.article_id = ?) OR (ca.article_id = ? AND cb.article_id = ?))",
        [a, b, b, a],
    )


def all_aliases(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT aliases FROM articles ORDER BY id")]


def replace_findings(db: Database, pair_ids: list[int], flags: list[dict], agreements: list[dict]) -> None:
    """Store the checks' results for these pairs, replacing what earlier runs found for them.

    Findings of a pair that another process deleted meanwhile are dropped with it.
    """
    alive = _existing(db, "pairs", pair_ids)
    flags = [row for row in flags if row["pair_id"] in alive]
    agreements = [row for row in agreements if row["pair_id"] in alive]
    for chunk in _chunks(pair_ids, 500):
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM flags WHERE pair_id IN ({marks})", chunk)
        db.execute(f"DELETE FROM agreements WHERE pair_id IN ({marks})", chunk)
        db.execute(f"UPDATE pairs SET checked = 1 WHERE id IN ({marks})", chunk)
    if flags:
        db["flags"].insert_all(flags, replace=True)
    if agreements:
        db["agreements"].insert_all(agreements, replace=True)


FLAG_SELECT = (
    "SELECT flags.*, coalesce(reviews.decision, 'open') AS status, reviews.note AS note,"
    " reviews.reviewer AS reviewer, reviews.decided_at AS decided_at,"
    " ca.text AS text_a, cb.text AS text_b, aa.name AS article_a, ab.name AS article_b,"
    " ca.article_id AS article_id_a, cb.article_id AS article_id_b, ca.line AS line_a, cb.line AS line_b"
    " FROM flags LEFT JOIN reviews ON reviews.flag_id = flags.id"
    " JOIN claims ca ON ca.id = flags.claim_a JOIN claims cb ON cb.id = flags.claim_b"
    " JOIN articles aa ON aa.id = ca.article_id JOIN articles ab ON ab.id = cb.article_id"
)


def flags(db: Database, where: str = "1", params: Iterable[Any] = ()) -> list[dict]:
    """Flags with their review status and both claims, most confident first."""
    return _all(db, f"{FLAG_SELECT} WHERE {where} ORDER BY flags.confidence DESC, flags.id", list(params))


def agreements(db: Database) -> list[dict]:
    return _all(
        db,
        "SELECT agreements.*, ca.text AS text_a, cb.text AS text_b, aa.name AS article_a, ab.name AS article_b,"
        " ca.article_id AS article_id_a, cb.article_id AS article_id_b, ca.line AS line_a, cb.line AS line_b"
        " FROM agreements JOIN claims ca ON ca.id = agreements.claim_a JOIN claims cb ON cb.id = agreements.claim_b"
        " JOIN articles aa ON aa.id = ca.article_id JOIN articles ab ON ab.id = cb.article_id ORDER BY agreements.about",
    )


def save_review(db: Database, flag_id: str, decision: str, note: str | None, reviewer: str | None) -> None:
    db.execute(
        "INSERT OR REPLACE INTO reviews (flag_id, decision, note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?)",
        [flag_id, decision, note, reviewer, now()],
    )


def counts(db: Database) -> dict[str, int]:
    """Row counts of every table people care about."""
    tables = ["articles", "sources", "claims", "embeddings", "pairs", "flags", "agreements", "reviews"]
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}


# --- helpers ----------------------------------------------------------------------------------


def _one(db: Database, sql: str, params: Iterable[Any]) -> dict | None:
    rows = _all(db, sql, params)
    return rows[0] if rows else None


def _all(db: Database, sql: str, params: Iterable[Any] = ()) -> list[dict]:
    cursor = db.execute(sql, list(params) if not isinstance(params, dict) else params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _existing(db: Database, table: str, ids: Iterable[int]) -> set[int]:
    """Which of these ids still have a row in `table` (a name written by this package)."""
    found: set[int] = set()
    for chunk in _chunks(sorted(set(ids)), 500):
        marks = ",".join("?" * len(chunk))
        found.update(row[0] for row in db.execute(f"SELECT id FROM {table} WHERE id IN ({marks})", chunk))
    return found


def _by_chunks(db: Database, sql: str, ids: list[int], size: int = 500) -> list[tuple]:
    """Run a `... IN ({marks})` query over any number of ids (SQLite caps the variables per statement)."""
    rows: list[tuple] = []
    for chunk in _chunks(ids, size):
        rows += db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk).fetchall()
    return rows


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

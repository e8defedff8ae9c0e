"""The schema as sqlite-utils migrations, applied whenever a database is opened; transactions.

Each table is plain and readable so that `datasette claimcheck.db` browses it without any change.
A database written by a newer claimcheck (a migration this one does not know) is refused.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from ..errors import DatabaseError

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


@migrations()
def m003_versions(db: Database) -> None:
    """Facts and findings carry the version of the code that made them, so an upgrade recomputes what is stale."""
    _execute_script(
        db,
        """
        -- the extractor version of an article's claims' facts; NULL: extracted before versions were stored
        ALTER TABLE articles ADD COLUMN facts_version TEXT;
        -- {check name: version} of the checks that examined the pair; supersedes `checked`
        ALTER TABLE pairs ADD COLUMN checked_by TEXT NOT NULL DEFAULT '{}';
        UPDATE pairs SET checked_by = '{"numeric": "0", "attribution": "0"}' WHERE checked = 1;
        ALTER TABLE flags ADD COLUMN check_name TEXT NOT NULL DEFAULT '';
        ALTER TABLE agreements ADD COLUMN check_name TEXT NOT NULL DEFAULT '';
        UPDATE flags SET check_name = CASE kind WHEN 'attribution' THEN 'attribution' ELSE 'numeric' END;
        UPDATE agreements SET check_name = CASE kind WHEN 'attribution' THEN 'attribution' ELSE 'numeric' END;
        """,
    )


@migrations()
def m004_sources_by_article(db: Database) -> None:
    """An index on sources.article_id: listing articles with their names scanned every source per article
    (1 s per listing at 5,000 articles, twice in every report)."""
    db.execute("CREATE INDEX IF NOT EXISTS sources_article ON sources(article_id)")


@migrations()
def m005_pairs_by_score(db: Database) -> None:
    """An index on pairs.score: the report reads the same-claim pairs (score >= 0.99) of hundreds of thousands."""
    db.execute("CREATE INDEX IF NOT EXISTS pairs_score ON pairs(score)")


@migrations()
def m006_embedding_keys(db: Database) -> None:
    """A slim index of the embeddings' keys: which claims have a vector was answered by probing the table itself,
    whose rows hold the 1.5 KB vectors (0.25 s at 100k claims on every incremental add; 0.07 s through this)."""
    db.execute("CREATE INDEX IF NOT EXISTS embeddings_key ON embeddings(model, text_hash)")


@migrations()
def m007_findings_by_pair(db: Database) -> None:
    """Indexes on flags.pair_id and agreements.pair_id: saving a batch of check results deletes the pairs' old
    findings, and deleting a pair cascades to them; both scanned every finding (6 s of a 12 s re-check of 100k
    pairs at 40k findings)."""
    db.execute("CREATE INDEX IF NOT EXISTS flags_pair ON flags(pair_id)")
    db.execute("CREATE INDEX IF NOT EXISTS agreements_pair ON agreements(pair_id)")


@migrations()
def m008_same_claim_pairs_from_the_index(db: Database) -> None:
    """pairs_score extended to (score, claim_a, claim_b): the report's same-claim pairs are then read from the
    index alone, without a visit to each pair's row (0.25 -> 0.07 s for 138k pairs at 100k claims)."""
    db.execute("CREATE INDEX IF NOT EXISTS pairs_score_claims ON pairs(score, claim_a, claim_b)")
    db.execute("DROP INDEX IF EXISTS pairs_score")


# Each figure of a claim's quantities JSON that has a measure phrase, as (kind, phrase) columns.
_FIGURE_COLUMNS = "coalesce(json_extract(value, '$.kind'), ''), json_extract(value, '$.measure')"
_HAS_PHRASE = "coalesce(json_extract(value, '$.measure'), '') != ''"
_NEW_FIGURES = ("INSERT INTO figures (claim_id, article_id, kind, measure) SELECT new.id, new.article_id,"
                f" {_FIGURE_COLUMNS} FROM json_each(new.quantities) WHERE {_HAS_PHRASE}")


@migrations()
def m009_figures(db: Database) -> None:
    """One row per figure with a measure phrase, kept by triggers as claims are written, re-extracted or deleted.

    Pairing a new article's figures with every similar figure of the corpus parsed the quantities JSON of
    every claim that states one (27k claims, 0.3-0.5 s of a one-article add at 100k claims)."""
    db.execute("""CREATE TABLE IF NOT EXISTS figures (
        claim_id INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        measure TEXT NOT NULL)""")
    db.execute("CREATE INDEX IF NOT EXISTS figures_claim ON figures(claim_id)")  # for the triggers' deletes
    db.execute(f"CREATE TRIGGER IF NOT EXISTS claims_figures_insert AFTER INSERT ON claims BEGIN {_NEW_FIGURES}; END")
    db.execute("CREATE TRIGGER IF NOT EXISTS claims_figures_update AFTER UPDATE OF quantities ON claims BEGIN"
               f" DELETE FROM figures WHERE claim_id = old.id; {_NEW_FIGURES}; END")
    db.execute("CREATE TRIGGER IF NOT EXISTS claims_figures_delete AFTER DELETE ON claims BEGIN"
               " DELETE FROM figures WHERE claim_id = old.id; END")
    db.execute("DELETE FROM figures")
    db.execute("INSERT INTO figures (claim_id, article_id, kind, measure) SELECT claims.id, claims.article_id,"
               f" {_FIGURE_COLUMNS} FROM claims, json_each(claims.quantities) WHERE {_HAS_PHRASE}")


@migrations()
def m010_database_id(db: Database) -> None:
    """A random id of this database: a cache kept in a file beside it (the measure phrases' vectors) can tell it
    from another database later made under the same name."""
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(16))))")


@migrations()
def m011_pairs_waiting(db: Database) -> None:
    """A partial index of the pairs waiting for a check (`checked = 0`: new ones, and those a forget_* function sent
    back). While every other pair carries the current version of every check, these are all a run has to read:
    finding them scanned all 1.5 M pairs' stamps, 0.15 s per check, in each one-article add at 100k claims."""
    db.execute("CREATE INDEX IF NOT EXISTS pairs_waiting ON pairs(id) WHERE checked = 0")


def known_migrations(schema: Migrations = migrations) -> set[str]:
    """The names of every migration this claimcheck knows (`pending` on an empty database lists them all)."""
    return {migration.name for migration in schema.pending(Database(memory=True))}


def _execute_script(db: Database, script: str) -> None:
    # Not executescript(): it commits, which would break the migration's transaction.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


CACHE_KIB = 65_536


def database_file(db: Database) -> str:
    """The path of the database's file, or "" for one held in memory (only this process can see it)."""
    return next((row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"), "") or ""


def set_busy_timeout(db: Database, milliseconds: int) -> None:
    """How long a write waits for another process's lock before failing (open_db waits a minute)."""
    # A PRAGMA takes no bound parameters; %d lets only an integer through.
    db.execute("PRAGMA busy_timeout = %d" % int(milliseconds))


def open_db(path: Path | str, schema: Migrations = migrations) -> Database:
    """Open (creating if needed) a claimcheck database and bring its schema up to date."""
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    if path.parent and not path.parent.exists():
        raise DatabaseError(f"the folder for the database does not exist: {path.parent}")
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            return _open(path, schema)
        except sqlite3.DatabaseError as error:
            locked = "locked" in str(error) or "busy" in str(error)
            if locked and time.monotonic() < deadline:
                # Two processes creating one new database can both take a read lock and then both ask for the
                # write lock (to switch it to WAL, to create the tables). SQLite refuses one of them at once, as
                # waiting would deadlock; the busy timeout never starts. That one opens again.
                time.sleep(LOCK_RETRY_S)
                continue
            if locked:
                raise DatabaseError(f"{path} stayed locked by another claimcheck for over a minute; try again"
                                    f" ({error})") from None
            raise DatabaseError(f"{path} is not a usable claimcheck database ({error})") from None


BUSY_TIMEOUT_S = 60  # how long a statement waits for another process's lock, and open_db for a refused one
LOCK_RETRY_S = 0.05


def _open(path: Path, schema: Migrations) -> Database:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
    try:
        db = Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        set_busy_timeout(db, 1000 * BUSY_TIMEOUT_S)
        # Up to 64 MB of pages per connection, not SQLite's 2 MB: at 100k claims the pairs' indexes are
        # ~100 MB, and inserting 704k pairs took 3.5 s instead of 5.0 s (dev timing). Held only when touched.
        db.execute("PRAGMA cache_size = %d" % -CACHE_KIB)
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
    except BaseException:
        conn.close()
        raise
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

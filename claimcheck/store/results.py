"""Pairs, copy links, which check version examined which pair, flags, agreements, reviews, counts."""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from ._sql import _all, _chunks, _existing, now

# --- pairs, links, flags, agreements ------------------------------------------------------------


def insert_pairs(db: Database, rows: list[tuple[int, int, float, float, float]]) -> None:
    """Insert (claim_a, claim_b, similarity, lexical, score) pairs; existing ones are kept.

    A pair whose claim another process deleted meanwhile (its article was replaced) is skipped.
    """
    alive = _existing(db, "claims", {claim for row in rows for claim in row[:2]})
    db.conn.executemany(
        "INSERT OR IGNORE INTO pairs (claim_a, claim_b, similarity, lexical, score) VALUES (?, ?, ?, ?, ?)",
        # In key order: the UNIQUE (claim_a, claim_b) index then grows at its end, not at random pages.
        sorted(row for row in rows if row[0] in alive and row[1] in alive),
    )


_PAIR_SELECT = (
    "SELECT pairs.*, ca.text AS text_a, cb.text AS text_b, ca.article_id AS article_id_a,"
    " cb.article_id AS article_id_b, aa.name AS article_a, ab.name AS article_b, ca.line AS line_a, cb.line AS line_b,"
    " ca.quantities AS quantities_a, cb.quantities AS quantities_b,"
    " ca.attribution AS attribution_a, cb.attribution AS attribution_b"
    " FROM pairs JOIN claims ca ON ca.id = pairs.claim_a JOIN claims cb ON cb.id = pairs.claim_b"
    " JOIN articles aa ON aa.id = ca.article_id JOIN articles ab ON ab.id = cb.article_id"
)


def pairs(db: Database, min_score: float | None = None) -> list[dict]:
    """Pairs with both claims and their articles, best first; only those scoring at least `min_score` if given."""
    if min_score is None:
        return _all(db, f"{_PAIR_SELECT} ORDER BY pairs.score DESC")
    return _all(db, f"{_PAIR_SELECT} WHERE pairs.score >= ? ORDER BY pairs.score DESC", [min_score])


def same_claim_pairs(db: Database, min_score: float) -> list[tuple[int, int, float]]:
    """(claim a, claim b, score) of the pairs scoring at least `min_score`: what the report groups. Plain tuples
    and no joins: a large corpus holds hundreds of thousands (0.5 s as joined dicts at 140k, 0.1 s as these)."""
    return db.conn.execute("SELECT claim_a, claim_b, score FROM pairs WHERE score >= ?", [min_score]).fetchall()


def pairs_by_id(db: Database, pair_ids: list[int]) -> list[dict]:
    """The pairs (as `pairs` returns them) with these ids, in id order."""
    rows: list[dict] = []
    for chunk in _chunks(pair_ids, 500):
        rows += _all(db, f"{_PAIR_SELECT} WHERE pairs.id IN ({','.join('?' * len(chunk))})", chunk)
    return sorted(rows, key=lambda row: row["id"])


def close_pairs_of_articles(db: Database, article_ids: list[int], min_similarity: float) -> list[tuple]:
    """(claim a, claim b, similarity, lexical, score, article of a, article of b) of every pair with a claim in one
    of these articles and a cosine of at least `min_similarity`, each once (what copy detection reads)."""
    rows: dict[tuple[int, int], tuple] = {}
    for chunk in _chunks(article_ids, 400):
        marks = ",".join("?" * len(chunk))
        # Through the claims' ids so that SQLite uses the pairs' indexes instead of scanning every pair.
        new_claims = f"(SELECT id FROM claims WHERE article_id IN ({marks}))"
        for row in db.execute(
            "SELECT pairs.claim_a, pairs.claim_b, pairs.similarity, pairs.lexical, pairs.score, ca.article_id,"
            " cb.article_id FROM pairs JOIN claims ca ON ca.id = pairs.claim_a JOIN claims cb ON cb.id = pairs.claim_b"
            f" WHERE (pairs.claim_a IN {new_claims} OR pairs.claim_b IN {new_claims}) AND pairs.similarity >= ?",
            [*chunk, *chunk, min_similarity],
        ):
            rows[row[0], row[1]] = tuple(row)
    return list(rows.values())


def forget_pairing(db: Database) -> None:
    """Drop every pair and copy link and send every article back to pairing (the pairing settings changed)."""
    db.execute("DELETE FROM pairs")
    db.execute("DELETE FROM article_links")
    db.execute("UPDATE articles SET paired_at = NULL")


def copy_link_shares(db: Database) -> list[tuple[int, int, float]]:
    """(article a, article b, share of claims shared) of every pair of copies."""
    return [tuple(row) for row in db.execute("SELECT article_a, article_b, shared FROM article_links")]


def copy_links(db: Database) -> set[tuple[int, int]]:
    return {(row[0], row[1]) for row in db.execute("SELECT article_a, article_b FROM article_links")}


def save_copy_link(db: Database, a: int, b: int, shared: float) -> None:
    db.execute(
        "INSERT OR REPLACE INTO article_links (article_a, article_b, relation, shared) VALUES (?, ?, 'copy', ?)",
        [min(a, b), max(a, b), shared],
    )


def forget_checks_between(db: Database, a: int, b: int) -> None:
    """Send every pair between two articles back to every check (their relation changed)."""
    db.execute(
        "UPDATE pairs SET checked_by = '{}', checked = 0 WHERE id IN (SELECT pairs.id FROM pairs"
        " JOIN claims ca ON ca.id = claim_a JOIN claims cb ON cb.id = claim_b"
        " WHERE (ca.article_id = ? AND cb.article_id = ?) OR (ca.article_id = ? AND cb.article_id = ?))",
        [a, b, b, a],
    )


# A claim holds a fact when (SQL written by this package, one entry per fact column of claims):
_HAS_FACT = {"quantities": "quantities != '[]'", "attribution": "attribution IS NOT NULL"}


def forget_check(db: Database, check: str, facts: Iterable[str]) -> None:
    """Send back to a check every pair whose two claims both hold these facts (what it reads changed)."""
    has = " AND ".join(["1", *(_HAS_FACT[fact] for fact in facts)])
    # One pass over the pairs ("+" keeps SQLite from probing the (claim_a, claim_b) index once for every two
    # claims with the facts: 134 s at 700k pairs), touching only those the check has examined.
    db.execute(
        "UPDATE pairs SET checked_by = json_remove(checked_by, ?), checked = 0"
        " WHERE json_type(checked_by, ?) IS NOT NULL"
        f" AND +claim_a IN (SELECT id FROM claims WHERE {has}) AND +claim_b IN (SELECT id FROM claims WHERE {has})",
        [_json_key(check), _json_key(check)],
    )


def forget_checks_of_claims(db: Database, claim_ids: list[int], checks: Iterable[str]) -> None:
    """Send back to these checks every pair with one of these claims (their facts changed)."""
    keys = [_json_key(check) for check in checks]
    if not keys:
        return
    remove = "json_remove(checked_by" + ", ?" * len(keys) + ")"
    for chunk in _chunks(claim_ids, 400):
        marks = ",".join("?" * len(chunk))
        db.execute(f"UPDATE pairs SET checked_by = {remove}, checked = 0"
                   f" WHERE claim_a IN ({marks}) OR claim_b IN ({marks})", [*keys, *chunk, *chunk])


def stale_pairs(db: Database, check: str, version: str, waiting_only: bool = False) -> list[tuple[int, str | None]]:
    """(pair id, the version that last checked it or None) of the pairs this version of a check has not examined.

    `waiting_only`: look only at the pairs marked as waiting (`checked = 0`: new, or sent back by a forget_*
    function), which is all of them while every other pair carries the current version of every check (the meta
    key "checks_complete" says so). Through the partial index pairs_waiting that is a few rows, not a scan of
    1.5 M pairs (0.15 s per check in a one-article add at 100k claims).
    """
    # instr() first: a plain substring test of the stamp SQLite's json_set writes ({"numeric":"6",...}) skips
    # the JSON parse for the pairs already checked (0.19 -> 0.13 s per check on 700k pairs, for a one-article add).
    stamp = json.dumps({check: version}, separators=(",", ":"))[1:-1]
    waiting = "checked = 0 AND " if waiting_only else ""
    rows = db.execute(f"SELECT id, json_extract(checked_by, ?) FROM pairs WHERE {waiting}"
                      "instr(checked_by, ?) = 0 AND coalesce(json_extract(checked_by, ?), '') != ? ORDER BY id",
                      [_json_key(check), stamp, _json_key(check), version])
    return [(row[0], None if row[1] is None else str(row[1])) for row in rows]


def _json_key(check: str) -> str:
    return "$." + json.dumps(check)


def all_aliases(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT aliases FROM articles ORDER BY id")]


def save_check_results(db: Database, check: str, version: str, pair_ids: list[int], flags: list[dict],
                       agreements: list[dict]) -> None:
    """Store one check's results for these pairs, replacing what it found for them before; stamp its version.

    Findings of a pair that another process deleted meanwhile are dropped with it.
    """
    alive = _existing(db, "pairs", pair_ids)
    flags = [row for row in flags if row["pair_id"] in alive]
    agreements = [row for row in agreements if row["pair_id"] in alive]
    reviewed = _reviewed_flags(db, check, pair_ids)
    for chunk in _chunks(pair_ids, 500):
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM flags WHERE check_name = ? AND pair_id IN ({marks})", [check, *chunk])
        db.execute(f"DELETE FROM agreements WHERE check_name = ? AND pair_id IN ({marks})", [check, *chunk])
        db.execute(f"UPDATE pairs SET checked = 1, checked_by = json_set(checked_by, ?, ?) WHERE id IN ({marks})",
                   [_json_key(check), version, *chunk])
    if flags:
        db["flags"].insert_all(flags, replace=True)
    if agreements:
        db["agreements"].insert_all(agreements, replace=True)
    _carry_reviews(db, reviewed, flags)


def _reviewed_flags(db: Database, check: str, pair_ids: list[int]) -> list[tuple]:
    """(flag id, pair id, kind, values) of this check's reviewed flags on these pairs."""
    out = []
    for chunk in _chunks(pair_ids, 500):
        marks = ",".join("?" * len(chunk))
        out += [(row[0], row[1], row[2], frozenset((row[3], row[4]))) for row in db.execute(
            "SELECT flags.id, pair_id, kind, value_a, value_b FROM flags JOIN reviews ON reviews.flag_id = flags.id"
            f" WHERE check_name = ? AND pair_id IN ({marks})", [check, *chunk])]
    return out


def _carry_reviews(db: Database, reviewed: list[tuple], flags: list[dict]) -> None:
    """A decision follows its flag when a new version of a check gives the same finding another id: same pair,
    same kind, same two values."""
    new_ids = {(row["pair_id"], row["kind"], frozenset((row["value_a"], row["value_b"]))): row["id"] for row in flags}
    for old_id, pair_id, kind, values in reviewed:
        new_id = new_ids.get((pair_id, kind, values))
        if new_id is not None and new_id != old_id:
            db.execute("INSERT OR IGNORE INTO reviews (flag_id, decision, note, reviewer, decided_at)"
                       " SELECT ?, decision, note, reviewer, decided_at FROM reviews WHERE flag_id = ?",
                       [new_id, old_id])


FLAG_SELECT = (
    "SELECT flags.*, coalesce(reviews.decision, 'open') AS status, reviews.note AS note,"
    " reviews.reviewer AS reviewer, reviews.decided_at AS decided_at,"
    " ca.text AS text_a, cb.text AS text_b, aa.name AS article_a, ab.name AS article_b,"
    " ca.article_id AS article_id_a, cb.article_id AS article_id_b, ca.line AS line_a, cb.line AS line_b"
    " FROM flags LEFT JOIN reviews ON reviews.flag_id = flags.id"
    " JOIN claims ca ON ca.id = flags.claim_a JOIN claims cb ON cb.id = flags.claim_b"
    " JOIN articles aa ON aa.id = ca.article_id JOIN articles ab ON ab.id = cb.article_id"
)


# Worst first: disagreements, then figures that changed, then differences between copies; each most confident first.
_WORST_FIRST = ("CASE flags.relation WHEN 'conflict' THEN 0 WHEN 'update' THEN 1 ELSE 2 END, flags.confidence DESC,"
                " flags.id")


def flags(db: Database, *, kind: str | None = None, status: str | None = None, relation: str | None = None,
          article: str | None = None, min_confidence: float = 0.0, revisions: bool = True,
          id_prefix: str | None = None, outlet: str | None = None, flag_id: str | None = None,
          between: tuple[int, int] | None = None) -> list[dict]:
    """Flags with their review status and both claims, worst first (conflicts, updates, revisions; each most
    confident first), filtered by whichever is given.

    `article` matches part of either article's name, `outlet` either article's outlet exactly; `revisions=False`
    leaves out differences between copies (unless `relation` names what is wanted); `id_prefix` matches the start
    of the id, `flag_id` the whole id, `between` two article ids (either way round).
    """
    where, params = ["flags.confidence >= ?"], [min_confidence]
    if relation is not None:
        where.append("flags.relation = ?")
        params.append(relation)
    elif not revisions:
        where.append("flags.verdict != 'revision'")
    for column, value in (("flags.kind", kind), ("coalesce(reviews.decision, 'open')", status)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if article is not None:
        where.append("(aa.name LIKE ? OR ab.name LIKE ?)")
        params += [f"%{article}%"] * 2
    if id_prefix is not None:
        where.append("flags.id LIKE ?")
        params.append(f"{id_prefix}%")
    if flag_id is not None:
        where.append("flags.id = ?")
        params.append(flag_id)
    if outlet is not None:
        where.append("(aa.outlet = ? OR ab.outlet = ?)")
        params += [outlet, outlet]
    if between is not None:
        where.append("((ca.article_id = ? AND cb.article_id = ?) OR (ca.article_id = ? AND cb.article_id = ?))")
        params += [*between, *reversed(between)]
    sql = f"{FLAG_SELECT} WHERE {' AND '.join(where)} ORDER BY {_WORST_FIRST}"
    return _all(db, sql, params)


def flag_by_id(db: Database, flag_id: str) -> dict | None:
    """One flag by its exact id (as `flags` returns it), or None."""
    rows = flags(db, flag_id=flag_id)
    return rows[0] if rows else None


def confirmed_flags(db: Database) -> list[dict]:
    return flags(db, status="confirmed")


def conflicts_per_article(db: Database) -> dict[int, int]:
    """How many flags (revisions between copies aside) each article takes part in."""
    rows = db.execute("SELECT article_id, count(*) FROM (SELECT ca.article_id FROM flags JOIN claims ca ON ca.id ="
                      " flags.claim_a WHERE verdict != 'revision' UNION ALL SELECT cb.article_id FROM flags JOIN claims"
                      " cb ON cb.id = flags.claim_b WHERE verdict != 'revision') GROUP BY article_id")
    return dict(rows.fetchall())


def agreements(db: Database, independent_only: bool = False) -> list[dict]:
    """Agreements with both claims, by what they are about; `independent_only` leaves out those between copies
    (most of them in a corpus of wire copies: 21k of 24k at 100k claims)."""
    where = " WHERE agreements.independent = 1" if independent_only else ""
    return _all(
        db,
        "SELECT agreements.*, ca.text AS text_a, cb.text AS text_b, aa.name AS article_a, ab.name AS article_b,"
        " ca.article_id AS article_id_a, cb.article_id AS article_id_b, ca.line AS line_a, cb.line AS line_b"
        " FROM agreements JOIN claims ca ON ca.id = agreements.claim_a JOIN claims cb ON cb.id = agreements.claim_b"
        " JOIN articles aa ON aa.id = ca.article_id JOIN articles ab ON ab.id = cb.article_id"
        f"{where} ORDER BY agreements.about, agreements.claim_a, agreements.claim_b",  # the same order on every run
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

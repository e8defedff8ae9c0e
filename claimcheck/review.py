"""Reading the results: flags chosen by filters a person types, one flag by id prefix, decisions, exports.

Every function checks its options and raises InputError or NotFoundError with a sentence the CLI
prints as is; the rows come from the store's named queries.
"""

from __future__ import annotations

import csv
import io
import json

from sqlite_utils import Database

from . import repeats, store, timeline
from .errors import InputError, NotFoundError

KINDS = ("numeric", "date", "attribution")
STATUSES = ("open", "confirmed", "dismissed")
RELATIONS = ("conflict", "update", "revision")
FORMATS = ("json", "jsonl", "csv", "claimreview")
EXPORTS = ("flags", "pairs", "claims")
# A flag as JSON: what `flags --json` prints and `export --what flags` writes.
FLAG_FIELDS = ("id", "kind", "verdict", "relation", "status", "article_a", "article_b", "text_a", "text_b", "value_a",
               "value_b", "norm_a", "norm_b", "about", "measure", "time_a", "time_b", "source_a", "source_b",
               "similarity", "confidence", "reason", "note", "reviewer", "decided_at", "repeats", "repeat_of")
PAIR_FIELDS = ("id", "claim_a", "claim_b", "article_a", "article_b", "text_a", "text_b", "similarity", "lexical",
               "score")
CLAIM_FIELDS = ("id", "article", "idx", "start", "end", "line", "text", "speaker", "quantities")


def _one_of(option: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise InputError(f"unknown {option} {value!r}: use {', '.join(allowed[:-1])} or {allowed[-1]}")


def select_flags(db: Database, kind: str | None = None, status: str | None = None, relation: str | None = None,
                 article: str | None = None, min_confidence: float = 0.0, revisions: bool = False,
                 every_repeat: bool = False, every_update: bool = False) -> list[dict]:
    """The flags matching a person's filters, worst first, as `listed` shows them; revisions only when asked for."""
    _one_of("--kind", kind, KINDS)
    _one_of("--status", status, STATUSES)
    _one_of("--relation", relation, RELATIONS)
    rows = store.flags(db, kind=kind, status=status, relation=relation, article=article,
                       min_confidence=min_confidence, revisions=revisions)
    return listed(db, rows, every_repeat, every_update)


def listed(db: Database, rows: list[dict], every_repeat: bool = False, every_update: bool = False) -> list[dict]:
    """What a listing shows of these flags: one per finding (repeats.py) unless `every_repeat`, and an update only
    between neighbouring dates of its measure (timeline.spanning_updates) unless `every_update`."""
    if not every_update and any(timeline.relation_of(row) == "update" for row in rows):
        spans = timeline.spanning_updates(store.flags(db, revisions=False), {a["name"]: a for a in store.articles(db)})
        rows = [row for row in rows if row["id"] not in spans]
    return repeats.annotate(rows) if every_repeat else repeats.fold(rows)


def find_flag(db: Database, flag_id: str) -> dict:
    """The one flag whose id starts with `flag_id`."""
    rows = store.flags(db, id_prefix=flag_id)
    if not rows:
        raise NotFoundError(f"no flag with id {flag_id!r}: `claimcheck flags` lists them")
    if len(rows) > 1:
        raise InputError(f"{flag_id!r} matches {len(rows)} flags; give more of the id")
    return rows[0] | {"repeats": repeats_of(db, rows[0])}


def repeats_of(db: Database, flag: dict) -> list[dict]:
    """The other flags of this flag's finding: the same two articles and values, other sentences."""
    return repeats.others(_flags_between(db, flag), flag)


def _flags_between(db: Database, flag: dict) -> list[dict]:
    return store.flags(db, between=(flag["article_id_a"], flag["article_id_b"]))


def confirmed_findings(db: Database) -> list[dict]:
    """The confirmed flags, one per finding (a ClaimReview each)."""
    return repeats.fold(store.confirmed_flags(db))


def open_conflicts(db: Database) -> list[dict]:
    """The findings still waiting for a decision, worst first, as `listed` shows them (revisions aside)."""
    return listed(db, store.flags(db, status="open", revisions=False))


def decide(db: Database, flag_id: str, decision: str, note: str | None = None, reviewer: str | None = None) -> int:
    """Record a decision on a flag and the flags that repeat its finding (repeats.py); it is kept by flag id, so
    it returns with the flags after any re-run. How many flags it was recorded for."""
    _one_of("decision", decision, ("confirmed", "dismissed"))
    flag = store.flag_by_id(db, flag_id)
    if flag is None:
        raise NotFoundError(f"no flag with id {flag_id!r}: `claimcheck flags` lists them")
    group = repeats.group_of(_flags_between(db, flag), flag_id)
    with store.transaction(db):
        for member in group:
            store.save_review(db, member, decision, note, reviewer)
    return len(group)


def claim_context(db: Database, claim_id: int) -> tuple[dict, dict, list[dict]]:
    """A claim, its article and the claims around it, for showing a flag."""
    context = store.claim_in_context(db, claim_id)
    claim = next(row for row in context if row["id"] == claim_id)
    return claim, store.article(db, claim["article_id"]), context


def flag_json(flag: dict) -> dict:
    """A flag row as the JSON contract has it; `repeats` are ids."""
    return {key: flag.get(key) for key in FLAG_FIELDS} | {"repeats": [row["id"] for row in flag.get("repeats", [])]}


def export(db: Database, what: str, fmt: str) -> tuple[int, str]:
    """(how many rows, the text) of flags, pairs or claims as JSON, JSON lines or CSV; with fmt "claimreview"
    the confirmed flags as schema.org ClaimReview JSON-LD, whatever `what` says."""
    _one_of("--format", fmt, FORMATS)
    _one_of("--what", what, EXPORTS)
    if fmt == "claimreview":
        from .claimreview import claim_reviews

        rows = claim_reviews(confirmed_findings(db), {row["name"]: row for row in store.articles(db)})
        return len(rows), json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if what == "flags":  # every flag, each repeat marked with the flag that stands for its finding
        rows = [flag_json(row) for row in repeats.annotate(store.flags(db))]
    elif what == "pairs":
        rows = [{key: row[key] for key in PAIR_FIELDS} for row in store.pairs(db)]
    else:
        rows = [{key: row[key] for key in CLAIM_FIELDS} for row in store.claims(db)]
    return len(rows), serialise(rows, fmt)


def serialise(rows: list[dict], fmt: str) -> str:
    """Rows as JSON (one array), JSON lines or CSV with a header."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({key: " ".join(value) if isinstance(value, list) else value for key, value in row.items()}
                         for row in rows)  # a flag's `repeats`: ids, space-separated
    return buffer.getvalue()


def article_listing(db: Database) -> list[dict]:
    """Every article with its names, metadata, claim count, conflict count, and the date its figures are read
    against (`dated`) with where that date came from (`dated_by`: "published", "dateline" or null)."""
    from .measure_pairs import article_anchors

    counts = store.conflicts_per_article(db)
    anchors = article_anchors(db)
    keys = ("id", "name", "names", "title", "outlet", "published", "n_claims")
    listing = []
    for row in store.articles(db):
        anchor, basis = anchors.get(row["id"], (None, ""))
        listing.append({**{key: row[key] for key in keys}, "n_flags": counts.get(row["id"], 0),
                        "dated": anchor.isoformat() if anchor else None, "dated_by": basis or None})
    return listing

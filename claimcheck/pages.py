"""What the review pages show, as plain data over the store (no HTTP): filters, flags with context, neighbours.

`web.py` renders these as HTML or JSON; keeping them apart keeps the HTTP layer thin and these testable alone.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode, urlsplit

from . import review, store, timeline
from .errors import InputError

KINDS = ("numeric", "date", "attribution")
RELATIONS = ("conflict", "update", "revision")
STATUSES = ("open", "confirmed", "dismissed")


@dataclasses.dataclass(frozen=True)
class Filters:
    """The flags page's filters, as the query string gives them ("" = any; status defaults to open)."""

    kind: str = ""
    relation: str = ""
    status: str = "open"
    article: str = ""
    outlet: str = ""
    min_confidence: float = 0.0
    every_update: bool = False  # also updates that skip a date between them (timeline.spanning_updates)

    @classmethod
    def parse(cls, params: Any) -> "Filters":
        values = {key: (params.get(key) or "").strip() for key in ("kind", "relation", "article", "outlet")}
        status = (params.get("status") or "open").strip()
        for name, value, allowed in (("kind", values["kind"], KINDS), ("relation", values["relation"], RELATIONS),
                                     ("status", status, (*STATUSES, "all"))):
            if value and value not in allowed:
                raise InputError(f"unknown {name} {value!r}: use {', '.join(allowed)}")
        try:
            min_confidence = float(params.get("min_confidence") or 0)
        except ValueError:
            min_confidence = float("nan")
        if not 0 <= min_confidence <= 1:  # also false for NaN
            raise InputError("min_confidence must be a number between 0 and 1")
        every_update = (params.get("every_update") or "").strip().lower() in ("1", "on", "true")
        return cls(status=status, min_confidence=min_confidence, every_update=every_update, **values)

    def query(self) -> str:
        """The query string that gives these filters back (defaults left out)."""
        fields = dataclasses.asdict(self)
        default = dataclasses.asdict(Filters())
        return urlencode({key: value for key, value in fields.items() if value != default[key]})


def select_flags(db: Any, filters: Filters, by_status: bool = True) -> list[dict]:
    """The flags these filters select, worst first, as `claimcheck flags` lists them (review.listed), each with
    its `relation` (derived when not stored)."""
    status = filters.status if by_status and filters.status != "all" else None
    rows = review.listed(db, store.flags(db, kind=filters.kind or None, status=status, article=filters.article or None,
                                         outlet=filters.outlet or None, min_confidence=filters.min_confidence),
                         every_update=filters.every_update)
    for row in rows:
        row["relation"] = timeline.relation_of(row)
    return [row for row in rows if not filters.relation or row["relation"] == filters.relation]


def flag_counts(rows: list[dict]) -> dict[str, dict[str, int]]:
    """How many of these flags are in each status, kind and relation."""
    counts: dict[str, dict[str, int]] = {"status": dict.fromkeys(STATUSES, 0), "kind": dict.fromkeys(KINDS, 0),
                                         "relation": dict.fromkeys(RELATIONS, 0)}
    for row in rows:
        for field in counts:
            counts[field][row[field]] = counts[field].get(row[field], 0) + 1
    return counts


def highlight(text: str, value: str) -> list[tuple[str, bool]]:
    """The text cut around the first occurrence of the value: [(piece, is_the_value), ...]."""
    at = text.find(value) if value else -1
    if at < 0:
        return [(text, False)]
    return [(text[:at], False), (value, True), (text[at + len(value):], False)]


def flag_sides(db: Any, flag: dict) -> list[dict]:
    """Each claim of a flag with the sentences around it, its article, and its value, time and source."""
    sides = []
    for side in ("a", "b"):
        context = store.claim_in_context(db, flag[f"claim_{side}"])
        main = next(row for row in context if row["id"] == flag[f"claim_{side}"])
        sides.append({
            "side": side.upper(), "value": flag[f"value_{side}"], "norm": flag.get(f"norm_{side}"),
            "time": flag.get(f"time_{side}"), "source": flag.get(f"source_{side}"), "line": main["line"],
            "article": _article_summary(store.article(db, main["article_id"])),
            "context": [{"text": row["text"], "current": row["id"] == main["id"],
                         "pieces": highlight(row["text"], flag[f"value_{side}"]) if row["id"] == main["id"] else
                         [(row["text"], False)]} for row in context],
        })
    return sides


def _article_summary(row: dict) -> dict:
    summary = {key: row[key] for key in ("id", "name", "title", "outlet", "published", "url")}
    summary["link"] = safe_link(row["url"])
    return summary


def safe_link(url: str | None) -> str | None:
    """The URL when it is a web address; anything else (javascript:, data:, a path) is shown as text only."""
    if url and urlsplit(url.strip()).scheme.lower() in {"http", "https"}:
        return url.strip()
    return None


def neighbours(rows: list[dict], flag_id: str) -> tuple[str | None, str | None]:
    """The flags before and after this one in a listing (the first one when it is not listed)."""
    ids = [row["id"] for row in rows]
    if flag_id not in ids:
        return None, next(iter(ids), None)
    at = ids.index(flag_id)
    return (ids[at - 1] if at else None), (ids[at + 1] if at + 1 < len(ids) else None)


def articles_by_name(db: Any) -> dict[str, dict]:
    return {row["name"]: row for row in store.articles(db)}

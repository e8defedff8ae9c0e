"""Helpers every query module shares: rows as dicts, ids in chunks (SQLite caps the variables per statement)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any

from sqlite_utils import Database


def now() -> str:
    """UTC timestamp for rows."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


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

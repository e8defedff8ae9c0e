"""Flags that repeat another: the same finding (two articles, the same two values, one kind and relation) met
again in other sentences of those articles, as when a headline and its lead both give the figure, or a page
prints a paragraph twice.

A reviewer reads each finding once: listings show the first flag of a finding (worst first, so the most
confident) with the others as its `repeats`, and a decision on any of them is recorded for all (review.decide).
The flags themselves stay as the checks made them, so a finding whose sentences change keeps whichever remain.
"""

from __future__ import annotations

from .timeline import relation_of


def finding(flag: dict) -> tuple:
    """What a flag says, whichever sentences say it: kind, relation, and the two sides' articles and values."""
    sides = frozenset({(flag["article_id_a"], flag["value_a"]), (flag["article_id_b"], flag["value_b"])})
    return flag["kind"], relation_of(flag), sides


def annotate(rows: list[dict]) -> list[dict]:
    """The rows in their order, each with `repeat_of` (the id of the earlier flag of its finding, or None) and
    `repeats` (for the first flag of a finding, the later flags that repeat it)."""
    first: dict[tuple, dict] = {}
    for row in rows:
        leader = first.setdefault(finding(row), row)
        row["repeats"] = []
        row["repeat_of"] = None if leader is row else leader["id"]
        if leader is not row:
            leader["repeats"].append(row)
    return rows


def fold(rows: list[dict]) -> list[dict]:
    """One row per finding, in the order given, each with its `repeats`."""
    return [row for row in annotate(rows) if row["repeat_of"] is None]


def others(rows: list[dict], flag: dict) -> list[dict]:
    """The rows of `flag`'s finding other than itself."""
    key = finding(flag)
    return [row for row in rows if row["id"] != flag["id"] and finding(row) == key]


def group_of(rows: list[dict], flag_id: str) -> list[str]:
    """The ids of every flag of the finding `flag_id` is one of (itself first); `rows` must include it."""
    flag = next(row for row in rows if row["id"] == flag_id)
    return [flag_id] + [row["id"] for row in others(rows, flag)]

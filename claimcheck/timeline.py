"""Measures over time: the values each article gave for one measure, in date order (a pure function).

The review page draws these as charts and the Markdown report can list them ("How the figures changed").
Flags whose relation is "update" (a figure that changed between dates) make a timeline; conflicts of the
same measure join it, marked, because two outlets disagreeing at one date is part of the same story.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

# A flag without a relation column predates the relation field: its verdict says what it is.
DEFAULT_RELATION = "conflict"
CHARTED_KINDS = {"numeric", "date"}


@dataclass(frozen=True)
class Point:
    """One value one article gave for a measure."""

    date: str | None  # the value's reference time, else the article's publication date (ISO), else None
    article: str
    outlet: str | None
    value: str  # as written
    number: float | None  # the value as a number (the middle of a range), for charts
    source: str | None  # whom the article cites for the value
    relation: str  # update | conflict
    flag_id: str


@dataclass(frozen=True)
class Timeline:
    """Every value given for one measure, sorted by date (undated last)."""

    measure: str
    kind: str  # numeric | date
    points: tuple[Point, ...]
    has_conflict: bool


def relation_of(flag: dict) -> str:
    """The flag's relation: its own field when present, else what its verdict implies."""
    if flag.get("relation"):
        return flag["relation"]
    return "revision" if flag.get("verdict") == "revision" else DEFAULT_RELATION


def timelines(flags: list[dict], articles: dict[str, dict]) -> list[Timeline]:
    """Group numeric and date flags into measures; each side of a flag is one point.

    Two points joined by a flag measure the same thing (the checks decided so), so a measure is a connected
    group of points; it is named by the phrase its flags use most. `articles` maps an article's name (a flag's
    `article_a` / `article_b`) to its row. Revisions (copies of one source) are left out. Measures with an update
    come first, then by name.
    """
    parent: dict[tuple[str, str], tuple[str, str]] = {}  # union-find over (article, value): a key absent is a root

    def root(key: tuple[str, str]) -> tuple[str, str]:
        while (up := parent.get(key, key)) != key:
            parent[key] = parent.get(up, up)  # path halving
            key = up
        return key

    points: dict[tuple[str, str], Point] = {}
    used: list[tuple[dict, tuple[str, str]]] = []
    for flag in flags:
        relation = relation_of(flag)
        if relation == "revision" or flag.get("kind") not in CHARTED_KINDS:
            continue
        a, b = (flag["article_a"], flag["value_a"]), (flag["article_b"], flag["value_b"])
        for side, key in (("a", a), ("b", b)):
            # One article giving one value is one point, whichever flags it appears in; an update outranks.
            # (Built only then: the 100k bench report's two timelines read 43,002 sides and build 11,214 points.)
            known = points.get(key)
            if known is None or (relation == "update" and known.relation != "update"):
                points[key] = _point(flag, side, relation, articles.get(key[0], {}))
        top_a, top_b = root(a), root(b)
        if top_a != top_b:
            parent[top_a] = top_b
        used.append((flag, a))
    group_of = {key: root(key) for key in points}
    groups: dict[tuple[str, str], list[Point]] = {}
    for key, point in points.items():
        groups.setdefault(group_of[key], []).append(point)
    names: dict[tuple[str, str], Counter] = {}
    kinds: dict[tuple[str, str], str] = {}
    for flag, key in used:
        group = group_of[key]
        if group not in names:
            names[group], kinds[group] = Counter(), flag["kind"]
        names[group][flag.get("measure") or flag["about"]] += 1
    built = [Timeline(names[group].most_common(1)[0][0], kinds[group], tuple(sorted(members, key=_order)),
                      any(p.relation == "conflict" for p in members))
             for group, members in groups.items()]
    return sorted(built, key=lambda t: (not any(p.relation == "update" for p in t.points), t.measure))


def spanning_updates(flags: list[dict], articles: dict[str, dict]) -> set[str]:
    """The ids of the updates that skip a date their measure's timeline has between their two values ("15 missing"
    on the 15th, "22" on the 18th, when "29" was reported on the 16th): the updates between neighbouring dates say
    the same change step by step, and the timeline shows it whole, so listings leave these out unless asked."""
    line_of: dict[tuple[str, str], int] = {}
    dates_of: list[list[str]] = []
    for n, line in enumerate(timelines(flags, articles)):
        dates_of.append(sorted({p.date for p in line.points if p.date}))
        line_of.update(((p.article, p.value), n) for p in line.points)
    spans = set()
    for flag in flags:
        n = line_of.get((flag["article_a"], flag["value_a"]))
        ends = sorted(d for side in "ab" if (d := _date(flag, side, articles.get(flag[f"article_{side}"], {}))))
        if relation_of(flag) == "update" and n is not None and len(ends) == 2 \
                and any(ends[0] < d < ends[1] for d in dates_of[n]):
            spans.add(flag["id"])
    return spans


def _date(flag: dict, side: str, article: dict) -> str | None:
    """The date a side's value holds for: its own reference time, else its article's publication date."""
    return flag.get(f"time_{side}") or article.get("published")


_FIELDS = {side: tuple(f"{name}_{side}" for name in ("article", "value", "time", "norm", "source")) for side in "ab"}


def _point(flag: dict, side: str, relation: str, article: dict) -> Point:
    article_key, value_key, time_key, norm_key, source_key = _FIELDS[side]  # made once: a report builds thousands
    return Point(date=flag.get(time_key) or article.get("published"), article=flag[article_key],
                 outlet=article.get("outlet"), value=flag[value_key], number=number_of(flag.get(norm_key)),
                 source=flag.get(source_key), relation=relation, flag_id=flag["id"])


def _order(point: Point) -> tuple:
    return (point.date is None, point.date or "", point.article, point.value)


_RANGE = re.compile(r"^\[(?P<low>[-+\d.e]*), (?P<high>[-+\d.e]*)\]")
_SINGLE = re.compile(r"^(?P<value>[-+]?\d[\d.e+-]*)")


@lru_cache(maxsize=1 << 14)  # a report asks for the same few values thousands of times
def number_of(norm: str | None) -> float | None:
    """A normalised value ("9e+06 GBP", "[4250, 5750]", "[2002, 2003] year") as one number.

    A range gives its middle, a range open at one end its closed end, a date range its start.
    """
    if not norm:
        return None
    match = _RANGE.match(norm) or _SINGLE.match(norm)
    if not match:
        return None
    try:
        if "value" in match.groupdict():
            return float(match["value"])
        ends = [float(x) for x in (match["low"], match["high"]) if x]
    except ValueError:
        return None
    if not ends:
        return None
    if any(unit in norm for unit in (" year", " month", " day")):
        return ends[0]
    return sum(ends) / len(ends)

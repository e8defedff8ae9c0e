"""The report's conflicts: the disputed figures, then each flag with its two sentences and why they disagree."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING

from .markdown import MAX_SHOWN, link, md_text
from .timeline import Timeline, number_of, timelines

if TYPE_CHECKING:
    from .report import ReportData


def conflicts(data: ReportData, links: dict[int, str]) -> str:
    conflicts = [f for f in data.flags if f["verdict"] == "conflict"]
    open_flags = [f for f in conflicts if f["status"] == "open"]
    confirmed = [f for f in conflicts if f["status"] == "confirmed"]
    dismissed = [f for f in conflicts if f["status"] == "dismissed"]
    revisions = [f for f in data.flags if f["verdict"] == "revision" and f["status"] != "dismissed"]
    articles = {a["name"]: a for a in data.articles}
    parts = ["## Conflicts"]
    # The open flags' disputes, read once for the table and the list (0.14 s for the 100k bench's 11,015).
    lines = timelines(open_flags, articles)
    if not conflicts:
        parts.append("No conflicts found: no pair of claims from different outlets disagrees on a number, a date "
                     "or a speaker.")
    if open_flags:
        parts.append(disputes(open_flags, data, lines))
        parts.append(f"### Open ({len(open_flags)})\n\n" + flag_groups(open_flags, links, lines))
    if confirmed:
        parts.append(f"### Confirmed by a reviewer ({len(confirmed)})\n\n"
                     + flag_groups(confirmed, links, timelines(confirmed, articles)))
    if dismissed:
        parts.append(f"{len(dismissed)} dismissed flag(s) are not shown: `claimcheck flags --status dismissed`.")
    if revisions:
        parts.append(f"### Revisions between copies of one source ({len(revisions)})\n\n" + flag_groups(revisions, links))
    return "\n\n".join(parts)


def disputes(flags: list[dict], data: ReportData, lines: list[Timeline] | None = None) -> str:
    """One line per disputed figure: a figure that many outlets give two ways is one dispute, however many pairs
    of articles it flags ("storeys of the building: eight in 14 articles, nine in 9"). `lines`: the flags'
    timelines, when the caller has them."""
    if lines is None:
        lines = timelines(flags, {a["name"]: a for a in data.articles})
    disputes = [t for t in lines if len({p.value for p in t.points}) > 1]
    if not any(len(t.points) > 2 for t in disputes):
        return ""  # every dispute is one pair: the list below says it all
    rows = ["### Disputed figures", "", "| What | Values given (articles) | Flags |", "|---|---|---|"]
    flags_at = Counter((f["article_a"], f["value_a"]) for f in flags)
    for dispute in sorted(disputes, key=lambda t: -len(t.points))[:MAX_SHOWN]:
        n_flags = sum(flags_at[(p.article, p.value)] for p in dispute.points)
        by_value: dict[object, set[str]] = defaultdict(set)
        written: dict[object, str] = {}
        for point in dispute.points:  # "nine" and "9" are one value
            key = value_key(dispute.kind, point.number, point.value)
            by_value[key].add(point.article)
            written.setdefault(key, point.value)
        ranked = sorted(by_value.items(), key=lambda item: (-len(item[1]), written[item[0]].lower()))
        values = " · ".join(f"{md_text(written[key])} ({len(names)})" for key, names in ranked)
        rows.append(f"| {md_text(dispute.measure) or '—'} | {values} | {n_flags} |")
    return "\n".join(rows)


# In one dispute, this many flags are shown for each pair of values; the rest are counted. One figure that many
# outlets give two ways flags every pair of them (eight vs nine storeys: 67 flags in 30 real pages on one story).
SAME_VALUES_SHOWN = 3


def flag_groups(flags: list[dict], links: dict[int, str], lines: list[Timeline] | None = None) -> str:
    """Flags grouped by the figure they dispute (`lines`, the flags' timelines: flags joined through a value one
    article gives, as the disputed figures table counts them), else by what they are about; worst group first;
    past MAX_SHOWN, a count and a pointer."""
    shown = sorted(flags, key=lambda f: -f["confidence"])[:MAX_SHOWN]
    dispute_of = {(p.article, p.value): (f"dispute {n}", line.measure)
                  for n, line in enumerate(lines or []) for p in line.points}
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for flag in shown:
        groups[dispute_of.get((flag["article_a"], flag["value_a"])) or ("about", flag["about"])].append(flag)
    ordered = sorted(groups.items(), key=lambda item: -max(f["confidence"] for f in item[1]))
    out = []
    for (_, heading), members in ordered:
        out.append(f"#### {md_text(heading) or '—'}")
        per_values: Counter = Counter()
        for flag in sorted(members, key=lambda f: -f["confidence"]):
            values = _values_of(flag)
            per_values[values] += 1
            if per_values[values] <= SAME_VALUES_SHOWN:
                out.append(flag_block(flag, links))
        hidden = sum(max(0, n - SAME_VALUES_SHOWN) for n in per_values.values())
        if hidden:
            out.append(f"- … and {hidden} more flag(s) giving the same values in other articles:"
                       " `claimcheck flags` lists them all.")
    if len(flags) > len(shown):
        out.append(f"… and {len(flags) - len(shown)} more, less confident: `claimcheck flags` lists them all.")
    return "\n\n".join(out)


def _values_of(flag: dict) -> frozenset:
    """A flag's two values, unordered (see value_key)."""
    return frozenset(value_key(flag["kind"], number_of(flag.get(f"norm_{side}")), flag[f"value_{side}"])
                     for side in "ab")


def value_key(kind: str, number: float | None, written: str) -> float | str:
    """One value however it is written: a numeric figure as its number ("nine" and "9"), else its words."""
    return number if kind == "numeric" and number is not None else written.lower()


def flag_block(flag: dict, links: dict[int, str]) -> str:
    shared = json.loads(flag.get("shared") or "[]")
    note = f"\n  - Review: {flag['status']} by {md_text(flag.get('reviewer')) or 'someone'}: {md_text(flag.get('note'))}" if flag["status"] != "open" else ""
    return (
        f"- **`{flag['id']}`** · {flag['kind']} · **{md_text(flag['value_a'])}** vs **{md_text(flag['value_b'])}** · "
        f"confidence {flag['confidence']:.2f} · similarity {flag['similarity']:.2f}\n"
        f"  - Why: {md_text(flag['reason'])}\n"
        f"{when_and_whom(flag)}"
        f"  - A: “{highlight(flag['text_a'], flag['value_a'], shared)}” — {link(links, flag['article_id_a'], flag['article_a'], line_of(flag, 'a'))}\n"
        f"  - B: “{highlight(flag['text_b'], flag['value_b'], shared)}” — {link(links, flag['article_id_b'], flag['article_b'], line_of(flag, 'b'))}"
        f"{also_said(flag, links)}{note}"
    )


def also_said(flag: dict, links: dict[int, str]) -> str:
    """Where else the same two articles give the same two values (flags that repeat this one)."""
    places = [f"{link(links, r['article_id_a'], r['article_a'], line_of(r, 'a'))} / "
              f"{link(links, r['article_id_b'], r['article_b'], line_of(r, 'b'))}" for r in flag.get("repeats", [])]
    return f"\n  - Also said in: {' · '.join(places)}" if places else ""


def when_and_whom(flag: dict) -> str:
    """A line for the times and cited sources of the two values, when either side states them."""
    parts = []
    for label, key in (("When", "time"), ("Cited", "source")):
        a, b = flag.get(f"{key}_a"), flag.get(f"{key}_b")
        if a or b:
            parts.append(f"{label}: {md_text(a) or '—'} vs {md_text(b) or '—'}")
    relation = flag.get("relation") or "conflict"
    if relation not in ("conflict", "revision"):
        parts.insert(0, f"{relation.capitalize()}: {md_text(flag.get('measure') or flag['about'])}")
    return f"  - {' · '.join(parts)}\n" if parts else ""


def line_of(row: dict, side: str) -> int | None:
    return row.get(f"line_{side}")


def highlight(text: str, value: str, shared_words: list[str]) -> str:
    """The sentence with the disagreeing value in bold and the shared words in italics."""
    safe = md_text(text)
    value_safe = md_text(value)
    if value_safe and value_safe in safe:
        safe = safe.replace(value_safe, f"**{value_safe}**", 1)
    for word in shared_words:
        word_safe = md_text(word)
        if word_safe and len(word) > 3:
            safe = word_pattern(word_safe).sub(r"_\1_", safe, count=1)
    return safe


@lru_cache(maxsize=4096)  # a report highlights the same few thousand words in hundreds of sentences
def word_pattern(word: str) -> re.Pattern:
    return re.compile(rf"(?<![\w*])({re.escape(word)})(?![\w*])", re.IGNORECASE)

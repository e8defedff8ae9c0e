"""Flags, agreements and pairs -> Markdown. `render` is a pure function of gathered data.

Article text is untrusted: everything quoted from an article goes through `markdown.md_text` (see there). The
conflicts section is `report_flags`; the rest is here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from . import forked, repeats, store
from .config import Settings
from .markdown import MAX_SHOWN, file_links, link, md_text
from .report_flags import conflicts
from .same_claims import shared_claim_groups
from .timeline import timelines


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read from the database in one place."""

    articles: list[dict]
    sources: dict[int, str]  # article id -> the path it was read from
    flags: list[dict]
    agreements: list[dict]  # between independent articles (copies of one source corroborate nothing)
    shared: list[list[int]]  # groups of claim ids that state one claim, most articles first
    shared_claims: dict[int, dict]  # the claims of the groups the report shows, by id
    copies: list[tuple[int, int, float]]
    model: str | None
    same_claim_threshold: float = Settings.same_claim_threshold


def gather(db: Database, same_claim_threshold: float = Settings.same_claim_threshold, flagged: bool = True,
           corroborated: bool = True) -> ReportData:
    """Read what the report needs; pairs scoring at least `same_claim_threshold` state the same claim. Without
    `flagged` the articles' flags are left out, without `corroborated` the agreements and shared claims: the two
    halves `gather_and_render` reads in two processes."""
    copies = store.copy_link_shares(db)
    shared = shared_claim_groups(store.same_claim_pairs(db, same_claim_threshold), store.article_of_claims(db),
                                 copies) if corroborated else []
    # Texts only for the groups shown: the pairs themselves can be hundreds of thousands.
    shown = store.claims_by_id(db, sorted({claim for group in shared[:MAX_SHOWN] for claim in group}))
    return ReportData(
        articles=store.articles(db) if flagged else [], sources=store.source_paths(db),
        flags=repeats.fold(store.flags(db)) if flagged else [],  # one per finding: a headline and its lead, once
        agreements=store.agreements(db, independent_only=True) if corroborated else [],
        shared=shared, shared_claims={claim["id"]: claim for claim in shown}, copies=copies,  # type: ignore[arg-type]
        model=", ".join(name for name, _ in store.embedding_models(db)) or None,
        same_claim_threshold=same_claim_threshold,
    )


# From this many claims on, `gather_and_render` reads and renders the corroboration half in a forked process.
HALVES_MIN_CLAIMS = 20_000


def gather_and_render(db: Database, report_dir: Path, charts: str = "report",
                      same_claim_threshold: float = Settings.same_claim_threshold) -> tuple[str, list]:
    """The report's Markdown and its changed measures. In a large corpus the corroboration half (agreements and
    shared claims: same-claim pairs grouped) is read and rendered on the other core while this process reads and
    renders the flags. The halves took about 0.5 s and 0.85 s of the bench's 100k-claim report; writing it, three
    interleaved rounds on an AMD EPYC (2026-12-07): 1.52-1.70 s in one process, 1.04-1.24 s in two, the same
    Markdown (dev timings)."""
    corroboration = None
    if store.claim_count(db) >= HALVES_MIN_CLAIMS and forked.can_fork() and store.database_file(db):
        corroboration = forked.Pending(partial(_corroboration_of_file, store.database_file(db), report_dir,
                                               same_claim_threshold))
    data = gather(db, same_claim_threshold, corroborated=corroboration is None)
    measures = changed_measures(data)
    return render(data, report_dir, charts, measures,
                  corroboration=corroboration.result() if corroboration else None), measures


def _corroboration_of_file(path: str, report_dir: Path, same_claim_threshold: float) -> str:
    """The corroboration half of the report, read through a connection of its own (a forked process must not use
    its parent's)."""
    db = store.open_db(path)
    try:
        data = gather(db, same_claim_threshold, flagged=False)
        return corroboration_sections(data, file_links(data.sources, report_dir.resolve()))
    finally:
        db.close()


def render(data: ReportData, report_dir: Path, charts: str = "report", measures: list | None = None,
           corroboration: str | None = None) -> str:
    """The whole report as Markdown; `charts` prefixes the chart files written beside it; `measures` are the
    changed measures and `corroboration` the corroboration sections when the caller has them already (they are
    derived from `data` otherwise)."""
    names = {a["id"]: a["name"] for a in data.articles}
    report_dir = report_dir.resolve()  # once: resolving is a system call per path part, for every article
    links = file_links(data.sources, report_dir)
    parts = [
        "# claimcheck report",
        f"Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · model: {md_text(data.model) or 'none'} · "
        f"{len(data.articles)} articles · {sum(a['n_claims'] for a in data.articles)} claims",
        conflicts(data, links),
        _figures_changed(changed_measures(data) if measures is None else measures, charts),
        corroboration_sections(data, links) if corroboration is None else corroboration,
        _corpus(data, names),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def corroboration_sections(data: ReportData, links: dict[int, str]) -> str:
    """Facts that independent outlets state alike, and claims shared across articles."""
    return _agreements(data, links) + "\n\n" + _shared_claims(data, links)


CHART_MIN_POINTS = 3


def changed_measures(data: ReportData) -> list:
    """The measures whose figure changed between dates (timeline.Timeline), most points first."""
    articles = {a["name"]: a for a in data.articles}
    found = [t for t in timelines(data.flags, articles) if any(p.relation == "update" for p in t.points)]
    return sorted(found, key=lambda t: (-len(t.points), t.measure))[:MAX_SHOWN]


def chart_name(prefix: str, number: int) -> str:
    """The file a measure's chart is written to, beside the report (pipeline.write_report draws it)."""
    return f"{prefix}-measure-{number}.png"


def charted(measure) -> bool:  # noqa: ANN001 - timeline.Timeline
    return sum(p.number is not None and p.date is not None for p in measure.points) >= CHART_MIN_POINTS


def _figures_changed(measures: list, prefix: str) -> str:
    if not measures:
        return "## How the figures changed\n\nNo figure was reported at different values on different dates."
    out = ["## How the figures changed",
           "The same measure reported at different dates: updates, not contradictions. A value that disagrees "
           "with another of the same date is marked ⚠ and listed under Conflicts."]
    for number, measure in enumerate(measures, start=1):
        rows = [f"### {md_text(measure.measure) or '—'}", "", "| date | outlet | value | source | article |",
                "|---|---|---|---|---|"]
        for point in measure.points:
            mark = " ⚠" if point.relation == "conflict" else ""
            rows.append(f"| {md_text(point.date) or 'undated'} | {md_text(point.outlet) or '—'} | "
                        f"{md_text(point.value)}{mark} | {md_text(point.source) or '—'} | {md_text(point.article)} |")
        if charted(measure):
            rows += ["", f"![How {md_text(measure.measure)} changed](<{quote(chart_name(prefix, number))}>)"]
        out.append("\n".join(rows))
    return "\n\n".join(out)


def _corpus(data: ReportData, names: dict[int, str]) -> str:
    flag_count: dict[int, int] = defaultdict(int)
    for flag in data.flags:
        flag_count[flag["article_id_a"]] += 1
        flag_count[flag["article_id_b"]] += 1
    rows = ["## Corpus", "", "| # | Article | Title | Outlet | Published | Claims | Flags |", "|---|---|---|---|---|---|---|"]
    for article in data.articles:
        rows.append(
            f"| {article['id']} | {md_text(article['name'])} | {md_text(article['title']) or '—'} | "
            f"{md_text(article['outlet']) or '—'} | {md_text(article['published']) or '—'} | "
            f"{article['n_claims']} | {flag_count[article['id']]} |"
        )
    if data.copies:
        rows.append("")
        for a, b, share in data.copies:
            rows.append(
                f"- {md_text(names.get(a))} and {md_text(names.get(b))} are copies of one source "
                f"({share:.0%} of claims shared): their agreement is not independent corroboration and their "
                "differences are listed as revisions."
            )
    return "\n".join(rows)


def _agreements(data: ReportData, links: dict[int, str]) -> str:
    independent = [a for a in data.agreements if a["independent"]]
    if not independent:
        return "## Corroborated facts\n\nNo number, date or quote is stated alike by two independent outlets."
    groups: dict[str, list[dict]] = defaultdict(list)
    for agreement in independent:
        groups[agreement["about"]].append(agreement)
    out = ["## Corroborated facts", "Numbers, dates and quotes that independent outlets state alike."]
    ordered = sorted(groups.items(), key=lambda item: -len(_articles_in(item[1])))
    for about, members in ordered[:MAX_SHOWN]:
        articles = _articles_in(members)
        out.append(f"\n### {md_text(about) or '—'} — {len(articles)} articles agree\n")
        seen = set()
        for agreement in members:
            for side in ("a", "b"):
                key = agreement[f"claim_{side}"]
                if key in seen:
                    continue
                seen.add(key)
                out.append(f"- **{md_text(agreement[f'value_{side}'])}**: “{md_text(agreement[f'text_{side}'])}” — "
                           f"{link(links, agreement[f'article_id_{side}'], agreement[f'article_{side}'], agreement[f'line_{side}'])}")
    return "\n\n".join(out[:2]) + "\n\n" + "\n".join(out[2:])


def _articles_in(rows: list[dict]) -> set[int]:
    return {row["article_id_a"] for row in rows} | {row["article_id_b"] for row in rows}


def _shared_claims(data: ReportData, links: dict[int, str]) -> str:
    """The groups of `shared_claim_groups`, each with its sentences and where they are."""
    if not data.shared:
        return "## Claims shared across articles\n\nNo claim is made in near-identical meaning by two articles."
    out = ["## Claims shared across articles", f"Sentences from different articles that state the same claim (pair score ≥ {data.same_claim_threshold:g})."]
    if len(data.shared) > MAX_SHOWN:
        out.append(f"The {MAX_SHOWN} claims shared by the most articles, of {len(data.shared)}.")
    for number, members in enumerate(data.shared[:MAX_SHOWN], start=1):
        n_articles = len({data.shared_claims[m]["article_id"] for m in members})
        lines = [f"{number}. **{n_articles} articles**"]
        for claim in members:
            row = data.shared_claims[claim]
            lines.append(f"   - “{md_text(row['text'])}” — {link(links, row['article_id'], row['article'], row['line'])}")
        out.append("\n".join(lines))
    return "\n\n".join(out)

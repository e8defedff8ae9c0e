"""The facts derived from each claim (terms, quantities, speaker) and the version of the code that derived them.

Facts are extracted once, at ingest, and stored as JSON so that later stages never parse again.
Each article records the EXTRACTOR_VERSION its facts were made with (facts come from one spaCy
pass over the whole article, so the version is kept per article). A run on a database made by
an older extractor re-extracts those articles from their stored text: claims whose sentences are
unchanged keep their ids (and so their vectors, pairs and review decisions) and get new facts;
only the pairs of claims whose facts changed go back to the checks that read those facts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ContextManager

from sqlite_utils import Database

from . import checks, store
from .ingest import Article

if TYPE_CHECKING:
    from .segment import Segmented

# Bump when segmentation or the quantity or speaker extractors find something else in the same text:
# every article extracted under another version is re-extracted on the next run.
EXTRACTOR_VERSION = "12"  # 2: measure phrases, cited sources, ages, parts, moods; 3: times of day, labels ("deck seven"), figures that describe a thing, "according to X, Y said"; 4: a "would" governing a clausal complement is no projection; 5: ages told by their decade ("in her late teens"); 6: a sentence-opening "On April 23," dates the main clause, "among the N passengers who were on board" counts those aboard; 7: durations in parts or glued ("1hr 10 minutes" = 70 minutes), minutes and seconds as units, "20m people" in millions; 8: a guess put as a question at the end of a paragraph ("300,000?\n") is a projection; 9: the value a change left behind ("to 230,000 from 212,000") is a "previous" figure; 10: a count that is one item of an enumeration ("three owners and two engineers") is "listed"; 11: a figure whose verb says it came first ("initially estimated") is a "previous" figure; 12: the age of "the ship" in an article about one named ship is that ship's age

# The stored claim columns that hold facts, as written by claim_rows.
FACT_COLUMNS = ("terms", "quantities", "attribution", "speaker")


def article_row(segmented: Segmented) -> dict[str, Any]:
    """The articles-table row of a segmented article."""
    article = segmented.article
    return {"name": article.name, "content_hash": article.content_hash, "title": article.title,
            "outlet": article.outlet, "url": article.url, "published": article.published, "text": article.text,
            "aliases": segmented.aliases.to_json(), "facts_version": EXTRACTOR_VERSION}


def claim_rows(segmented: Segmented) -> list[dict[str, Any]]:
    """The claims-table rows of a segmented article, facts as store.insert_article takes them."""
    return [
        {"idx": c.idx, "start": c.start, "end": c.end, "line": c.line, "text": c.text, "text_hash": c.text_hash,
         "terms": list(c.terms), "quantities": [q.to_dict() for q in c.quantities],
         "attribution": c.attribution.to_dict() if c.attribution else None,
         "speaker": c.attribution.canonical if c.attribution else None}
        for c in segmented.claims
    ]


@dataclass
class Refresh:
    """What re-extraction did: articles re-read, claims whose facts changed, articles whose sentences changed."""

    articles: int = 0
    changed_claims: int = 0
    resegmented: int = 0

    @property
    def note(self) -> str | None:
        if not self.articles:
            return None
        resegmented = f", {self.resegmented} split into other sentences" if self.resegmented else ""
        return (f"re-extracted {self.articles:,} articles: the extractor changed "
                f"({self.changed_claims:,} claims got other facts{resegmented})")


def refresh_stale(db: Database, progress: Callable[[str, int], ContextManager[Callable[[int], None]]] | None = None
                  ) -> Refresh:
    """Re-extract the facts of every article made by another extractor version, one transaction per article."""
    stale = store.articles_with_facts_not_from(db, EXTRACTOR_VERSION)
    result = Refresh()
    if not stale:
        return result
    from . import segment

    readers = [Article(source=row["name"], name=row["name"], text=row["text"], title=row["title"],
                       outlet=row["outlet"], url=row["url"], published=row["published"]) for row in stale]
    with (progress or _silent)("Re-extracting facts", len(stale)) as advance:
        for row, segmented in zip(stale, segment.segment(readers)):
            with store.transaction(db):
                _refresh_article(db, row["id"], segmented, result)
            advance(1)
    result.articles = len(stale)
    return result


def _silent(label: str, total: int) -> ContextManager[Callable[[int], None]]:
    return contextlib.nullcontext(lambda n: None)


def _refresh_article(db: Database, article_id: int, segmented: Segmented, result: Refresh) -> None:
    old = store.claims_of_article(db, article_id)
    new = claim_rows(segmented)
    store.set_article_facts(db, article_id, segmented.aliases.to_json(), EXTRACTOR_VERSION)
    if [(c["start"], c["end"], c["text"]) for c in old] != [(c["start"], c["end"], c["text"]) for c in new]:
        # Other sentences: the article's claims are replaced and paired again (flag ids, and so reviews, survive).
        store.replace_claims(db, article_id, new)
        result.resegmented += 1
        result.changed_claims += len(new)
        return
    changed: dict[str, list[int]] = {}  # fact -> claims whose value of it changed
    for before, after in zip(old, new):
        stored = _as_stored(after)
        differs = [column for column in FACT_COLUMNS if before[column] != stored[column]]
        if differs:
            store.update_claim_facts(db, before["id"], stored)
            result.changed_claims += 1
        for column in differs:
            changed.setdefault(column, []).append(before["id"])
    if "terms" in changed:
        store.mark_unpaired(db, [article_id])  # shared terms propose pairs: search this article's claims again
    for check in checks.registered():
        claim_ids = sorted({i for fact in checks.claim_facts(check) for i in changed.get(fact, [])})
        if claim_ids:
            store.forget_checks_of_claims(db, claim_ids, [check.name])


def _as_stored(row: dict[str, Any]) -> dict[str, Any]:
    """A claim row's facts as the claims table stores them (JSON text), to compare with what it holds."""
    return {"terms": json.dumps(row["terms"]), "quantities": json.dumps(row["quantities"]),
            "attribution": json.dumps(row["attribution"]) if row["attribution"] else None,
            "speaker": row["speaker"]}

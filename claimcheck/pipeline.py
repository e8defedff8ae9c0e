"""The pipeline: files -> articles -> claims -> vectors -> index -> pairs -> findings -> SQLite -> report.

The CLI and the end-to-end tests call these functions. Every stage is incremental: an unchanged
file is not parsed again, a sentence already embedded by this model is never embedded again,
only new claims are searched, and only unchecked pairs are checked. A re-run on unchanged input
loads neither spaCy nor the embedding model.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import ContextManager, Protocol

from sqlite_utils import Database

from . import corpus_checks, facts, index, measure_pairs, pairing, report, store
from .config import REPORTS_DIR, SEEDS_DIR, Settings, check_settings
from . import embed
from .embed import Embedder
from .errors import InputError
from .ingest import Article, Problem, read_paths


class Progress(Protocol):
    """Opens a progress bar for `total` items and yields the function that advances it."""

    def __call__(self, label: str, total: int) -> ContextManager[Callable[[int], None]]: ...


def no_progress(label: str, total: int) -> ContextManager[Callable[[int], None]]:
    return contextlib.nullcontext(lambda n: None)


@dataclass
class IngestResult:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (new name, article it repeats)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class CompareResult:
    embedded: int = 0
    new_claims: int = 0
    new_pairs: int = 0
    checked_pairs: int = 0
    copies: list[tuple[str, str]] = field(default_factory=list)
    model_loaded: bool = False
    notes: list[str] = field(default_factory=list)  # what an upgrade made claimcheck redo, one line each


@dataclass
class ReportResult:
    path: Path
    ingested: IngestResult
    compared: CompareResult


# --- ingest -----------------------------------------------------------------------------------


def ingest(db: Database, paths: Sequence[Path | str], settings: Settings, progress: Progress = no_progress,
           meanwhile: Callable[[], object] | None = None) -> IngestResult:
    """Read files into the database: new articles are segmented once (running `meanwhile` as they are parsed);
    known content is only re-named."""
    from . import segment

    check_settings(settings)
    result = IngestResult()
    reading = read_paths(paths, settings.max_file_bytes)
    result.problems.extend(reading.problems)
    fresh: dict[str, Article] = {}  # new content, by hash
    second_names: list[Article] = []  # the same new content under another name in this batch
    for article in reading.articles:
        known = store.article_by_hash(db, article.content_hash)
        if known is not None:
            _remember_known(db, article, known, result)
        elif article.content_hash in fresh:
            result.duplicates.append((article.name, fresh[article.content_hash].name))
            second_names.append(article)
        else:
            fresh[article.content_hash] = article
    if fresh:
        # New claims will be paired against the saved index: it is hashed on the other core while spaCy works.
        index.verify_ahead(settings.index_path)
        with progress("Reading articles", len(fresh)) as advance:
            for segmented in segment.segment(fresh.values(), meanwhile):
                _store_segmented(db, segmented, result)
                advance(1)
    for article in second_names:
        with store.transaction(db):
            store.remember_source(db, article.source, article.name, store.article_by_hash(db, article.content_hash)["id"])
    return result


def _while_parsing(embedder: Embedder, db_file: str, settings: Settings) -> None:
    """What the comparison needs whatever the new articles hold, done while spaCy parses them (an add's spaCy
    loads for over a second in its worker, and this process waits): the model loaded, the corpus' alias tables
    merged, its measure phrases hashed and their file read. Through a connection of its own (this runs in a
    thread); nothing is written."""
    embed.warm_up(embedder)
    if not db_file:
        return  # a database in memory: no other connection can see it
    db = store.open_db(db_file)
    try:
        corpus_checks.corpus_aliases(db)
        measure_pairs.read_ahead(db, embedder.name, settings.phrase_cache_path)
    finally:
        db.close()


def _remember_known(db: Database, article: Article, known: dict, result: IngestResult) -> None:
    previous = store.article_by_source(db, article.source)
    with store.transaction(db):
        store.remember_source(db, article.source, article.name, known["id"])
        if previous and previous["id"] != known["id"]:
            _drop_if_orphaned(db, previous["id"])
    if previous and previous["id"] == known["id"]:
        result.unchanged.append(article.name)
    elif known["name"] != article.name:
        result.duplicates.append((article.name, known["name"]))
    else:
        result.unchanged.append(article.name)


def _store_segmented(db: Database, segmented, result: IngestResult) -> None:  # noqa: ANN001 - segment.Segmented
    article = segmented.article
    result.problems.extend(Problem(article.name, note) for note in segmented.notes)
    previous = store.article_by_source(db, article.source)
    row, claim_rows = facts.article_row(segmented), facts.claim_rows(segmented)
    # One transaction per article: a run killed mid-way keeps the finished articles and nothing half-written.
    with store.transaction(db):
        article_id = store.insert_article(db, row, claim_rows)
        store.remember_source(db, article.source, article.name, article_id)
        if previous:
            _drop_if_orphaned(db, previous["id"])
    (result.replaced if previous else result.added).append(article.name)


def _drop_if_orphaned(db: Database, article_id: int) -> None:
    if not store.has_sources(db, article_id):
        store.delete_article(db, article_id)


# --- embed, index, pair, check ------------------------------------------------------------------


def embed_missing(db: Database, embedder: Embedder, progress: Progress = no_progress, chunk: int = 256,
                  unpaired_only: bool = False) -> int:
    """Embed every claim text this model has not embedded yet (of articles not yet paired, if `unpaired_only`);
    each chunk is committed as it finishes."""
    # Shortest first, so that each chunk (and each batch in it) holds texts of about one length: less padding,
    # ~10-15 % more texts/s than chunks in claim order, each sorted on its own (6,000 bench claims, ONNX int8).
    missing = sorted(store.missing_embeddings(db, embedder.name, unpaired_only), key=lambda row: len(row[1]))
    if not missing:
        return 0
    with progress("Embedding claims", len(missing)) as advance:
        for start in range(0, len(missing), chunk):
            batch = missing[start : start + chunk]
            vectors = embedder.embed_batch([text for _, text in batch], progress=advance)
            with store.transaction(db):
                store.save_embeddings(db, embedder.name, [h for h, _ in batch], vectors)
    return len(missing)


# Concurrent writers may each make the other search again; past this many tries the articles stay
# unpaired and the next run pairs them.
PAIRING_ATTEMPTS = 5


def _pairing_state(settings: Settings, model: str) -> str:
    keys = ("neighbours", "min_cosine", "pair_threshold", "lexical_weight", "rare_term_max_df")
    return json.dumps({"model": model, **{key: getattr(settings, key) for key in keys}}, sort_keys=True)


def compare(
    db: Database, settings: Settings, embedder: Embedder | None = None, progress: Progress = no_progress
) -> CompareResult:
    """Embed, index and pair the claims of articles not yet paired, then check every unchecked pair."""
    check_settings(settings)
    embedder = embedder or embed.load_embedder(settings.model, settings.batch_size)
    result = CompareResult()
    refreshed = refresh_facts(db, progress)
    result.notes += [refreshed.note] if refreshed.note else []
    _reset_pairs_if_settings_changed(db, settings, embedder.name)
    new_articles = store.unpaired_article_ids(db)
    if new_articles:
        # After the reset above, paired articles were paired with this model: their claims have vectors.
        result.embedded = embed_missing(db, embedder, progress, unpaired_only=True)
        result.model_loaded = result.embedded > 0
    result.embedded += _embed_new_phrases(db, embedder, progress, new_articles, refreshed)
    if new_articles:
        for _ in range(PAIRING_ATTEMPTS):
            snap = pairing.snapshot(db, embedder.name, new_articles)
            result.new_claims = len(snap.new_ids)
            claim_index = pairing.index_for(db, settings, embedder.name, snap)
            new_pairs = pairing.find_pairs(db, settings, claim_index, snap)
            measure_candidates = measure_pairs.candidate_pairs(db, embedder.name, new_articles,
                                                               cache=settings.phrase_cache_path)
            # One transaction for pairs, copies and the paired mark: a run killed before it commits
            # pairs these articles again; one killed after it has nothing left to do.
            with store.transaction(db):
                if store.pairing_generation(db) != snap.generation:
                    continue  # another process paired claims this search did not see: search again
                store.insert_pairs(db, [(p.a, p.b, p.similarity, p.lexical, p.score) for p in new_pairs])
                store.insert_pairs(db, measure_pairs.claim_pairs(db, embedder.name, measure_candidates))
                result.copies = pairing.detect_copies(db, settings, new_articles)
                store.mark_paired(db, new_articles)
            result.new_pairs = len(new_pairs)
            break
    checked = corpus_checks.run_checks(db, embedder.name, settings.phrase_cache_path)
    result.checked_pairs, result.notes = checked.checked, result.notes + checked.notes
    return result


def _embed_new_phrases(db: Database, embedder: Embedder, progress: Progress, new_articles: list[int],
                       refreshed: facts.Refresh) -> int:
    """Measure phrases come from new articles, and from re-extracted facts anywhere in the corpus."""
    if refreshed.changed_claims:
        return measure_pairs.embed_phrases(db, embedder, progress)
    return measure_pairs.embed_phrases(db, embedder, progress, articles=new_articles) if new_articles else 0


def refresh_facts(db: Database, progress: Progress = no_progress) -> facts.Refresh:
    """Re-extract the facts of articles made by an older extractor (nothing to do, and nothing loaded, usually)."""
    return facts.refresh_stale(db, progress)


def run_checks(db: Database, settings: Settings, model: str | None = None) -> int:
    """Check every pair a registered check has not examined at its version; how many pairs were checked."""
    return corpus_checks.run_checks(db, model or settings.model, settings.phrase_cache_path).checked


def _reset_pairs_if_settings_changed(db: Database, settings: Settings, model: str) -> None:
    state = _pairing_state(settings, model)
    if store.get_meta(db, "pairing") == state:
        return
    with store.transaction(db):
        store.forget_pairing(db)
        store.set_meta(db, "pairing", state)


# --- report -------------------------------------------------------------------------------------


def default_report_path() -> Path:
    return REPORTS_DIR / "report.md"


def write_report(db: Database, out: Path, settings: Settings | None = None) -> Path:
    """Render the Markdown report from the database and write it atomically."""
    if not out.parent.exists():
        raise InputError(f"the folder for the report does not exist: {out.parent}")
    settings = settings or Settings()
    markdown, measures = report.gather_and_render(db, out.parent, out.stem, settings.same_claim_threshold)
    for number, measure in enumerate(measures, start=1):
        if report.charted(measure):
            from . import report_charts  # matplotlib loads only when a figure changed at three dates or more

            report_charts.draw(measure, out.parent / report.chart_name(out.stem, number))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(markdown, encoding="utf-8")
    tmp.replace(out)
    return out


def run_report(
    db: Database, settings: Settings, paths: Sequence[Path | str] | None = None, out: Path | None = None,
    embedder: Embedder | None = None, progress: Progress = no_progress,
) -> ReportResult:
    """The main job: ingest (default: the built-in seeds), compare, write the report."""
    paths = list(paths) if paths else [SEEDS_DIR]
    out = out or default_report_path()
    if out == default_report_path():
        out.parent.mkdir(parents=True, exist_ok=True)
    embedder = embedder or embed.load_embedder(settings.model, settings.batch_size)
    # The model loads while spaCy parses the new articles: in an incremental add, on the other core.
    ingested = ingest(db, paths, settings, progress,
                      meanwhile=partial(_while_parsing, embedder, store.database_file(db), settings))
    compared = compare(db, settings, embedder, progress)
    return ReportResult(write_report(db, out, settings), ingested, compared)

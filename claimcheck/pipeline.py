"""The pipeline: files -> articles -> claims -> vectors -> index -> pairs -> findings -> SQLite -> report.

The CLI and the end-to-end tests call these functions. Every stage is incremental: an unchanged
file is not parsed again, a sentence already embedded by this model is never embedded again,
only new claims are searched, and only unchecked pairs are checked. A re-run on unchanged input
loads neither spaCy nor the embedding model.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import ContextManager, Protocol

import numpy as np
from sqlite_utils import Database

from . import cells, corpus_checks, facts, index, measure_pairs, pair, report, store
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
            snap = snapshot(db, embedder.name, new_articles)
            result.new_claims = len(snap.new_ids)
            claim_index = index_for(db, settings, embedder.name, snap)
            new_pairs = find_pairs(db, settings, claim_index, snap)
            measure_candidates = measure_pairs.candidate_pairs(db, embedder.name, new_articles,
                                                               cache=settings.phrase_cache_path)
            # One transaction for pairs, copies and the paired mark: a run killed before it commits
            # pairs these articles again; one killed after it has nothing left to do.
            with store.transaction(db):
                if store.pairing_generation(db) != snap.generation:
                    continue  # another process paired claims this search did not see: search again
                store.insert_pairs(db, [(p.a, p.b, p.similarity, p.lexical, p.score) for p in new_pairs])
                store.insert_pairs(db, measure_pairs.claim_pairs(db, embedder.name, measure_candidates))
                result.copies = detect_copies(db, settings, new_articles)
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


@dataclass(frozen=True)
class Snapshot:
    """What one pairing pass works on: every embedded claim id, and the new claims with their vectors."""

    known_ids: np.ndarray
    new_ids: np.ndarray
    new_vectors: np.ndarray
    generation: int = 0  # store.pairing_generation when the snapshot was taken

    def vectors_of(self, db: Database, model: str, claim_ids: list[int]) -> dict[int, np.ndarray]:
        """These claims' vectors: the snapshot's own where it holds them (all, on a first run), else from SQLite."""
        rows = np.minimum(np.searchsorted(self.new_ids, claim_ids), max(0, len(self.new_ids) - 1))
        held = (self.new_ids[rows] == claim_ids) if len(self.new_ids) else np.zeros(len(claim_ids), dtype=bool)
        found = {int(c): self.new_vectors[r] for c, r, h in zip(claim_ids, rows.tolist(), held.tolist()) if h}
        return found | store.vectors_of(db, model, [c for c, h in zip(claim_ids, held.tolist()) if not h])


def snapshot(db: Database, model: str, new_articles: Sequence[int]) -> Snapshot:
    """The claims to pair now (those of `new_articles`) without loading every vector of the corpus."""
    generation = store.pairing_generation(db)  # read first: a pass committed after it makes this one search again
    known_ids = store.embedded_claim_ids(db, model)
    # Articles that arrived after `new_articles` was read wait for the next pass.
    new_ids, vectors = store.claim_vectors(db, model, unpaired_only=True, articles=[int(a) for a in new_articles])
    return Snapshot(np.union1d(known_ids, new_ids), new_ids, vectors, generation)


def index_for(db: Database, settings: Settings, model: str, snap: Snapshot) -> index.ClaimIndex:
    """The saved index extended with the new claims, or one rebuilt from SQLite when the cache is unusable."""
    old_ids = np.setdiff1d(snap.known_ids, snap.new_ids)
    claim_index = index.load(settings.index_path, model, old_ids, adding=len(snap.new_ids))
    if claim_index is not None and claim_index.outgrown(len(snap.known_ids), settings.exact_search_limit):
        claim_index = None  # past exact search's size, or past what its IVF cells were trained for: rebuild
    if claim_index is None and len(snap.new_ids) == len(snap.known_ids):
        # A first run: the snapshot holds every vector already (100k claims: 4 s less than reading them again).
        claim_index = index.build(snap.new_ids, snap.new_vectors, model, settings.exact_search_limit)
    elif claim_index is None:
        claim_index = rebuild_index(db, settings, model, snap.known_ids, _snapshot_blocks(db, model, snap))
    else:
        claim_index.add(snap.new_ids, snap.new_vectors, index.digest_ids(snap.known_ids))
    index.save(claim_index, settings.index_path)
    return claim_index


def rebuild_index(db: Database, settings: Settings, model: str, ids: np.ndarray,
                  blocks: Iterable[tuple[np.ndarray, np.ndarray]]) -> index.ClaimIndex:
    """An index over `blocks` (the vectors of `ids`), its IVF cells, if it needs them, trained on claims drawn at
    random (the blocks come in article order)."""
    count = len(ids)
    exact = count <= settings.exact_search_limit
    sample = None if exact else store.vector_sample(db, model, ids, cells.train_size(count))
    return index.build_from_blocks(blocks, count, model, settings.exact_search_limit, sample)


def _snapshot_blocks(db: Database, model: str, snap: Snapshot):
    """The vectors of the snapshot's claims in blocks; claims embedded after the snapshot wait for the next pass."""
    for ids, vectors in store.claim_vector_blocks(db, model):
        keep = np.isin(ids, snap.known_ids)
        yield ids[keep], vectors[keep]


def find_pairs(db: Database, settings: Settings, claim_index: index.ClaimIndex, snap: Snapshot) -> list[pair.Pair]:
    """Pairs between the new claims and every other claim: nearest neighbours plus shared rare terms."""
    if not len(snap.new_ids):
        return []
    # No cyclic garbage collection meanwhile: pairing 100k claims builds millions of tuples and sets (no cycles),
    # and the collector, scanning them again and again, took 6 s of its 43.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _find_pairs(db, settings, claim_index, snap)
    finally:
        if was_enabled:
            gc.enable()


def _find_pairs(db: Database, settings: Settings, claim_index: index.ClaimIndex, snap: Snapshot) -> list[pair.Pair]:
    # k+1: FAISS returns the query itself first.
    sims, neighbours = claim_index.search(snap.new_vectors, settings.neighbours + 1)
    codes, cosine = pair.neighbour_candidates(snap.new_ids, sims, neighbours, settings.min_cosine)
    query_terms = _terms_of(db, snap.new_ids.tolist())
    df = store.term_document_frequency(db, {t for terms in query_terms.values() for t in terms})
    rare = {t for t, n in df.items() if 2 <= n <= settings.rare_term_max_df}
    postings = store.claims_with_terms(db, rare, settings.rare_term_max_df)
    rare_codes = pair.rare_term_candidates(query_terms, postings)
    # Only claims this pass knows: another process may have added claims since (the index holds only known ones).
    rare_codes = rare_codes[np.isin(pair.decode(rare_codes), snap.known_ids).all(axis=1)]
    codes, cosine = pair.with_candidates(codes, cosine, rare_codes)
    involved = np.unique(pair.decode(codes)).tolist()
    terms = _terms_of(db, involved)
    df.update(store.term_document_frequency(db, {t for ts in terms.values() for t in ts} - set(df)))
    idf = pair.idf_weights(df, store.claim_count(db))
    article_of = _articles_of(db, involved)
    # Vectors only for the candidates the search did not already score.
    unscored = np.unique(pair.decode(codes[np.isnan(cosine)])).tolist()
    vector_of = snap.vectors_of(db, claim_index.model, unscored)
    return pair.score_pairs(codes, cosine, vector_of, terms, article_of, idf, settings.lexical_weight,
                            settings.pair_threshold)


def _terms_of(db: Database, claim_ids: list[int]) -> dict[int, list[str]]:
    return {claim_id: json.loads(terms) for claim_id, terms in store.claim_terms(db, claim_ids)}


def _articles_of(db: Database, claim_ids: list[int]) -> dict[int, int]:
    return dict(store.claim_articles(db, claim_ids))


def detect_copies(db: Database, settings: Settings, new_articles: list[int]) -> list[tuple[str, str]]:
    """Link article pairs that are copies of one source; their pairs go back to the checks."""
    # Only near-verbatim pairs can make two articles copies: reading every pair of 100k claims took 20 s (profiled).
    rows = store.close_pairs_of_articles(db, new_articles, settings.copy_cosine)
    found = [pair.Pair(*row[:5]) for row in rows]
    article_of = {row[0]: row[5] for row in rows} | {row[1]: row[6] for row in rows}
    listing = store.articles(db)
    sizes = {a["id"]: a["n_claims"] for a in listing}
    copies = pair.copied_articles(found, article_of, sizes, settings.copy_cosine, settings.copy_share)
    names = {a["id"]: a["name"] for a in listing}
    with store.transaction(db):
        for (a, b), share in copies.items():
            store.save_copy_link(db, a, b, share)
            store.forget_checks_between(db, a, b)
    return [(names[a], names[b]) for a, b in copies]


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
    ingested = ingest(db, paths, settings, progress, meanwhile=partial(embed.warm_up, embedder))
    compared = compare(db, settings, embedder, progress)
    return ReportResult(write_report(db, out, settings), ingested, compared)

"""The registered checks over the corpus' stored pairs: each check examines the pairs its current version has not.

A pair records which version of each check examined it, so a new pair meets every check, an
upgraded check re-examines every pair it saw before (and says so), a change in what a check reads
(the corpus' aliases, a claim's re-extracted facts) sends back only the pairs it touches, and a
check added to the registry examines every stored pair once. Once a full pass has stamped every pair with
the current versions (meta "checks_complete"), a run reads only the pairs marked as waiting: the new ones and
those sent back, which is what a one-article add needs (not a scan of every pair's stamps).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from . import checks, measure_pairs, store
from .attribution import AliasTable

# Concurrent writers may each make the other check again; past this many tries the pairs wait for the next run.
ATTEMPTS = 5
# Pairs read, checked and saved together: a first run over 700k pairs held every pair's facts at once (5.8 GB).
BATCH = 10_000
# Worker processes pay off past this many pairs (each starts in about a second); at most this many.
PARALLEL_MIN_PAIRS = 40_000
MAX_WORKERS = 2
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a Linux process gets when its parent ends
Results = tuple[str, list[int], list[dict], list[dict]]  # check name, pair ids examined, flag rows, agreement rows


@dataclass
class CheckRun:
    """How many pairs were checked, and a line for each reason a pair was checked again."""

    checked: int = 0
    notes: list[str] = field(default_factory=list)


# The last corpus alias table this process made, and the article tables (as JSON) it is the union of; the lock keeps
# two threads from merging into one table (an add makes it in a thread while spaCy parses).
_last_union: tuple[frozenset[str], AliasTable] = (frozenset(), AliasTable())
_union_lock = threading.Lock()


def corpus_aliases(db: Database) -> AliasTable:
    """The alias table of the whole corpus: every article's lessons merged.

    Tables merge by union, so the last corpus table this process made, and the article tables (as JSON) it is the
    union of, extend to any corpus that holds those tables: an add merges only the new article's. Made once while
    spaCy parses (pipeline._while_parsing), the 100k bench add's took 0.02 s instead of 0.08-0.17 s (dev timings).
    """
    global _last_union
    tables = frozenset(store.all_aliases(db))
    with _union_lock:
        merged, union = _last_union
        if not merged <= tables:
            merged, union = frozenset(), AliasTable()  # an article's table is gone: start again
        _last_union = (frozenset(), AliasTable())  # until the merge below is whole
        for raw in tables - merged:  # into the kept table itself: callers get copies
            union.merge(AliasTable.from_json(raw))
        _last_union = (tables, union)
        return union.copy()  # the caller's to change


def run_checks(db: Database, model: str, phrase_cache: Path | None = None) -> CheckRun:
    """Run every registered check on the pairs it has not examined at its version; store flags and agreements.

    `model` embedded the measure phrases whose similarity the numeric check weighs (their vectors are read from
    `phrase_cache`, measure_pairs.phrase_matrix's file, where it holds them). The pairs are read,
    checked and saved BATCH at a time, so a first run over a large corpus holds one batch of facts at once;
    a large run checks its batches in worker processes, one per core, while this one saves.
    """
    registry = checks.registered()
    versions = {check.name: check.version for check in registry}
    complete = json.dumps(versions, sort_keys=True)
    run = CheckRun()
    for _ in range(ATTEMPTS):
        aliases, digest = _current_aliases(db, registry)  # as JSON: what a worker is sent
        waiting_only = store.get_meta(db, "checks_complete") == complete
        stale = {check.name: dict(store.stale_pairs(db, check.name, check.version, waiting_only))
                 for check in registry}
        pair_ids = sorted(set().union(*stale.values()))
        if not pair_ids:
            _mark_complete(db, complete, waiting_only)
            return run
        run.notes = run.notes or _upgrade_notes(registry, stale)
        copies = store.copy_links(db)
        batches = [{check.name: [p for p in pair_ids[start:start + BATCH] if p in stale[check.name]]
                    for check in registry} for start in range(0, len(pair_ids), BATCH)]
        # The phrase file is one 30 MB read: worth it for a large run, not for the few pairs of a one-article add.
        large = phrase_cache is not None and len(pair_ids) >= PARALLEL_MIN_PAIRS
        job = _Job(store.database_file(db), model, aliases, copies, str(phrase_cache) if large else "")
        for batch, results in _checked(db, job, registry, batches):
            with store.transaction(db):
                if store.get_meta(db, "aliases") != digest or store.copy_links(db) != copies:
                    break  # another process changed the aliases or the copies meanwhile: these findings are stale
                for name, ids, flags, agreements in results:
                    store.save_check_results(db, name, versions[name], ids, flags, agreements)
            run.checked += len(_pair_ids(batch))
        else:
            _mark_complete(db, complete, waiting_only)
            return run
    return run


def _mark_complete(db: Database, complete: str, already: bool) -> None:
    """Every pair read by a full pass now carries these versions of the checks (pairs added meanwhile are marked
    as waiting): later runs need only look at the pairs marked so."""
    if not already:
        with store.transaction(db):
            store.set_meta(db, "checks_complete", complete)


def _pair_ids(batch: dict[str, list[int]]) -> list[int]:
    """Every pair id of a batch (each check's stale pairs of it), in order."""
    return sorted(set().union(*batch.values()))


@dataclass(frozen=True)
class _Job:
    """What checking a batch of pairs needs besides the pairs: picklable, for a worker process."""

    db_file: str  # "" for a database only this process can see (in memory)
    model: str
    aliases: str  # AliasTable.to_json()
    copies: frozenset[tuple[int, int]]
    phrase_cache: str = ""  # measure_pairs.phrase_matrix's file, "" for none


def _checked(db: Database, job: _Job, registry: list[checks.Check], batches: list[dict[str, list[int]]]):
    """(batch, its results) for each batch in order, from worker processes when that pays, else from here."""
    workers = _workers(job, registry, sum(len(_pair_ids(batch)) for batch in batches))
    if workers < 2:
        context = _BatchChecker(db, job)
        for batch in batches:
            yield batch, context.check(registry, batch)
        return
    # fork, not spawn: spawn would run the caller's main script again in each worker. A forked worker only
    # runs Python and numpy on its own database connection, never the embedder's onnxruntime or torch threads.
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=fork, initializer=_start_worker, initargs=(job,)) as pool:
        try:
            yield from zip(batches, pool.map(_check_in_worker, batches))
        finally:
            pool.shutdown(cancel_futures=True)


def _workers(job: _Job, registry: list[checks.Check], n_pairs: int) -> int:
    """Worker processes for this many pairs: one per core on a large run of the built-in checks, else none.

    A check registered at run time (a plugin, a test) exists only in this process, and a worker costs
    about a second to start: below PARALLEL_MIN_PAIRS the pairs are checked here.
    """
    builtin = all(type(check).__module__ in checks.BUILTIN for check in registry)
    forks = "fork" in multiprocessing.get_all_start_methods()
    if not job.db_file or not builtin or not forks or n_pairs < PARALLEL_MIN_PAIRS:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(cores, MAX_WORKERS)


class _BatchChecker:
    """Checks batches of pairs against one database: the corpus' aliases, article dates and copies read once."""

    def __init__(self, db: Database, job: _Job) -> None:
        self.db, self.model, self.copies = db, job.model, set(job.copies)
        self.aliases = AliasTable.from_json(job.aliases)
        self.anchors = measure_pairs.article_anchors(db)
        self.phrases = measure_pairs.phrase_file(db, job.model, Path(job.phrase_cache) if job.phrase_cache else None)

    def check(self, registry: list[checks.Check], batch: dict[str, list[int]]) -> list[Results]:
        """(check name, pair ids examined, flag rows, agreement rows) of each check on its stale pairs of a batch."""
        rows = store.pairs_by_id(self.db, _pair_ids(batch))
        sides = _sides(rows)
        contexts = _contexts(self.db, self.model, rows, sides, self.aliases, self.anchors, self.phrases)
        return [(check.name, *_results(check, rows, set(batch[check.name]), contexts, self.copies, sides))
                for check in registry]


_worker: _BatchChecker | None = None  # a worker process' checker, made once by _start_worker


def _start_worker(job: _Job) -> None:
    global _worker
    _die_with_parent()
    _worker = _BatchChecker(store.open_db(job.db_file), job)


def _die_with_parent() -> None:
    """End this worker when the process that started it ends, however it ends (a kill -9 runs no cleanup):
    an orphaned worker would wait for batches forever, holding the parent's terminal and pipes open."""
    parent = os.getppid()
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL) == 0 and os.getppid() == parent:
            return
    except (OSError, AttributeError):
        pass  # not Linux: watch for the parent instead

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _check_in_worker(batch: dict[str, list[int]]) -> list[Results]:
    assert _worker is not None
    return _worker.check(checks.registered(), batch)


def _current_aliases(db: Database, registry: list[checks.Check]) -> tuple[str, str]:
    """The corpus' aliases (as JSON, made once: 0.03-0.1 s at 100k claims) and their digest; when they changed, the
    checks that read them forget their pairs."""
    aliases = corpus_aliases(db).to_json()
    digest = hashlib.sha256(aliases.encode()).hexdigest()
    if store.get_meta(db, "aliases") != digest:
        with store.transaction(db):
            for check in registry:
                if "aliases" in check.reads:
                    store.forget_check(db, check.name, checks.claim_facts(check))
            store.set_meta(db, "aliases", digest)
    return aliases, digest


def _contexts(db: Database, model: str, rows: list[dict], sides: dict[int, tuple[checks.Side, checks.Side]],
              aliases: AliasTable, anchors: dict[int, tuple[date | None, str]],
              phrases: dict[str, np.ndarray]) -> dict[int, checks.Context]:
    """Each pair's context: the corpus' aliases, its articles' dates and its measure phrases' similarity."""
    vectors = measure_pairs.phrase_vectors(db, model, [side for pair in sides.values() for side in pair], phrases)
    return {row["id"]: checks.Context(aliases, measure_pairs.setting_for(row, anchors, vectors)) for row in rows}


def _sides(rows: list[dict]) -> dict[int, tuple[checks.Side, checks.Side]]:
    """Each pair's two claims with their facts, each claim read once however many pairs and checks it is in."""
    by_claim: dict[int, checks.Side] = {}

    def side(row: dict, key: str) -> checks.Side:
        claim = row[f"claim_{key}"]
        if claim not in by_claim:
            by_claim[claim] = checks.pair_side(row, key)
        return by_claim[claim]

    return {row["id"]: (side(row, "a"), side(row, "b")) for row in rows}


def _results(check: checks.Check, rows: list[dict], stale: set[int],
             contexts: dict[int, checks.Context],
             copies: set[tuple[int, int]], sides: dict[int, tuple[checks.Side, checks.Side]],
             ) -> tuple[list[int], list[dict], list[dict]]:
    """One check's flag and agreement rows on the stale pairs among `rows`, and the ids it examined."""
    ids, flags, agreements = [], [], []
    for row in rows:
        if row["id"] not in stale:
            continue
        ids.append(row["id"])
        ends = (row["article_id_a"], row["article_id_b"])
        is_copy = (min(ends), max(ends)) in copies
        for finding in checks.check_pair(row, check, contexts[row["id"]], is_copy, sides[row["id"]]):
            if finding.verdict == "agree":
                agreements.append(checks.agreement_row(finding, independent=not is_copy))
            else:
                flags.append(checks.flag_row(finding))
    return ids, flags, agreements


def _upgrade_notes(registry: list[checks.Check], stale: dict[str, dict[int, str | None]]) -> list[str]:
    """One line naming the checks whose new version re-examined pairs an older one had checked."""
    again = {pair_id for rows in stale.values() for pair_id, version in rows.items() if version is not None}
    changed = [check.name for check in registry if any(version is not None for version in stale[check.name].values())]
    if not again:
        return []
    names = " and ".join([", ".join(changed[:-1]), changed[-1]] if len(changed) > 1 else changed)
    return [f"re-checked {len(again):,} pairs: the {names} check{'s' if len(changed) > 1 else ''} changed"]

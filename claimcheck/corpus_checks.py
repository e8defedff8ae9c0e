"""The registered checks over the corpus' stored pairs: each check examines the pairs its current version has not.

A pair records which version of each check examined it, so a new pair meets every check, an
upgraded check re-examines every pair it saw before (and says so), a change in what a check reads
(the corpus' aliases, a claim's re-extracted facts) sends back only the pairs it touches, and a
check added to the registry examines every stored pair once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlite_utils import Database

from . import checks, measure_pairs, store
from .attribution import AliasTable

# Concurrent writers may each make the other check again; past this many tries the pairs wait for the next run.
ATTEMPTS = 5
# Pairs read, checked and saved together: a first run over 700k pairs held every pair's facts at once (5.8 GB).
BATCH = 20_000


@dataclass
class CheckRun:
    """How many pairs were checked, and a line for each reason a pair was checked again."""

    checked: int = 0
    notes: list[str] = field(default_factory=list)


def corpus_aliases(db: Database) -> AliasTable:
    """The alias table of the whole corpus: every article's lessons merged."""
    table = AliasTable()
    for raw in store.all_aliases(db):
        table.merge(AliasTable.from_json(raw))
    return table


def run_checks(db: Database, model: str) -> CheckRun:
    """Run every registered check on the pairs it has not examined at its version; store flags and agreements.

    `model` embedded the measure phrases whose similarity the numeric check weighs. The pairs are read,
    checked and saved BATCH at a time, so a first run over a large corpus holds one batch of facts at once.
    """
    registry = checks.registered()
    run = CheckRun()
    for _ in range(ATTEMPTS):
        aliases, digest = _current_aliases(db, registry)
        stale = {check.name: dict(store.stale_pairs(db, check.name, check.version)) for check in registry}
        pair_ids = sorted(set().union(*stale.values()))
        if not pair_ids:
            return run
        run.notes = run.notes or _upgrade_notes(registry, stale)
        copies = store.copy_links(db)
        anchors = measure_pairs.article_anchors(db)
        for start in range(0, len(pair_ids), BATCH):
            rows = store.pairs_by_id(db, pair_ids[start:start + BATCH])
            contexts = _contexts(db, model, rows, aliases, anchors)
            sides = _sides(rows)
            results = [(check, *_results(check, rows, stale[check.name], contexts, copies, sides))
                       for check in registry]
            with store.transaction(db):
                if store.get_meta(db, "aliases") != digest or store.copy_links(db) != copies:
                    break  # another process changed the aliases or the copies meanwhile: these findings are stale
                for check, ids, flags, agreements in results:
                    store.save_check_results(db, check.name, check.version, ids, flags, agreements)
            run.checked += len(rows)
        else:
            return run
    return run


def _current_aliases(db: Database, registry: list[checks.Check]) -> tuple[AliasTable, str]:
    """The corpus' aliases and their digest; when they changed, the checks that read them forget their pairs."""
    aliases = corpus_aliases(db)
    digest = hashlib.sha256(aliases.to_json().encode()).hexdigest()
    if store.get_meta(db, "aliases") != digest:
        with store.transaction(db):
            for check in registry:
                if "aliases" in check.reads:
                    store.forget_check(db, check.name, checks.claim_facts(check))
            store.set_meta(db, "aliases", digest)
    return aliases, digest


def _contexts(db: Database, model: str, rows: list[dict], aliases: AliasTable,
              anchors: dict[int, tuple[date | None, str]]) -> dict[int, checks.Context]:
    """Each pair's context: the corpus' aliases, its articles' dates and its measure phrases' similarity."""
    vectors = measure_pairs.phrase_vectors(db, model, rows)
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


def _results(check: checks.Check, rows: list[dict], stale: dict[int, str | None], contexts: dict[int, checks.Context],
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

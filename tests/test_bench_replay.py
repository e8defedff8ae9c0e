"""The benchmark's stage replay does what `claimcheck report` does: the same database from the same articles.

bench/stages.py times the pipeline step by step with library calls, a near-copy of `pipeline.run_report`. Once
it skipped embedding the measure phrases and pairing their claims, so the bench timed less work than the command
(README, Quality and speed). This test runs the replay as the bench does, in its own process, on the seeds, and
compares what it stored with what `run_report` stored from the same seeds.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimcheck import store
from claimcheck.config import PROJECT_ROOT, SEEDS_DIR

pytestmark = pytest.mark.e2e


def _contents(db) -> dict:  # noqa: ANN001 - a sqlite_utils Database
    """What a run leaves, by content rather than row id: claims, pairs, figures, vectors, findings, copies."""
    def rows(sql: str) -> list:
        return sorted(tuple(row) for row in db.execute(sql).fetchall())

    text = "(SELECT text FROM claims WHERE id = {})"
    return {
        "claims": rows("SELECT a.name, c.idx, c.text, c.quantities, c.attribution FROM claims c"
                       " JOIN articles a ON a.id = c.article_id"),
        "pairs": rows(f"SELECT {text.format('claim_a')}, {text.format('claim_b')}, round(similarity, 3),"
                      " round(lexical, 3), round(score, 3) FROM pairs"),
        "figures": rows("SELECT kind, measure FROM figures"),
        "vectors": rows("SELECT text_hash, model FROM embeddings"),
        "flags": rows("SELECT id, kind, verdict, relation, value_a, value_b FROM flags"),
        "agreements": rows("SELECT id, kind, value_a, value_b, independent FROM agreements"),
        "copies": rows("SELECT article_a, article_b FROM article_links"),
        "paired": rows("SELECT name FROM articles WHERE paired_at IS NOT NULL"),
    }


def test_the_stage_replay_stores_what_claimcheck_report_stores(seeds_run, tmp_path: Path):
    _, report_db, _, _ = seeds_run
    replay_db = tmp_path / "replay.db"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "bench.stages", str(SEEDS_DIR), str(replay_db), str(tmp_path / "replay.json"),
                    "50"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=600)
    stages = [stage["stage"] for stage in json.loads((tmp_path / "replay.json").read_text())["stages"]]
    assert {"segmentation", "embedding", "measure phrases", "pairing", "checks", "report"} <= set(stages)

    replayed, reported = _contents(store.open_db(replay_db)), _contents(report_db)
    assert reported["pairs"] and reported["figures"] and reported["agreements"]  # the seeds exercise every step
    for part in reported:
        assert replayed[part] == reported[part], part

    # The whole pipeline in turn with its peer (bench.in_turn) ran `claimcheck report`'s own work each round.
    in_turn = json.loads((tmp_path / "replay.json").read_text())["peers"]["whole_in_turn"]
    assert in_turn["rounds"] == len(in_turn["round_ratios"]) == 3 and in_turn["ratio"] > 0
    assert in_turn["claims"] == len(reported["claims"])
    last_round = _contents(store.open_db(tmp_path / "replay_in_turn_2.db"))
    for part in reported:
        assert last_round[part] == reported[part], part


def test_the_interleaved_embedding_measure_runs_both_sides_on_every_chunk_in_alternating_order():
    from bench.render import _in_turn
    from bench.stages import INTERLEAVED_CHUNK, interleaved_embedding

    calls = []

    class Side:
        def __init__(self, name: str):
            self.name = name

        def embed_batch(self, chunk):  # noqa: ANN001, ANN201 - the pipeline's embedder
            calls.append((self.name, tuple(chunk)))
            time.sleep(0.001)  # a measurable time on each side

        def encode(self, chunk, **_):  # noqa: ANN001, ANN003, ANN201 - the fp32 peer
            self.embed_batch(chunk)

    texts = [f"text {n}" for n in range(INTERLEAVED_CHUNK * 2 + 10)]
    found = interleaved_embedding(Side("ours"), Side("peer"), texts)
    assert found["texts"] == len(texts) and found["chunks"] == 3
    assert [name for name, _ in calls] == ["ours", "peer", "peer", "ours", "ours", "peer"]
    assert [chunk for _, chunk in calls[::2]] == [chunk for _, chunk in calls[1::2]]  # the same texts on each side
    assert sorted(text for _, chunk in calls[::2] for text in chunk) == sorted(texts)
    assert _in_turn(found).endswith(f"({len(texts)}; {min(found['chunk_ratios']):.2f}–{max(found['chunk_ratios']):.2f})")
    assert _in_turn(None) == "–"


def test_the_whole_pipeline_in_turn_alternates_which_side_runs_first(monkeypatch, tmp_path: Path):
    from contextlib import contextmanager

    from bench import in_turn
    from bench.render import _whole_in_turn

    calls = []

    @contextmanager
    def peer_process(model_name):  # noqa: ANN001, ANN202
        def encode(texts):  # noqa: ANN001, ANN202
            calls.append(("peer", len(texts)))
            return 2.0
        yield encode

    def one_report(corpus, db_path, embedder):  # noqa: ANN001, ANN202
        calls.append(("ours", db_path.name))
        return 100, 1.0

    monkeypatch.setattr(in_turn, "peer_process", peer_process)
    monkeypatch.setattr(in_turn, "one_report", one_report)
    embedder = type("Embedder", (), {"name": "model"})()
    found = in_turn.pipeline_in_turn(tmp_path, tmp_path / "base.db", embedder, ["text"] * 300, rounds=3)
    assert calls[0] == ("peer", in_turn.WARM_UP_TEXTS)  # the peer's warm-up, untimed
    assert calls[1:] == [("ours", "base_in_turn_0.db"), ("peer", 300), ("peer", 300), ("ours", "base_in_turn_1.db"),
                         ("ours", "base_in_turn_2.db"), ("peer", 300)]
    # 100 claims in 1 s against 300 texts in 2 s: 100 / 150 per round.
    assert found["round_ratios"] == pytest.approx([100 / 150] * 3) and found["ratio"] == pytest.approx(100 / 150)
    assert _whole_in_turn(found) == "**0.67×** (3; 0.67–0.67)"
    assert _whole_in_turn(None) == "–"


def test_the_whole_pipeline_runs_in_turn_three_rounds_at_1k_two_at_10k_and_not_at_100k():
    from bench.stages import in_turn_rounds

    assert [in_turn_rounds(n) for n in (1_053, 10_433, 102_549)] == [3, 2, 0]

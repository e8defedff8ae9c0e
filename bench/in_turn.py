"""The whole pipeline and its peer in turn, both with their models loaded once.

The stage replay (bench.stages) and the bare-encode peer are one sample each, taken a minute apart, and this VM's
speed drifts by a fifth between minutes: at 1k claims the whole pipeline and its peer take about 7 s each, so one
sample of each says little. Here `pipeline.run_report` itself (on a fresh database each round, spaCy and the
embedder already loaded in this process) and the peer's `model.encode` (in a process of its own, its model loaded
once) take turns, the first to run alternating, so that both meet the same machine.

The peer runs in a spawned process because it imports torch, and segmentation forks its spaCy workers only from
a process without torch (see `segment._workers`): loaded here, the peer would slow the pipeline it is compared to.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench import cli_bench
from claimcheck import pipeline, store
from claimcheck.config import Settings

PEER_BATCH = 32
WARM_UP_TEXTS = 256


def _peer_main(conn, model_name: str) -> None:  # noqa: ANN001 - a multiprocessing Connection
    """The peer process: a float32 sentence-transformers model; each list of texts received is encoded and the
    seconds it took sent back, until None arrives."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from claimcheck import embed

    model = embed.SentenceTransformerEmbedder(model_name, precision="fp32").model
    conn.send("ready")
    while (texts := conn.recv()) is not None:
        started = time.perf_counter()
        model.encode(texts, batch_size=PEER_BATCH, normalize_embeddings=True)
        conn.send(time.perf_counter() - started)


@contextmanager
def peer_process(model_name: str) -> Iterator[Callable[[list[str]], float]]:
    """A function that has the peer encode texts and returns its seconds; the process ends with the block."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_peer_main, args=(theirs, model_name), daemon=True)
    process.start()
    try:
        if ours.recv() != "ready":
            raise RuntimeError("the peer process did not start")

        def encode(texts: list[str]) -> float:
            ours.send(texts)
            return ours.recv()

        yield encode
    finally:
        ours.send(None)
        process.join(timeout=30)


def one_report(corpus: Path, db_path: Path, embedder) -> tuple[int, float]:  # noqa: ANN001 - an Embedder
    """`claimcheck report` on a fresh database, models already loaded: (claims stored, seconds)."""
    settings = Settings(db_path=db_path)
    cli_bench.fresh_db(db_path)  # the database and its caches beside it
    db = store.open_db(db_path)
    started = time.perf_counter()
    pipeline.run_report(db, settings, [corpus], db_path.with_suffix(".md"), embedder)
    seconds = time.perf_counter() - started
    return store.claim_count(db), seconds


def pipeline_in_turn(corpus: Path, base_db: Path, embedder, texts: list[str], rounds: int) -> dict:  # noqa: ANN001
    """`rounds` rounds of the whole pipeline and the peer's encode of `texts`, one after the other, the first
    alternating; each round's ratio is (claims/s) ÷ (peer texts/s). Round n's database is `base_db` named
    `<stem>_in_turn_<n>.db`."""
    ratios, seconds = [], {"ours": 0.0, "peer": 0.0}
    claims = 0
    with peer_process(embedder.name) as peer:
        peer(texts[:WARM_UP_TEXTS])  # the same warm-up as the stage replay's peer
        for n in range(rounds):
            took = {}
            for side in ("ours", "peer") if n % 2 == 0 else ("peer", "ours"):
                if side == "ours":
                    claims, took[side] = one_report(corpus, base_db.with_name(f"{base_db.stem}_in_turn_{n}.db"), embedder)
                else:
                    took[side] = peer(texts)
                seconds[side] += took[side]
            ratios.append((claims / took["ours"]) / (len(texts) / took["peer"]))
    return {"rounds": rounds, "claims": claims, "texts": len(texts), "ours_seconds": seconds["ours"],
            "peer_seconds": seconds["peer"], "ratio": (claims * rounds / seconds["ours"]) /
            (len(texts) * rounds / seconds["peer"]), "round_ratios": ratios}

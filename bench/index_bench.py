"""Exact FlatIP vs claimcheck's IVF index (claimcheck.cells: cells, probes) self-join at one size, in its own process.

Vectors: real claim embeddings of the BBC corpora (saved by bench.stages) where there are enough; past that,
synthetic vectors with the same structure: a real embedding chosen at random plus Gaussian noise whose norm
is drawn per vector from U(0.3, 0.9), re-normalised (two noisy copies of one sentence then have cosine
~0.55-0.92, like rewordings of one claim). Every claim searches its k = 11 nearest neighbours (itself
included), as claimcheck's pairing does. A pair is "found" when its cosine is >= 0.8 (the index-level stand-in
for the pairing threshold); recall is the share of the pairs exact search finds above 0.8 that the IVF index also finds.
Above `full_exact_limit` the exact self-join runs on a random sample of query rows and its time is extrapolated;
recall is then measured on that sample's queries for both indexes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from bench.memory import StageTiming, measure
from bench.stages import PAIR_COSINE, pair_set

from claimcheck import cells, index

K = 11


BLOCK = 100_000  # vectors made, added and searched at a time: no full copy beside the index's own


def vector_blocks(n: int, real_path: Path | None, seed: int = 7):
    """(description, a function that yields (first row, block) of the n normalised float32 vectors, the same
    vectors on every call). Blocks keep the benchmark's own copy out of the peak: the index holds the only
    full set, as in claimcheck, which adds vectors read from SQLite."""
    real = np.load(real_path) if real_path and real_path.exists() else None
    if real is not None and len(real) >= n:
        def real_blocks():
            for start in range(0, n, BLOCK):
                yield start, np.ascontiguousarray(real[start : min(n, start + BLOCK)])
        return f"real claim embeddings ({real_path.name})", real_blocks
    if real is None:
        raise SystemExit("no real embeddings to base synthetic vectors on: run the stage benchmark first")
    base = np.unique(real, axis=0)
    del real

    def synthetic_blocks():
        for start in range(0, n, BLOCK):
            rng = np.random.default_rng([seed, start])  # one stream per block: blocks can be made again
            m = min(BLOCK, n - start)
            noise = rng.standard_normal((m, base.shape[1]), dtype=np.float32)
            noise *= (rng.uniform(0.3, 0.9, m).astype(np.float32) / np.sqrt(base.shape[1]))[:, None]
            block = base[rng.integers(0, len(base), m)] + noise
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            yield start, block
    return (f"synthetic: {len(base):,} real BBC claim embeddings + Gaussian noise (norm U(0.3,0.9)), normalised",
            synthetic_blocks)


def run(n: int, real_path: Path | None, full_exact_limit: int, sample: int, threads: int | None) -> dict:
    import faiss

    if threads:
        faiss.omp_set_num_threads(threads)
    timings: list[StageTiming] = []
    source, blocks = vector_blocks(n, real_path)
    d = next(blocks())[1].shape[1]
    full = n <= full_exact_limit
    rng = np.random.default_rng(11)
    queries = np.arange(n) if full else np.sort(rng.choice(n, size=sample, replace=False))

    # claimcheck's own builder (claimcheck.index.build_from_blocks) for both indexes; ids are row numbers.
    def id_blocks():
        for start, block in blocks():
            yield np.arange(start, start + len(block), dtype=np.int64), block

    with measure("flat build", timings, n):
        flat = index.build_from_blocks(id_blocks(), n, "bench", exact_limit=n)
    query_vectors = np.vstack([block[queries[(queries >= start) & (queries < start + len(block))] - start]
                               for start, block in blocks()])
    with measure("flat search", timings, len(queries)) as t:
        exact_sims, exact_ids = flat.search(query_vectors, K)
    flat_search_full = t.seconds * n / len(queries)
    del flat, query_vectors

    # As claimcheck does (store.vector_sample, read before the build): the cells are trained on vectors drawn at
    # random, not on the first ones (the real vectors come in article order). Drawn outside the timing: making
    # the synthetic blocks again is the benchmark's cost, not claimcheck's.
    train = np.vstack([block[rng.random(len(block)) < cells.train_size(n) / n] for _, block in blocks()])
    with measure("ivf build", timings, n):
        ivf = index.build_from_blocks(id_blocks(), n, "bench", exact_limit=0, sample=train)
    del train
    with measure("ivf search", timings, n) as t:
        ivf_sims = np.empty((n, K), dtype=np.float32)
        ivf_ids = np.empty((n, K), dtype=np.int64)
        for start, block in blocks():
            ivf_sims[start : start + len(block)], ivf_ids[start : start + len(block)] = ivf.search(block, K)

    exact_pairs = pair_set(queries, exact_sims, exact_ids, PAIR_COSINE)
    ivf_pairs = pair_set(queries, ivf_sims[queries], ivf_ids[queries], PAIR_COSINE)
    recall_pairs = len(exact_pairs & ivf_pairs) / len(exact_pairs) if exact_pairs else 1.0
    recall_at_10 = float(np.mean([len(set(a[1:]) & set(b)) / (K - 1) for a, b in
                                  zip(exact_ids[:20_000].tolist(), ivf_ids[queries[:20_000]].tolist())]))
    stage = {t.stage: t.to_dict() for t in timings}
    return {
        "n": n, "source": source, "exact_measured_on": "all rows" if full else f"{len(queries):,} sampled queries (time extrapolated)",
        "flat_build_s": stage["flat build"]["seconds"], "flat_search_s": flat_search_full,
        "flat_peak_mb": max(stage["flat build"]["peak_mb"], stage["flat search"]["peak_mb"]),
        "ivf_build_s": stage["ivf build"]["seconds"], "ivf_search_s": stage["ivf search"]["seconds"],
        "ivf_peak_mb": max(stage["ivf build"]["peak_mb"], stage["ivf search"]["peak_mb"]),
        "vector_mb": n * d * 4 / 2**20,
        "exact_pairs": len(exact_pairs), "ivf_pairs": len(ivf_pairs), "recall_pairs": recall_pairs,
        "recall_at_10": recall_at_10, "stages": list(stage.values()),
    }


def main() -> None:
    n, real_path, out = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    full_exact_limit = int(sys.argv[4]) if len(sys.argv) > 4 else 200_000
    sample = int(sys.argv[5]) if len(sys.argv) > 5 else 10_000
    out.write_text(json.dumps(run(n, real_path, full_exact_limit, sample, None), indent=1))


if __name__ == "__main__":
    main()

"""Exact FlatIP vs HNSW (claimcheck.index's M and efSearch) self-join at one size, in its own process.

Vectors: real claim embeddings of the BBC corpora (saved by bench.stages) where there are enough; past that,
synthetic vectors with the same structure: a real embedding chosen at random plus Gaussian noise whose norm
is drawn per vector from U(0.3, 0.9), re-normalised (two noisy copies of one sentence then have cosine
~0.55-0.92, like rewordings of one claim). Every claim searches its k = 11 nearest neighbours (itself
included), as claimcheck's pairing does. A pair is "found" when its cosine is >= 0.8 (the index-level stand-in
for the pairing threshold); recall is the share of the pairs exact search finds above 0.8 that HNSW also finds.
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

from claimcheck.index import HNSW_M, ef_search_for

K = 11
EF_CONSTRUCTION = 40  # FAISS's default, which claimcheck.index keeps


def load_vectors(n: int, real_path: Path | None, seed: int = 7) -> tuple[np.ndarray, str]:
    """n normalised float32 vectors and a description of where they came from."""
    real = np.load(real_path) if real_path and real_path.exists() else None
    if real is not None and len(real) >= n:
        return np.ascontiguousarray(real[:n]), f"real claim embeddings ({real_path.name})"
    if real is None:
        raise SystemExit("no real embeddings to base synthetic vectors on: run the stage benchmark first")
    rng = np.random.default_rng(seed)
    base = np.unique(real, axis=0)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        noise = rng.standard_normal((m, real.shape[1]), dtype=np.float32)
        noise *= (rng.uniform(0.3, 0.9, m).astype(np.float32) / np.sqrt(real.shape[1]))[:, None]
        block = base[rng.integers(0, len(base), m)] + noise
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + m] = block
    return out, f"synthetic: {len(base):,} real BBC claim embeddings + Gaussian noise (norm U(0.3,0.9)), normalised"


def run(n: int, real_path: Path | None, full_exact_limit: int, sample: int, threads: int | None) -> dict:
    import faiss

    if threads:
        faiss.omp_set_num_threads(threads)
    timings: list[StageTiming] = []
    with measure("vectors", timings, n):
        vectors, source = load_vectors(n, real_path)
    d = vectors.shape[1]
    full = n <= full_exact_limit
    rng = np.random.default_rng(11)
    queries = np.arange(n) if full else np.sort(rng.choice(n, size=sample, replace=False))

    with measure("flat build", timings, n):
        flat = faiss.IndexFlatIP(d)
        flat.add(vectors)
    with measure("flat search", timings, len(queries)) as t:
        exact_sims, exact_ids = flat.search(vectors[queries], K)
    flat_search_full = t.seconds * n / len(queries)
    del flat

    with measure("hnsw build", timings, n):
        hnsw = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.add(vectors)
        hnsw.hnsw.efSearch = ef_search_for(n)
    with measure("hnsw search", timings, n) as t:
        hnsw_sims = np.empty((n, K), dtype=np.float32)
        hnsw_ids = np.empty((n, K), dtype=np.int64)
        for start in range(0, n, 50_000):
            hnsw_sims[start : start + 50_000], hnsw_ids[start : start + 50_000] = hnsw.search(vectors[start : start + 50_000], K)

    exact_pairs = pair_set(queries, exact_sims, exact_ids, PAIR_COSINE)
    hnsw_pairs = pair_set(queries, hnsw_sims[queries], hnsw_ids[queries], PAIR_COSINE)
    recall_pairs = len(exact_pairs & hnsw_pairs) / len(exact_pairs) if exact_pairs else 1.0
    recall_at_10 = float(np.mean([len(set(a[1:]) & set(b)) / (K - 1) for a, b in
                                  zip(exact_ids[:20_000].tolist(), hnsw_ids[queries[:20_000]].tolist())]))
    stage = {t.stage: t.to_dict() for t in timings}
    return {
        "n": n, "source": source, "exact_measured_on": "all rows" if full else f"{len(queries):,} sampled queries (time extrapolated)",
        "flat_build_s": stage["flat build"]["seconds"], "flat_search_s": flat_search_full,
        "flat_peak_mb": max(stage["flat build"]["peak_mb"], stage["flat search"]["peak_mb"]),
        "hnsw_build_s": stage["hnsw build"]["seconds"], "hnsw_search_s": stage["hnsw search"]["seconds"],
        "hnsw_peak_mb": max(stage["hnsw build"]["peak_mb"], stage["hnsw search"]["peak_mb"]),
        "vector_mb": vectors.nbytes / 2**20,
        "exact_pairs": len(exact_pairs), "hnsw_pairs": len(hnsw_pairs), "recall_pairs": recall_pairs,
        "recall_at_10": recall_at_10, "stages": list(stage.values()),
    }


def main() -> None:
    n, real_path, out = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    full_exact_limit = int(sys.argv[4]) if len(sys.argv) > 4 else 200_000
    sample = int(sys.argv[5]) if len(sys.argv) > 5 else 10_000
    out.write_text(json.dumps(run(n, real_path, full_exact_limit, sample, None), indent=1))


if __name__ == "__main__":
    main()

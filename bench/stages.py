"""One corpus size in one process: every pipeline stage timed with its peak memory, plus the peers.

Run by bench.run as `python -m bench.stages CORPUS DB JSON`, a fresh process per size, so each size's
memory figures start from a clean interpreter. The stages replay `pipeline.run_report` step by step
(ingest, then compare's embed / measure phrases / index / pair / copy detection / checks, then the report), leaving the
database exactly as the CLI would, so the incremental and re-run measures can reuse it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from bench import cli_bench, in_turn
from bench.memory import StageTiming, measure
from claimcheck import measure_pairs, pairing, pipeline, store
from claimcheck.config import Settings

PAIR_COSINE = 0.8  # the index-level stand-in for the pairing threshold
PEER_TOP_K = 10  # claimcheck searches k = neighbours + 1 = 11, the query itself included
INTERLEAVED_TEXTS = 2_000  # the embedding ratio measured again with both sides in turn, on this many texts
INTERLEAVED_CHUNK = 250
# The whole pipeline in turn with its peer (bench.in_turn) up to this corpus size: three rounds where a round takes
# seconds, two where it takes minutes (10k claims: 68 s of pipeline and 67 s of peer a round on an AVX2 EPYC).
IN_TURN_MAX_CLAIMS = 20_000
IN_TURN_ROUNDS = 3
IN_TURN_ROUNDS_LARGE = 2
IN_TURN_LARGE_FROM = 5_000


def in_turn_rounds(n_claims: int) -> int:
    """How many rounds of the whole pipeline in turn with its peer a corpus of this size gets (0: none)."""
    if n_claims > IN_TURN_MAX_CLAIMS:
        return 0
    return IN_TURN_ROUNDS_LARGE if n_claims >= IN_TURN_LARGE_FROM else IN_TURN_ROUNDS


def pair_set(query_rows: np.ndarray, sims: np.ndarray, neighbours: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    """Canonical (a < b) row pairs above the threshold from a k-NN result (rows, not claim ids)."""
    keep = (sims >= threshold) & (neighbours >= 0) & (neighbours != query_rows[:, None])
    a = np.repeat(query_rows, sims.shape[1])[keep.ravel()]
    b = neighbours.ravel()[keep.ravel()]
    return set(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()))


def exact_range_pairs(vectors: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    """Every pair with cosine >= threshold, no top-k cap (FAISS range_search on a flat index)."""
    import faiss

    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    found: set[tuple[int, int]] = set()
    for start in range(0, len(vectors), 20_000):
        lims, _, labels = flat.range_search(vectors[start : start + 20_000], threshold)
        rows = np.repeat(np.arange(start, start + len(lims) - 1), np.diff(lims).astype(np.int64))
        keep = labels != rows
        a, b = rows[keep], labels[keep]
        found |= set(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()))
    return found


def run_stages(corpus: Path, db_path: Path, peer_limit: int, vectors_out: Path | None) -> dict:
    """Measure every stage on one corpus; returns a JSON-able dict."""
    timings: list[StageTiming] = []
    settings = Settings(db_path=db_path)
    cli_bench.fresh_db(db_path)  # the database and its caches beside it
    db = store.open_db(db_path)
    total_start = time.perf_counter()

    from claimcheck import segment

    with measure("spaCy load", timings):
        segment.load_nlp()
    with measure("segmentation", timings) as t:
        ingested = pipeline.ingest(db, [corpus], settings)
        t.items = store.claim_count(db)
        t.extra = {"articles": len(ingested.added), "problems": len(ingested.problems)}
    n_claims = t.items

    from claimcheck import embed

    embedder = embed.load_embedder(settings.model, settings.batch_size)
    with measure("model load", timings) as t:
        # What a fresh process pays: the remembered path choice (measured once per machine) and its model.
        embedder.embed_batch(["Model load."])
        t.extra = {"path": embedder.precision}
    with measure("model warm-up", timings) as t:
        # Kernels are prepared per input shape on first use (bf16 especially).
        sample = [row[0] for row in db.execute("SELECT text FROM claims ORDER BY random() LIMIT 256")]
        embedder.embed_batch(sample)
        t.items = len(sample)
    pipeline._reset_pairs_if_settings_changed(db, settings, embedder.name)
    new_articles = store.unpaired_article_ids(db)
    with measure("embedding", timings) as t:
        t.items = pipeline.embed_missing(db, embedder, unpaired_only=True)
        t.extra = {"claims": n_claims, "unique_texts": t.items, "precision": getattr(embedder, "precision", "?")}
    unique_texts = t.items
    with measure("measure phrases", timings) as t:
        # Each figure's measure phrase, embedded for measure_pairs: short texts, kept apart from the claims so
        # that the embedding stage and its peer encode the same texts.
        t.items = measure_pairs.embed_phrases(db, embedder, pipeline.no_progress, articles=new_articles)
        t.extra = {"phrases": t.items}

    with measure("indexing", timings) as t:
        snap = pairing.snapshot(db, embedder.name, new_articles)
        claim_index = pairing.index_for(db, settings, embedder.name, snap)
        t.items = len(snap.known_ids)
        t.extra = {"exact": claim_index.exact}
    with measure("pairing", timings) as t:
        found = pairing.find_pairs(db, settings, claim_index, snap)
        candidates = measure_pairs.candidate_pairs(db, embedder.name, new_articles, cache=settings.phrase_cache_path)
        with store.transaction(db):
            store.insert_pairs(db, [(p.a, p.b, p.similarity, p.lexical, p.score) for p in found])
            store.insert_pairs(db, measure_pairs.claim_pairs(db, embedder.name, candidates))
            copies = pairing.detect_copies(db, settings, new_articles)
            store.mark_paired(db, new_articles)
        t.items = len(snap.known_ids)
        t.extra = {"pairs": len(found), "measure_pairs": len(candidates), "copies": len(copies)}
    with measure("checks", timings) as t:
        checked = pipeline.run_checks(db, settings)
        t.items = n_claims
        flags = db.execute("SELECT count(*) FROM flags").fetchone()[0]
        t.extra = {"pairs_checked": checked, "flags": flags}
    with measure("report", timings) as t:
        report_path = db_path.with_suffix(".md")
        pipeline.write_report(db, report_path)
        t.items = n_claims
        t.extra = {"bytes": report_path.stat().st_size}
    pipeline_seconds = time.perf_counter() - total_start
    ids, vectors = store.claim_vectors(db, embedder.name)  # for the peers, outside the timed stages
    if vectors_out:
        np.save(vectors_out, vectors)

    # Before the peers: they load torch into this process, and segmentation forks its workers only without it.
    rounds = in_turn_rounds(n_claims)
    whole_in_turn = (in_turn.pipeline_in_turn(corpus, db_path, embedder, distinct_texts(db, embedder, peer_limit),
                                              rounds) if rounds else None)
    peers = measure_peers(db, embedder, claim_index, ids, vectors, peer_limit, timings)
    peers["whole_in_turn"] = whole_in_turn
    return {
        "corpus": str(corpus), "claims": n_claims, "unique_texts": unique_texts,
        "articles": len(ingested.added), "pipeline_seconds": pipeline_seconds,
        "stages": [t.to_dict() for t in timings], "peers": peers,
        "path": embedder.precision, "path_record": vars(embedder).get("path_record"),  # None: a forced torch path
    }


def measure_peers(db, embedder, claim_index, claim_ids: np.ndarray, vectors: np.ndarray, peer_limit: int,  # noqa: ANN001
                  timings: list[StageTiming]) -> dict:
    """Bare sentence-transformers fp32 encode (the embedding peer) and paraphrase_mining_embeddings (pairing)."""
    import torch
    from sentence_transformers.util import paraphrase_mining_embeddings

    from claimcheck import embed, index

    rows = _distinct_rows(db, embedder, peer_limit)
    texts = [text for text, _ in rows]
    stored = np.vstack([np.frombuffer(blob, dtype=np.float32) for _, blob in rows])
    peer = embed.SentenceTransformerEmbedder(embedder.name, precision="fp32").model  # fp32, whatever the pipeline runs
    peer.encode(texts[:256], batch_size=32, normalize_embeddings=True)  # warm-up, as the pipeline had
    with measure("peer: model.encode", timings, len(texts)) as t:
        encoded = peer.encode(texts, batch_size=32, normalize_embeddings=True)
    cosines = np.sum(stored * encoded, axis=1)
    t.extra = {"mean_cosine_to_pipeline": float(cosines.mean()), "min_cosine_to_pipeline": float(cosines.min())}
    interleaved = interleaved_embedding(embedder, peer, texts)

    n = len(vectors)
    with measure("peer: paraphrase_mining", timings, n) as t:
        mined = paraphrase_mining_embeddings(torch.from_numpy(vectors), top_k=PEER_TOP_K, max_pairs=10**9)
    mined_pairs = {(min(i, j), max(i, j)) for score, i, j in mined if score >= PAIR_COSINE}

    with measure("claimcheck index build", timings, n) as t:
        # What paraphrase_mining's cost includes: the index built from scratch over every vector.
        fresh = index.build(claim_ids, vectors, embedder.name)
        t.extra = {"exact": fresh.exact}
    del fresh
    with measure("claimcheck index k-NN", timings, n) as t:
        sims, labels = claim_index.search(vectors, PEER_TOP_K + 1)
    # The index holds claim ids (sorted, as claim_vectors returns them); map them back to rows.
    rows = np.where(labels >= 0, np.searchsorted(claim_ids, labels), -1)
    index_pairs = pair_set(np.arange(n), sims, rows, PAIR_COSINE)
    with measure("exact range_search", timings, n):
        exact = exact_range_pairs(vectors, PAIR_COSINE)

    def recall(found: set, truth: set) -> float:
        return len(found & truth) / len(truth) if truth else 1.0

    return {
        "encode_texts": len(texts),
        "interleaved": interleaved,
        "pair_cosine": PAIR_COSINE,
        "exact_pairs": len(exact),
        "mining_pairs": len(mined_pairs),
        "index_pairs": len(index_pairs),
        "index_recall_vs_exact_range": recall(index_pairs, exact),
        "mining_recall_vs_exact_range": recall(mined_pairs, exact),
        "index_recall_vs_mining": recall(index_pairs, mined_pairs),
        "index_exact": claim_index.exact,
    }


def _distinct_rows(db, embedder, limit: int) -> list[tuple[str, bytes]]:  # noqa: ANN001
    """(text, stored vector) of each distinct claim text, in claim order, at most `limit`."""
    return db.execute("SELECT min(claims.text), embeddings.vector FROM claims JOIN embeddings ON"
                      " embeddings.text_hash = claims.text_hash AND embeddings.model = ? GROUP BY claims.text_hash"
                      " ORDER BY min(claims.id)", [embedder.name]).fetchall()[:limit]


def distinct_texts(db, embedder, limit: int) -> list[str]:  # noqa: ANN001
    """The texts the peer encodes: the corpus' distinct claim texts, at most `limit`."""
    return [text for text, _ in _distinct_rows(db, embedder, limit)]


def interleaved_embedding(embedder, peer, texts: list[str]) -> dict:  # noqa: ANN001
    """The embedder's `embed_batch` and the fp32 peer's `encode` on the same chunks, in turn, the first to run
    alternating: both sides meet the same machine. The stage and the peer above are each one sample, minutes apart,
    and this VM's speed drifts between minutes (the peer ran at 131 and 169 texts/s at two sizes of one run).
    A sample spread over the corpus (texts come article by article, so topic by topic)."""
    sample = texts[::max(1, len(texts) // INTERLEAVED_TEXTS)][:INTERLEAVED_TEXTS]
    seconds, ratios = {"ours": 0.0, "peer": 0.0}, []
    for n, start in enumerate(range(0, len(sample), INTERLEAVED_CHUNK)):
        chunk, took = sample[start:start + INTERLEAVED_CHUNK], {}
        for side in ("ours", "peer") if n % 2 == 0 else ("peer", "ours"):
            started = time.perf_counter()
            if side == "ours":
                embedder.embed_batch(chunk)
            else:
                peer.encode(chunk, batch_size=32, normalize_embeddings=True)
            took[side] = time.perf_counter() - started
            seconds[side] += took[side]
        ratios.append(took["peer"] / took["ours"])
    return {"texts": len(sample), "chunks": len(ratios), "ours_per_s": len(sample) / seconds["ours"],
            "peer_per_s": len(sample) / seconds["peer"], "ratio": seconds["peer"] / seconds["ours"],
            "chunk_ratios": ratios}


def main() -> None:
    corpus, db_path, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    peer_limit = int(sys.argv[4]) if len(sys.argv) > 4 else 10**9
    vectors_out = Path(sys.argv[5]) if len(sys.argv) > 5 else None
    result = run_stages(corpus, db_path, peer_limit, vectors_out)
    out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

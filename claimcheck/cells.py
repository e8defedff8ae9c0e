"""The cells of a large claim index (FAISS IVF): how many, what they are trained on, and a search cell by cell.

Past `exact_search_limit` claims the index is an inverted file: k-means cells of about CELL_SIZE vectors, each
query searched exactly in its CELL_PROBES nearest cells. On the bench's 100k real claim vectors (2 shared cores)
the self-join builds and runs in 3.5 s where HNSW (M=16, efConstruction 36, efSearch 32) took 16.5 s, and it finds
99.7 % of the pairs with cosine >= 0.8 that exact search finds (HNSW: 99.6 %). On 1M vectors: 68.4 s and 99.4 %
(bench/results.md, 2026-12-07, an AMD EPYC; 64.8 s on an Intel Xeon and 150.3 s on another AMD EPYC in earlier
runs), where HNSW took 317 s for 95.3 % in an earlier bench run. The gain comes from `search_by_cell`: a batch of
queries is compared with each cell's vectors in one matrix product, not walked query by query.
"""

from __future__ import annotations

import numpy as np

CELL_SIZE = 400
CELL_PROBES = 4
# k-means runs on a random sample: 30k vectors train 256 cells in under a second; FAISS wants >= 39 per cell.
TRAIN_MIN = 30_000
TRAIN_PER_CELL = 40
# An index whose cells hold this many times the vectors they were trained for is rebuilt: its searches slow down.
GROWTH_LIMIT = 4
# From this many queries on, searching cell by cell beats FAISS's own IVF search (2.7 s vs 15.4 s at 100k queries);
# below it the few cells a handful of queries probe are not worth gathering.
BY_CELL_MIN_QUERIES = 2_000


def cells_for(count: int) -> int:
    """How many cells an index of `count` vectors gets."""
    return max(1, count // CELL_SIZE)


def train_size(count: int) -> int:
    """How many of `count` vectors the cells are trained on."""
    return min(count, max(TRAIN_MIN, TRAIN_PER_CELL * cells_for(count)))


def trained_ivf(dimension: int, count: int, sample: np.ndarray) -> object:
    """An empty inner-product IVF index for about `count` vectors, its cells trained on `sample`."""
    import faiss

    cells = min(cells_for(count), max(1, len(sample) // TRAIN_PER_CELL))
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, cells, faiss.METRIC_INNER_PRODUCT)
    ivf.cp.seed, ivf.cp.niter = 1, 10  # the same cells on every build of one sample
    ivf.train(np.ascontiguousarray(sample, dtype=np.float32))
    ivf.nprobe = min(CELL_PROBES, cells)
    return ivf


def search_by_cell(ivf: object, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """What `ivf.search(queries, k)` returns, computed cell by cell: every query that probes a cell is compared
    with the cell's vectors in one matrix product, and each query keeps the best k of its probed cells."""
    import faiss

    probes = min(int(ivf.nprobe), int(ivf.nlist))
    cell_of = ivf.quantizer.search(queries, probes)[1].ravel()  # slot (query * probes + j) -> its j-th cell
    order = np.argsort(cell_of, kind="stable")
    starts = np.searchsorted(cell_of[order], np.arange(int(ivf.nlist) + 1))
    sims = np.full((len(queries), probes * k), -np.inf, dtype=np.float32)
    ids = np.full((len(queries), probes * k), -1, dtype=np.int64)
    lists = ivf.invlists
    for cell in range(int(ivf.nlist)):
        size, slots = lists.list_size(cell), order[starts[cell] : starts[cell + 1]]
        if not size or not len(slots):
            continue
        members = faiss.rev_swig_ptr(lists.get_ids(cell), size).copy()
        codes = faiss.rev_swig_ptr(lists.get_codes(cell), size * lists.code_size)  # IVFFlat: the raw float32s
        vectors = np.frombuffer(codes, dtype=np.float32).reshape(size, ivf.d)
        rows, probe = slots // probes, slots % probes
        found = min(k, size)
        cell_sims, cell_rows = faiss.knn(queries[rows], vectors, found, faiss.METRIC_INNER_PRODUCT)
        columns = probe[:, None] * k + np.arange(found)[None, :]
        sims[rows[:, None], columns] = cell_sims
        ids[rows[:, None], columns] = np.where(cell_rows >= 0, members[np.maximum(cell_rows, 0)], -1)
    return best_of(sims, ids, k)


def best_of(sims: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k most similar of each row's candidates (FAISS marks a missing neighbour with id -1)."""
    sims = np.where(ids < 0, -np.inf, sims)
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    best_sims, best_ids = np.take_along_axis(sims, order, axis=1), np.take_along_axis(ids, order, axis=1)
    return np.where(best_ids < 0, np.float32(-3.4028235e38), best_sims).astype(np.float32), best_ids

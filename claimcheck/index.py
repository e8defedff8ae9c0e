"""FAISS index over claim vectors: build, search, save, load. The FAISS id *is* the claim's primary key.

The index file is a cache of what SQLite holds. A sidecar JSON names the model and a digest of
the ids it holds; an index that is missing, stale, corrupted or built with another model is
never used: it is rebuilt from SQLite.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import Settings

# M=16 / efSearch 32 rather than 32 / 64: on 100k claim-like vectors (2 shared cores) the self-join takes
# 9 s instead of 22 s, and still finds 99.9 % of the pairs with cosine >= 0.8 that exact search finds.
HNSW_M = 16
HNSW_EF_SEARCH = 32
# Past this size the graph's hops get longer: 1M vectors at efSearch 32 found only 94.6 % of those pairs.
LARGE_INDEX = 300_000
HNSW_EF_SEARCH_LARGE = 64


def ef_search_for(size: int) -> int:
    """efSearch for an HNSW index of `size` vectors."""
    return HNSW_EF_SEARCH_LARGE if size > LARGE_INDEX else HNSW_EF_SEARCH


@dataclass
class ClaimIndex:
    """A FAISS inner-product index and the model whose vectors it holds."""

    faiss_index: object
    model: str
    ids_digest: str
    exact: bool

    @property
    def size(self) -> int:
        return int(self.faiss_index.ntotal)

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, claim ids) of each vector's k nearest claims; id -1 where fewer exist."""
        k = max(1, min(k, self.size))
        return self.faiss_index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)

    def add(self, ids: np.ndarray, vectors: np.ndarray, all_ids_digest: str) -> None:
        self.ids_digest = all_ids_digest
        if not len(ids):
            return  # nothing new (another process paired these articles first): no (0, 0) matrix reaches FAISS
        self.faiss_index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
        if not self.exact:  # an index that grew past LARGE_INDEX searches wider from now on
            import faiss

            faiss.downcast_index(self.faiss_index.index).hnsw.efSearch = ef_search_for(self.size)


def digest_ids(ids: np.ndarray) -> str:
    """A fingerprint of the set of claim ids an index must hold."""
    return hashlib.sha256(np.sort(ids.astype(np.int64)).tobytes()).hexdigest()[:24]


def build(ids: np.ndarray, vectors: np.ndarray, model: str, exact_limit: int = Settings.exact_search_limit) -> ClaimIndex:
    """An exact IDMap,Flat index for small corpora, HNSW past `exact_limit` claims."""
    import faiss

    dimension = vectors.shape[1]
    exact = len(ids) <= exact_limit
    if exact:
        inner = faiss.IndexFlatIP(dimension)
    else:
        inner = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efSearch = ef_search_for(len(ids))
    index = faiss.IndexIDMap2(inner)
    claim_index = ClaimIndex(index, model, "", exact)
    if len(ids):
        claim_index.add(ids, vectors, digest_ids(ids))
    else:
        claim_index.ids_digest = digest_ids(ids)
    return claim_index


def save(claim_index: ClaimIndex, path: Path) -> None:
    """Write the index and its sidecar atomically (a crash leaves the old pair or none).

    Temporary names are private to this process, so two processes saving at once cannot mix
    their bytes; if their renames interleave, the sidecar's file digest no longer matches and
    the next `load` rebuilds.
    """
    import faiss

    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    sidecar_tmp = path.with_name(f"{_sidecar(path).name}.{os.getpid()}.tmp")
    try:
        faiss.write_index(claim_index.faiss_index, str(tmp))
        meta = {"model": claim_index.model, "ids_digest": claim_index.ids_digest, "size": claim_index.size,
                "exact": claim_index.exact, "file_sha256": _file_digest(tmp)}
        sidecar_tmp.write_text(json.dumps(meta))
        tmp.replace(path)
        sidecar_tmp.replace(_sidecar(path))
    finally:
        tmp.unlink(missing_ok=True)
        sidecar_tmp.unlink(missing_ok=True)


def load(path: Path, model: str, ids: np.ndarray) -> ClaimIndex | None:
    """The saved index if it was built with this model over exactly these ids and is intact; else None."""
    import faiss

    sidecar = _sidecar(path)
    if not path.exists() or not sidecar.exists():
        return None
    try:
        meta = json.loads(sidecar.read_text())
        if not isinstance(meta, dict) or meta.get("model") != model or meta.get("ids_digest") != digest_ids(ids):
            return None
        # Checked before FAISS reads a byte: a damaged file can crash the reader, not just raise.
        if meta.get("file_sha256") != _file_digest(path):
            return None
        index = faiss.read_index(str(path))
    except (OSError, ValueError, RuntimeError):
        return None
    if index.ntotal != len(ids):
        return None
    return ClaimIndex(index, model, meta["ids_digest"], bool(meta.get("exact", True)))


def describe(path: Path) -> str:
    """One line about the saved index: its kind, size and model, or why there is none to use."""
    sidecar = _sidecar(path)
    if not sidecar.exists():
        return "none yet (built on the next compare or query)"
    try:
        meta = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return "unreadable (will be rebuilt)"
    if not isinstance(meta, dict):
        return "unreadable (will be rebuilt)"
    kind = "exact (Flat, inner product)" if meta.get("exact") else "approximate (HNSW)"
    return f"{path} · {kind} · {meta.get('size')} vectors · model {meta.get('model')}"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

"""FAISS index over claim vectors: build, search, save, load. The FAISS id *is* the claim's primary key.

The index file is a cache of what SQLite holds. A sidecar JSON names the model and a digest of
the ids it holds; an index that is missing, stale, corrupted or built with another model is
never used: it is rebuilt from SQLite.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from . import cells
from .config import Settings

# An approximate index keeps the claims added since its file was written in a small exact index beside it:
# adding 40 vectors to a 100k-vector index and rewriting its 170 MB file took 1.2 s of a 9 s incremental
# add. The recent vectors fold into the main index once they pass this share of it (or RECENT_MIN).
RECENT_SHARE = 0.02
RECENT_MIN = 2_000


@dataclass
class ClaimIndex:
    """A FAISS inner-product index and the model whose vectors it holds.

    `recent` (approximate indexes only) holds the vectors added since `faiss_index` was last written, exactly;
    `file_sha256` is the digest of the file `faiss_index` was read from, or None once the main index changed.
    """

    faiss_index: object
    model: str
    ids_digest: str
    exact: bool
    recent: object | None = None
    file_sha256: str | None = None
    mapped: bool = False  # the main index's vectors are mapped read-only from its file

    @property
    def size(self) -> int:
        return int(self.faiss_index.ntotal) + self.recent_size

    @property
    def recent_size(self) -> int:
        return int(self.recent.ntotal) if self.recent is not None else 0

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, claim ids) of each vector's k nearest claims; id -1 where fewer exist."""
        k = max(1, min(k, self.size))
        queries = np.ascontiguousarray(vectors, dtype=np.float32)
        if not self.exact and len(queries) >= cells.BY_CELL_MIN_QUERIES:
            sims, ids = cells.search_by_cell(self.faiss_index, queries, k)
        else:
            sims, ids = self.faiss_index.search(queries, k)
        if not self.recent_size:
            return sims, ids
        recent_sims, recent_ids = self.recent.search(queries, min(k, self.recent_size))
        return cells.best_of(np.hstack([sims, recent_sims]), np.hstack([ids, recent_ids]), k)

    def add(self, ids: np.ndarray, vectors: np.ndarray, all_ids_digest: str) -> None:
        self.ids_digest = all_ids_digest
        if not len(ids):
            return  # nothing new (another process paired these articles first): no (0, 0) matrix reaches FAISS
        vectors, ids = np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64)
        if self.exact:
            self._add_to_main(ids, vectors)
            return
        if self.recent is None:
            self.recent = _flat(vectors.shape[1])
        self.recent.add_with_ids(vectors, ids)
        if _folds(self.recent_size, int(self.faiss_index.ntotal)):
            self.fold_recent()

    def fold_recent(self) -> None:
        """Move the recent vectors into the main index (which then has to be written again)."""
        if not self.recent_size:
            return
        import faiss

        vectors = self.recent.index.reconstruct_n(0, self.recent_size)
        ids = faiss.vector_to_array(self.recent.id_map).astype(np.int64)
        self._add_to_main(ids, np.ascontiguousarray(vectors, dtype=np.float32))
        self.recent = None

    def _add_to_main(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if self.mapped:
            # FAISS aborts the process on an add to mapped codes: copy them into memory first (slow, and rare:
            # `load` maps only an index that is not expected to grow).
            import faiss

            self.faiss_index, self.mapped = faiss.deserialize_index(faiss.serialize_index(self.faiss_index)), False
        self.faiss_index.add_with_ids(vectors, ids)
        self.file_sha256 = None

    def outgrown(self, count: int, exact_limit: int) -> bool:
        """Whether an index for `count` claims should be rebuilt: an exact one past `exact_limit`, an IVF one whose
        cells now hold cells.GROWTH_LIMIT times the vectors they were trained for."""
        if self.exact:
            return count > exact_limit
        return count > cells.GROWTH_LIMIT * cells.CELL_SIZE * int(self.faiss_index.nlist)


def _folds(recent: int, main: int) -> bool:
    """Whether `recent` vectors beside a main index of `main` are enough to fold into it."""
    return recent > max(RECENT_MIN, RECENT_SHARE * main)


def _flat(dimension: int) -> object:
    import faiss

    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def digest_ids(ids: np.ndarray) -> str:
    """A fingerprint of the set of claim ids an index must hold."""
    return hashlib.sha256(np.sort(ids.astype(np.int64)).tobytes()).hexdigest()[:24]


def build(ids: np.ndarray, vectors: np.ndarray, model: str, exact_limit: int = Settings.exact_search_limit) -> ClaimIndex:
    """An exact IDMap,Flat index for small corpora, IVF past `exact_limit` claims (cells trained on random rows)."""
    sample = None
    if len(ids) > exact_limit:
        sample = vectors[np.random.default_rng(0).choice(len(ids), size=cells.train_size(len(ids)), replace=False)]
    return build_from_blocks([(ids, vectors)], len(ids), model, exact_limit, sample)


def build_from_blocks(blocks: Iterable[tuple[np.ndarray, np.ndarray]], count: int, model: str,
                      exact_limit: int = Settings.exact_search_limit, sample: np.ndarray | None = None) -> ClaimIndex:
    """`build` over (ids, vectors) blocks of about `count` claims in all, added as they come: the index holds the
    only full copy of the vectors (a 1M-claim matrix beside the index would double the 1.5 GB).

    An IVF index trains its cells on `sample` (vectors drawn at random from the corpus); without one, on the first
    block, which is biased when the blocks come in article order."""
    exact = count <= exact_limit
    claim_index: ClaimIndex | None = None
    all_ids = []
    for ids, vectors in blocks:
        ids, vectors = np.asarray(ids, dtype=np.int64), np.ascontiguousarray(vectors, dtype=np.float32)
        if claim_index is None:
            claim_index = _empty(vectors.shape[1], count, model, exact, vectors if sample is None else sample)
        if len(ids):
            claim_index._add_to_main(ids, vectors)
        all_ids.append(ids)
    if claim_index is None:
        import faiss

        claim_index = ClaimIndex(faiss.IndexIDMap2(faiss.IndexFlatIP(0)), model, "", exact)
    claim_index.ids_digest = digest_ids(np.concatenate(all_ids) if all_ids else np.empty(0, dtype=np.int64))
    return claim_index


def _empty(dimension: int, count: int, model: str, exact: bool, sample: np.ndarray | None) -> ClaimIndex:
    """An index with no vectors yet: exact, or IVF with its cells trained on `sample`."""
    import faiss

    if exact:
        inner = faiss.IndexFlatIP(dimension)
        _reserve(inner, count)
        return ClaimIndex(faiss.IndexIDMap2(inner), model, "", True)
    return ClaimIndex(cells.trained_ivf(dimension, count, sample), model, "", False)


def _reserve(inner: object, count: int) -> None:
    """Room for `count` vectors up front. Grown one block at a time, FAISS's vector of codes doubles its capacity
    and copies: for a moment the old and the new buffer are both resident (1M vectors: 3 GB at peak for 1.5 GB).
    Resizing up and back down keeps the capacity, so the adds that follow copy nothing."""
    import faiss

    storage = faiss.downcast_index(inner.storage) if hasattr(inner, "storage") else inner
    codes = getattr(storage, "codes", None)
    if codes is not None and count > 0:
        codes.resize(count * storage.code_size)
        codes.resize(0)


def save(claim_index: ClaimIndex, path: Path) -> None:
    """Write the index and its sidecar atomically (a crash leaves the old pair or none).

    The main file is rewritten only when the main index changed; the recent vectors go to a small file of their
    own. Temporary names are private to this process, so two processes saving at once cannot mix their bytes; if
    their renames interleave, the sidecar's file digests no longer match and the next `load` rebuilds.
    """
    import faiss

    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    recent_path = _recent(path)
    recent_tmp = recent_path.with_name(f"{recent_path.name}.{os.getpid()}.tmp")
    sidecar_tmp = path.with_name(f"{_sidecar(path).name}.{os.getpid()}.tmp")
    try:
        rewrite_main = claim_index.file_sha256 is None or not path.exists()
        if rewrite_main:
            faiss.write_index(claim_index.faiss_index, str(tmp))
            claim_index.file_sha256 = _file_digest(tmp)
        meta = {"model": claim_index.model, "ids_digest": claim_index.ids_digest, "size": claim_index.size,
                "exact": claim_index.exact, "kind": "flat" if claim_index.exact else "ivf",
                "file_sha256": claim_index.file_sha256}
        if claim_index.recent_size:
            faiss.write_index(claim_index.recent, str(recent_tmp))
            meta["recent_sha256"] = _file_digest(recent_tmp)
        sidecar_tmp.write_text(json.dumps(meta))
        if rewrite_main:
            tmp.replace(path)
        if claim_index.recent_size:
            recent_tmp.replace(recent_path)
        sidecar_tmp.replace(_sidecar(path))
        if not claim_index.recent_size:
            recent_path.unlink(missing_ok=True)
    finally:
        for leftover in (tmp, recent_tmp, sidecar_tmp):
            leftover.unlink(missing_ok=True)


def load(path: Path, model: str, ids: np.ndarray, adding: int = 0) -> ClaimIndex | None:
    """The saved index if it was built with this model over exactly these ids and is intact; else None.

    `adding` is how many vectors the caller will add. An approximate index that will not fold its recent vectors
    in is mapped from the file rather than read: reading 170 MB (100k claims) into fresh memory took 0.3 s of
    an incremental add, and a search touches only the pages it visits."""
    import faiss

    sidecar = _sidecar(path)
    if not path.exists() or not sidecar.exists():
        return None
    try:
        meta = json.loads(sidecar.read_text())
        if not isinstance(meta, dict) or meta.get("model") != model or meta.get("ids_digest") != digest_ids(ids):
            return None
        if not meta.get("exact", True) and meta.get("kind") != "ivf":
            return None  # an HNSW graph written by an earlier claimcheck: rebuilt as IVF
        # Checked before FAISS reads a byte: a damaged file can crash the reader, not just raise.
        if meta.get("file_sha256") != _file_digest(path):
            return None
        recent = None
        if meta.get("recent_sha256"):
            if not _recent(path).exists() or meta["recent_sha256"] != _file_digest(_recent(path)):
                return None
            recent = faiss.read_index(str(_recent(path)))
        recent_size = int(recent.ntotal) if recent is not None else 0
        mapped = not meta.get("exact", True) and not _folds(recent_size + adding, len(ids) - recent_size)
        index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC if mapped else 0)
    except (OSError, ValueError, RuntimeError):
        return None
    claim_index = ClaimIndex(index, model, meta["ids_digest"], bool(meta.get("exact", True)), recent,
                             meta["file_sha256"], mapped)
    if claim_index.size != len(ids):
        return None
    return claim_index


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
    kind = "exact (Flat, inner product)" if meta.get("exact") else "approximate (IVF)"
    return f"{path} · {kind} · {meta.get('size')} vectors · model {meta.get('model')}"


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _recent(path: Path) -> Path:
    return path.with_name(path.name + ".recent")


def verify_ahead(path: Path) -> None:
    """Start hashing the saved index file in a background thread, for a `load` that comes later in this process.

    An incremental add spends ~1 s loading spaCy before it reaches the index; hashlib releases the GIL, so the
    170 MB file is hashed on the other core meanwhile. A file changed in between is hashed again by `load`."""
    if path.exists() and str(path) not in _AHEAD:
        key, digest = file_key(path), concurrent.futures.Future()
        _AHEAD[str(path)] = (key, digest)
        threading.Thread(target=_hash_into, args=(path, digest), daemon=True).start()


_AHEAD: dict[str, tuple[tuple, "concurrent.futures.Future[str]"]] = {}


def _hash_into(path: Path, result: "concurrent.futures.Future[str]") -> None:
    try:
        result.set_result(_hash_file(path))
    except OSError as error:
        result.set_exception(error)


def file_key(path: Path) -> tuple:
    """The file's inode, size and modification time: a file written or replaced since has another."""
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _file_digest(path: Path) -> str:
    """The file's SHA-256; the one `verify_ahead` computed, when the file has not changed since."""
    ahead = _AHEAD.pop(str(path), None)
    if ahead is not None:
        key, digest = ahead
        try:
            if key == file_key(path):
                return digest.result()
        except OSError:
            pass
    return _hash_file(path)


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

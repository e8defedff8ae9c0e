"""The ONNX Runtime embedding path: a sentence-transformers model exported once, then run without torch.

`export` (torch, once per model) writes the encoder with the model's own pooling and normalisation in
the graph, plus its tokenizer, into the user's cache folder under the model's name and a hash of its
weights; `quantise` makes int8 variants of it. `OnnxEncoder` runs a cached export with onnxruntime
and the `tokenizers` library alone, so a process that only embeds never imports torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .errors import ModelError

ONNX_FILE = "model.onnx"
META_FILE = "meta.json"
# Bumped when the export itself changes, so that old exports are made again rather than trusted.
# 2: traced with the textbook attention rather than SDPA (see _traced_attention).
EXPORT_VERSION = 2
SUPPORTED_MODULES = {"Transformer", "Pooling", "Normalize"}


def cache_root() -> Path:
    """claimcheck's cache folder: CLAIMCHECK_CACHE, else $XDG_CACHE_HOME/claimcheck, else ~/.cache/claimcheck."""
    if os.environ.get("CLAIMCHECK_CACHE"):
        return Path(os.environ["CLAIMCHECK_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "claimcheck"


def model_folder(target: str) -> Path:
    """The local folder of a model (a path, or a name already in the Hugging Face cache), without a download."""
    path = Path(target).expanduser()
    if path.exists():
        return path
    from huggingface_hub import constants

    for repo in (target, f"sentence-transformers/{target}"):
        # The cache's own layout: refs/main names the snapshot folder of the files last fetched.
        cached = Path(constants.HF_HUB_CACHE) / f"models--{repo.replace('/', '--')}"
        ref = cached / "refs" / "main"
        if ref.exists() and (cached / "snapshots" / ref.read_text().strip()).is_dir():
            return cached / "snapshots" / ref.read_text().strip()
    raise ModelError(f"cannot load model {target!r} offline: it is not on this machine and claimcheck never"
                     " downloads; give a local folder or a model already in the Hugging Face cache")


def weights_digest(folder: Path) -> str:
    """sha256 over the model's weight files: an export is only reused for the weights it came from.

    Hashing 90 MB costs ~0.2 s, a twentieth of an incremental run: the digest is remembered per
    (file, size, mtime), as make and git do, and computed again when any of them changes."""
    files = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("pytorch_model*.bin"))
    if not files:
        raise ModelError(f"no weights (*.safetensors or pytorch_model.bin) in {folder}")
    stamp = "|".join(f"{file.resolve()}:{file.stat().st_size}:{file.stat().st_mtime_ns}" for file in files)
    memo_file = cache_root() / "digests.json"
    try:
        memo = json.loads(memo_file.read_text())
    except (OSError, ValueError):
        memo = {}
    if stamp in memo:
        return memo[stamp]
    digest = hashlib.sha256()
    for file in files:
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
    memo[stamp] = digest.hexdigest()
    memo_file.parent.mkdir(parents=True, exist_ok=True)
    partial = memo_file.with_name(f"{memo_file.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(memo, indent=1))
    partial.replace(memo_file)
    return memo[stamp]


def export_folder(name: str, digest: str) -> Path:
    """Where the export of this model's weights lives in the cache."""
    slug = re.sub(r"[^\w.-]+", "_", name.strip("/"))[-80:]
    return cache_root() / "onnx" / f"{slug}-{digest[:16]}"


def is_exported(folder: Path) -> bool:
    meta = folder / META_FILE
    if not (meta.exists() and (folder / ONNX_FILE).exists() and (folder / "tokenizer.json").exists()):
        return False
    return json.loads(meta.read_text()).get("export_version") == EXPORT_VERSION


def export(model, folder: Path) -> Path:  # noqa: ANN001 - a SentenceTransformer; untyped to keep torch unimported
    """Write `model` (a loaded SentenceTransformer) as ONNX with its pooling and normalisation, and its tokenizer."""
    import torch

    kinds = [type(module).__name__ for module in model]
    if not set(kinds) <= SUPPORTED_MODULES or kinds[:1] != ["Transformer"]:
        raise ModelError(f"cannot export a model made of {kinds} to ONNX (only Transformer, Pooling, Normalize)")
    pooling = _pooling_mode(model)
    encoder = model[0].auto_model.eval()
    wrapper = _pooled_module()(encoder, pooling, normalise="Normalize" in kinds).eval()
    tokenizer = model.tokenizer
    sample = tokenizer(["A short sentence to trace.", "A second, somewhat longer sentence to trace."],
                       padding=True, return_tensors="pt")
    inputs = [name for name in ("input_ids", "attention_mask", "token_type_ids") if name in sample]
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{ONNX_FILE}.{os.getpid()}.partial"  # two processes may export at once
    with torch.no_grad(), warnings.catch_warnings(), _traced_attention(encoder):
        warnings.simplefilter("ignore")  # tracer notes about values fixed at trace time; the probe checks the result
        torch.onnx.export(
            wrapper, tuple(sample[name] for name in inputs), str(partial), input_names=inputs,
            output_names=["sentence_embedding"], opset_version=17, dynamo=False,
            dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in inputs}, "sentence_embedding": {0: "batch"}},
        )
    tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"))
    meta = {"export_version": EXPORT_VERSION, "inputs": inputs, "max_length": int(model.max_seq_length),
            "pad_id": int(tokenizer.pad_token_id or 0), "pad_token": str(tokenizer.pad_token or "[PAD]"),
            "dimension": int(_dimension(model)), "pooling": pooling, "modules": kinds}
    partial.replace(folder / ONNX_FILE)
    for variant in folder.glob("model-*.onnx"):
        variant.unlink()  # int8 variants of an older export: quantise makes them again from this one
    meta_partial = folder / f"{META_FILE}.{os.getpid()}.partial"
    meta_partial.write_text(json.dumps(meta, indent=1))
    meta_partial.replace(folder / META_FILE)  # last: is_exported trusts a folder once its meta is there
    return folder / ONNX_FILE


@contextmanager
def _traced_attention(encoder):  # noqa: ANN001, ANN202 - a transformers PreTrainedModel
    """Trace the encoder with its eager attention (matmul, softmax, matmul) instead of SDPA, then put SDPA back.

    The SDPA trace carries NaN guards and mask arithmetic (685 nodes against 532 for MiniLM-L6 in fp32);
    the eager graph ran 7 % and 12 % faster as int8 on an AMD EPYC (two dev A/Bs, 1,500 BBC sentences),
    with the same cosine to fp32. Models whose attention cannot switch are traced as they are."""
    previous = getattr(encoder.config, "_attn_implementation", None)
    switch = getattr(encoder, "set_attn_implementation", None)
    switched = False
    if switch is not None and previous not in (None, "eager"):
        try:
            switch("eager")
            switched = True
        except (ValueError, NotImplementedError):
            pass
    try:
        yield
    finally:
        if switched:
            switch(previous)


def _dimension(model) -> int:  # noqa: ANN001
    # sentence-transformers 6 renamed the method; older releases only have the first name.
    method = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return method()


def _pooling_mode(model) -> str:  # noqa: ANN001
    if len(model) < 2 or type(model[1]).__name__ != "Pooling":
        raise ModelError("cannot export a model without a pooling module to ONNX")
    config = model[1].get_config_dict()
    mode = config.get("pooling_mode")
    if mode is None:  # sentence-transformers < 6 names each mode with a flag
        modes = [key[len("pooling_mode_"):] for key, on in config.items() if key.startswith("pooling_mode_") and on]
        mode = modes[0].removesuffix("_token").removesuffix("_tokens") if len(modes) == 1 else "+".join(modes)
    if mode not in {"mean", "cls", "max"}:
        raise ModelError(f"cannot export pooling {mode!r} to ONNX (mean, cls and max only)")
    return mode


def _pooled_module():  # noqa: ANN202 - defined lazily: torch.nn must not be imported with this module
    import torch

    class Pooled(torch.nn.Module):
        """The encoder followed by the model's pooling and (if it has one) its normalisation."""

        def __init__(self, encoder, pooling: str, normalise: bool):  # noqa: ANN001
            super().__init__()
            self.encoder, self.pooling, self.normalise = encoder, pooling, normalise

        def forward(self, input_ids, attention_mask, token_type_ids=None):  # noqa: ANN001, ANN201
            extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            if self.pooling == "cls":
                pooled = hidden[:, 0]
            elif self.pooling == "max":
                pooled = hidden.masked_fill(mask == 0, -1e9).max(dim=1).values
            else:
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1) if self.normalise else pooled

    return Pooled


# --- int8 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Int8Recipe:
    """One way to quantise: onnxruntime dynamic quantisation settings and the layers left in float32."""

    name: str
    per_channel: bool = True
    reduce_range: bool = True
    weight_type: str = "QInt8"
    keep_fp32: tuple[str, ...] = ()  # regular expressions over node names

    @property
    def file(self) -> str:
        return f"model-{self.name}.onnx"


def quantise(folder: Path, recipe: Int8Recipe) -> Path:
    """Write the int8 variant `recipe` of the export in `folder` (dynamic quantisation, once)."""
    target = folder / recipe.file
    if target.exists():
        return target  # before the imports: onnx and the quantiser take 0.7 s to import
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source = folder / ONNX_FILE
    names = [node.name for node in onnx.load(str(source), load_external_data=False).graph.node]
    excluded = [name for name in names if any(re.search(pattern, name) for pattern in recipe.keep_fp32)]
    partial = folder / f"{recipe.file}.{os.getpid()}.partial"
    logging.disable(logging.WARNING)  # onnxruntime logs advice about pre-processing to the root logger
    try:
        quantize_dynamic(str(source), str(partial), per_channel=recipe.per_channel, reduce_range=recipe.reduce_range,
                         weight_type=getattr(QuantType, recipe.weight_type), nodes_to_exclude=excluded)
    finally:
        logging.disable(logging.NOTSET)
    partial.replace(target)
    return target


# --- running ------------------------------------------------------------------------------------


def usable_cores() -> int:
    """The cores this process may use: `OnnxEncoder.encode` runs one batch on each, and no more."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


class OnnxEncoder:
    """An exported model run with onnxruntime and its own tokenizer: texts -> its sentence embeddings."""

    def __init__(self, folder: Path, file: str = ONNX_FILE, batch_size: int = 32):
        self.folder, self.file, self.batch_size = folder, file, batch_size
        self.meta = json.loads((folder / META_FILE).read_text())

    @cached_property
    def session(self):  # noqa: ANN201 - an onnxruntime.InferenceSession
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One thread per run: `encode` runs one batch per core at once instead (see there).
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        return onnxruntime.InferenceSession(str(self.folder / self.file), options, providers=["CPUExecutionProvider"])

    @cached_property
    def _pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(usable_cores(), thread_name_prefix="claimcheck-onnx")

    @cached_property
    def tokenizer(self):  # noqa: ANN201 - a tokenizers.Tokenizer
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.enable_truncation(self.meta["max_length"])
        tokenizer.enable_padding(pad_id=self.meta["pad_id"], pad_token=self.meta["pad_token"])
        return tokenizer

    @property
    def dimension(self) -> int:
        return int(self.meta["dimension"])

    def encode(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """float32 embeddings in the order of `texts`, batched by length so that batches carry little padding.

        Batches run side by side, one per core, each on one thread: onnxruntime releases the GIL, and whole
        batches in parallel keep both cores busier than one batch split across two threads, whose every
        operator waits for the slower half (1,000 BBC sentences, int8 on an AVX2 EPYC, interleaved rounds:
        269 and 224 texts/s against 220 and 184, the same vectors to the bit for the same batches). A short
        input is cut into as many batches as there are cores. An int8 vector depends a little on the batch its
        text is in (activations are quantised per batch), so that cut moved 53 of the seeds' 193 vectors (the
        measure phrases, one short input) to cosine >= 0.983 of what they were. `batch_size` overrides the
        encoder's own (precision.fastest_batch times each)."""
        output = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        cores = usable_cores()
        size = max(1, min(batch_size or self.batch_size, -(-len(order) // cores)))
        batches = [order[start : start + size] for start in range(0, len(order), size)]
        runs = map if cores == 1 or len(batches) == 1 else self._pool.map
        self.session, self.tokenizer  # noqa: B018 - made once, here, before threads share them
        for rows, vectors in zip(batches, runs(lambda rows: self._run([texts[i] for i in rows]), batches)):
            output[rows] = vectors
        return output

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        feeds = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                 "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                 "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
        return self.session.run(None, {name: feeds[name] for name in self.meta["inputs"]})[0]

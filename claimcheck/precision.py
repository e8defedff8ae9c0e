"""Which embedding path this machine runs fastest at the quality bar: measured once, then remembered.

The paths: sentence-transformers on torch in float32 (the reference) or bfloat16, and the ONNX export
run by onnxruntime in float32 or in one of a few int8 recipes. A path is eligible only if its vectors
keep mean cosine >= 0.99 and min >= 0.97 to the reference on the probe sentences; the fastest
eligible one is chosen. CPUs differ too much to trust flags: one runs bf16 at 3x float32, another at
0.15x; default int8 loses too much on one and is fine on another. So every machine measures.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import ModelError
from .onnx_embed import Int8Recipe, cache_root
from .probe_sentences import PROBE_SENTENCES

MEAN_COSINE_BAR = 0.99
MIN_COSINE_BAR = 0.97
REQUESTS = {"auto": "auto", "": "auto", "fp32": "fp32", "float32": "fp32", "bf16": "bf16", "bfloat16": "bf16",
            "onnx": "onnx-fp32", "onnx-fp32": "onnx-fp32", "int8": "int8", "onnx-int8": "int8"}
# Tried in this order; each is kept only where it meets the bar. Per-channel weights fix most of the
# loss of the defaults; reduce_range (7-bit weights) avoids overflow on CPUs without VNNI; the
# feed-forward output projection (after GELU, the widest activations) is the layer most hurt by int8.
INT8_RECIPES = (
    Int8Recipe("int8-pc"),
    Int8Recipe("int8-pc-rr", reduce_range=True),
    Int8Recipe("int8-pc-rr-u8", reduce_range=True, weight_type="QUInt8"),
    Int8Recipe("int8-pc-rr-ffn32", reduce_range=True, keep_fp32=(r"layer\.\d+/output/dense/",)),
)
RECIPES = {f"onnx-{recipe.name}": recipe for recipe in INT8_RECIPES}
# Every process that runs a torch path pays ~3 s more to start (torch and sentence-transformers
# imports) than an ONNX one: a torch path is chosen only if it is clearly faster, not within noise.
TORCH_PATHS = {"fp32", "bf16"}
TORCH_MARGIN = 1.15


# The batch sizes an ONNX path is timed at. onnxruntime runs small batches faster on some CPUs (the AVX2 EPYC, the
# probe sentences: int8 at 350 texts/s in batches of 2-4, 212 in batches of 32; 1,000 BBC sentences: 268 vs 220),
# and the activations of an int8 batch are quantised together, so a smaller batch also stays nearer fp32.
BATCH_SIZES = (4, 8, 16, 32)
# Part of the machine key: a record measured before batch sizes were is measured again.
PROBE_VERSION = "2"


@dataclass(frozen=True)
class PathResult:
    """One path measured on the probe sentences against the float32 reference (an ONNX path at its fastest batch
    size; 0 for the embedder's own)."""

    path: str
    per_second: float
    mean_cosine: float
    min_cosine: float
    batch: int = 0

    @property
    def meets_bar(self) -> bool:
        return self.mean_cosine >= MEAN_COSINE_BAR and self.min_cosine >= MIN_COSINE_BAR


def requested() -> str:
    """What CLAIMCHECK_PRECISION asks for: auto (measure), fp32, bf16, onnx-fp32, int8 or one int8 recipe."""
    return as_request(os.environ.get("CLAIMCHECK_PRECISION", ""))


def as_request(value: str) -> str:
    value = value.strip().lower()
    if value in RECIPES:
        return value
    if value not in REQUESTS:
        raise ModelError(f"CLAIMCHECK_PRECISION={value!r} is not one of auto, fp32, bf16, onnx, int8")
    return REQUESTS[value]


def cpu_has_bf16() -> bool:
    """bf16 is measured only where the CPU has bf16 instructions: elsewhere it is emulated, 6x slower."""
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", _cpuinfo()))


def _cpuinfo() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def cpu_description() -> dict[str, str]:
    """The CPU's model name and flags, as /proc/cpuinfo gives them (the platform's names elsewhere)."""
    info = _cpuinfo()
    model = re.search(r"^model name\s*:\s*(.*)$", info, re.M)
    flags = re.search(r"^flags\s*:\s*(.*)$", info, re.M)
    return {"model": model.group(1).strip() if model else platform.processor(),
            "flags": flags.group(1).strip() if flags else platform.machine()}


def machine_key(model_name: str, weights: str) -> str:
    """Names one (CPU, core count, library versions, model weights): a choice is remembered per key."""
    versions = []
    for package in ("onnxruntime", "torch"):
        try:
            versions.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            versions.append("-")
    cpu = cpu_description()
    parts = [cpu["model"], cpu["flags"], str(_cores()), *versions, model_name, weights, PROBE_VERSION]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def _cores() -> int:
    from .onnx_embed import usable_cores

    return usable_cores()


def choices_file() -> Path:
    return cache_root() / "paths.json"


def remembered(key: str) -> dict | None:
    """The record measured earlier for this key, if any (a damaged file counts as none)."""
    try:
        return json.loads(choices_file().read_text()).get(key)
    except (OSError, ValueError, AttributeError):
        return None


def remember(key: str, record: dict) -> None:
    """Add one record to the choices file, atomically (two processes may measure at once)."""
    path = choices_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        records = json.loads(path.read_text())
    except (OSError, ValueError):
        records = {}
    records[key] = record
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(records, indent=1))
    partial.replace(path)


Encode = Callable[[Sequence[str]], np.ndarray]
Batched = Callable[[Sequence[str], int], np.ndarray]


def measure(encoders: dict[str, Encode], rounds: int = 3, rejected: Sequence[PathResult] = (),
            batches: dict[str, int] | None = None) -> list[PathResult]:
    """Time every path on the probe sentences (interleaved rounds, best of each) and score it against "fp32";
    `batches` are the batch sizes the paths run at, where chosen."""
    texts = list(PROBE_SENTENCES)
    vectors = {path: _unit(encode(texts)) for path, encode in encoders.items()}  # also the warm-up
    seconds = _best_times(encoders, texts, rounds)
    results = []
    for path in encoders:
        mean, least = agreement(vectors[path], vectors["fp32"])
        results.append(PathResult(path, len(texts) / seconds[path], mean, least, (batches or {}).get(path, 0)))
    return results + list(rejected)


def fastest_batch(encode: Batched, sizes: Sequence[int] = BATCH_SIZES, rounds: int = 3) -> int:
    """The batch size this path embeds the probe sentences fastest at, on this machine."""
    texts = list(PROBE_SENTENCES)
    sized = {size: (lambda chunk, size=size: encode(chunk, size)) for size in sizes}
    for run in sized.values():
        run(texts[:8])  # warm-up
    seconds = _best_times(sized, texts, rounds)
    return min(sizes, key=lambda size: seconds[size])


def _best_times(encoders: dict, texts: list[str], rounds: int) -> dict:
    """Each encoder's best time on `texts` over interleaved rounds, so that all meet the same machine."""
    best = {key: float("inf") for key in encoders}
    for _ in range(rounds):
        for key, encode in encoders.items():
            start = time.perf_counter()
            encode(texts)
            best[key] = min(best[key], time.perf_counter() - start)
    return best


def agreement(vectors: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """(mean, min) cosine between matching rows."""
    cosines = np.sum(_unit(vectors) * _unit(reference), axis=1)
    return float(cosines.mean()), float(cosines.min())


def first_int8_at_bar(reference: np.ndarray, build: Callable[[Int8Recipe], Encode]) -> tuple[str | None, list[PathResult]]:
    """The first recipe, in order of expected speed, whose vectors meet the bar; and those that did not.

    Stopping at the first saves quantising and timing the slower, more careful recipes where a
    faster one is already good enough; rejected ones are remembered with their cosines (speed 0)."""
    rejected = []
    for path, recipe in RECIPES.items():
        mean, least = agreement(build(recipe)(list(PROBE_SENTENCES)), reference)
        result = PathResult(path, 0.0, mean, least)
        if result.meets_bar:
            return path, rejected
        rejected.append(result)
    return None, rejected


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def record_of(results: list[PathResult]) -> dict:
    """What is remembered: every path's figures and the fastest one that meets the bar."""
    eligible = [result for result in results if result.meets_bar]
    choice = max(eligible, key=lambda r: r.per_second / (TORCH_MARGIN if r.path in TORCH_PATHS else 1.0)).path
    return {"choice": choice, "paths": [asdict(result) for result in results],
            "cpu": cpu_description()["model"], "measured": time.strftime("%Y-%m-%d %H:%M")}


def pick(record: dict, wanted: str) -> str:
    """The path to run for a request: auto = the measured choice; int8 = the fastest int8 recipe at the bar."""
    if wanted == "auto":
        return record["choice"]
    if wanted == "int8":
        passing = [p for p in record["paths"] if p["path"] in RECIPES and PathResult(**p).meets_bar]
        if not passing:
            raise ModelError("no int8 variant keeps cosine >= 0.99 to float32 on this CPU;"
                             " set CLAIMCHECK_PRECISION to onnx, fp32 or auto")
        return max(passing, key=lambda p: p["per_second"])["path"]
    if not any(p["path"] == wanted for p in record["paths"]):
        raise ModelError(f"the {wanted} path is not available for this model on this machine")
    return wanted

"""spaCy as claimcheck runs it: imported without torch, its matrix products through numpy on one thread.

Segmentation is the pipeline's largest stage, and nearly all of it is spaCy. Two things cost it time that buy
nothing here, and neither changes a parse:
- thinc imports torch when it can (about a second), though the small English pipeline never uses it;
- the blis wheel spaCy installs selects its unvectorised 'generic' kernel on the CPUs seen here
  (BLIS_ARCH_DEBUG=1 says so), where numpy's OpenBLAS is built for many CPUs: 400 BBC articles took 23.7 s to
  parse with blis and 14.9 s with numpy on one thread (tok2vec 6.5 -> 3.4 s, NER 11.7 -> 7.0 s; AMD EPYC,
  2026-12-07), with the same tags, heads, entities and sentence starts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language


def load(name: str) -> "Language":
    """A spaCy pipeline by package name, loaded without torch and with its matrix products through numpy."""
    with _torch_hidden():
        import spacy
    nlp = spacy.load(name)
    _products_through_numpy(nlp)
    return nlp


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS on one thread while spaCy parses: spaCy's products are small, and OpenBLAS's idle threads spin
    between them, taking the core from the rest of the pipeline or from the other worker (the 400 articles above
    took 20.4 s with two threads, 14.9 s with one, stock wheel)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _products_through_numpy(nlp: "Language") -> None:
    """Every model's matrix products through numpy's BLAS instead of blis (the parser's per-step products stay in
    blis: spaCy calls them from Cython)."""
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        for node in model.walk() if model is not None else ():
            node.ops = ops


@contextmanager
def _torch_hidden() -> Iterator[None]:
    """Import spaCy without torch: thinc imports torch if it can (~1 s), and the small pipeline never uses it.

    torch stays importable afterwards for whatever needs it (a one-time ONNX export, the torch paths)."""
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment] - makes `import torch` raise ImportError
    try:
        yield
    finally:
        if hide and sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]

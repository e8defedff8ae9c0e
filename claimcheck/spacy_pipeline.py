"""spaCy as claimcheck runs it: imported without torch or its command line, its matrix products through numpy on
one thread.

Loading spaCy is on the critical path of an incremental add, and each spaCy worker pays it: `import spacy` skips
torch and spaCy's command line (`_torch_hidden`, `_cli_deferred`).

Segmentation is the pipeline's largest stage, and nearly all of it is spaCy. Four things cost it time that buy
nothing here, and none of them changes a parse or a lemma:
- thinc imports torch when it can (about a second), though the small English pipeline never uses it;
- the blis wheel spaCy installs selects its unvectorised 'generic' kernel on the CPUs seen here
  (BLIS_ARCH_DEBUG=1 says so), where numpy's OpenBLAS is built for many CPUs;
- on Python < 3.12 spaCy's wheels are compiled with Cython's profiling hooks, which take the GIL on leaving every
  nogil function of the parser and NER. The Makefile builds spaCy from its source without them (tools/
  spacy_without_hooks.sh); `has_profiling_hooks` tells which build is installed;
- the rule lemmatizer looks its candidates up in lists (`_lemma_index_as_sets`).
Parsing 400 BBC articles in one process, three interleaved rounds on an AMD EPYC (2026-12-07), identical tags,
heads, entities and sentence starts throughout: the stock wheel with blis 22.9-27.3 s, with numpy 17.1-19.8 s;
built without the hooks, with blis 15.4-16.7 s, with numpy 9.2-12.2 s.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from thinc.api import Ops


def load(name: str) -> "Language":
    """A spaCy pipeline by package name, loaded without torch and with its matrix products through numpy."""
    spacy = _import_spacy()
    nlp = spacy.load(name)
    _products_through_numpy(nlp)
    _lemma_index_as_sets(nlp)
    return nlp


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's BLAS on one thread while spaCy parses: spaCy's products are small, and OpenBLAS's idle threads spin
    between them, taking the core from the rest of the pipeline or from the other worker (the 400 articles above
    took 20.4 s with two threads, 14.9 s with one, stock wheel)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def has_profiling_hooks() -> bool:
    """Whether the installed spaCy reports its Cython functions to Python's profiler (built with the hooks)."""
    _import_spacy()
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    vocab, seen = Vocab(), []

    def hook(frame, event, arg) -> None:  # noqa: ANN001 - sys.setprofile's signature
        if frame.f_code.co_filename.endswith(".pyx"):
            seen.append(event)

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        Doc(vocab, words=["claimcheck"])
    finally:
        sys.setprofile(previous)
    return bool(seen)


def _products_through_numpy(nlp: "Language") -> None:
    """Every model's matrix products through numpy's BLAS instead of blis (the parser's per-step products stay in
    blis: spaCy calls them from Cython)."""
    from thinc.api import NumpyOps

    use_ops(nlp, NumpyOps(use_blis=False))


def _lemma_index_as_sets(nlp: "Language") -> None:
    """The rule lemmatizer's word lists as sets: it asks `form in index` of each rule's candidate for every token
    its cache has not seen, and the lists are long (57,528 English nouns), so each of those tokens scanned them.
    Segmenting the bench's 1k-claim corpus (52 BBC articles) in two workers, two rounds on an AMD EPYC (2026-12-07):
    2.30-3.02 s with the lists, 1.70-1.72 s with sets; 200 articles of the 10k corpus, three rounds: 5.07-5.45 s,
    4.23-5.43 s. The same claims and lemmas: membership is all the lemmatizer asks of them."""
    for _, component in nlp.pipeline:
        lookups = getattr(component, "lookups", None)
        if getattr(component, "mode", None) != "rule" or lookups is None or not lookups.has_table("lemma_index"):
            continue
        table = lookups.get_table("lemma_index")
        for key, words in list(table.items()):
            if isinstance(words, list):
                table[key] = frozenset(words)


def use_ops(nlp: "Language", ops: "Ops") -> None:
    """Every node of every component's model computes with `ops`."""
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        for node in model.walk() if model is not None else ():
            node.ops = ops


def _import_spacy() -> ModuleType:
    """spaCy, imported without torch and, where its `__init__` allows, without its command line."""
    with _torch_hidden():
        try:
            with _cli_deferred():
                import spacy
        except (ImportError, AttributeError):  # a spaCy whose `__init__` wants more of its CLI than `spacy.info`
            import spacy
    return spacy


@contextmanager
def _cli_deferred() -> Iterator[None]:
    """Import spaCy without its command line, which loading and running a pipeline never use: `spacy.cli` imports
    every CLI command with weasel, requests and httpx, 0.2-0.4 s of the 0.8-1.0 s `import spacy` takes on an AMD EPYC
    (in each spaCy worker, and on the critical path of an incremental add). spaCy's `__init__` imports
    `spacy.cli.info` only to offer `spacy.info`: a stand-in takes its place during the import, and its `info`
    imports the real one when called. Afterwards `import spacy.cli` imports the real package."""
    if "spacy" in sys.modules:
        yield
        return
    package, info = ModuleType("spacy.cli"), ModuleType("spacy.cli.info")
    package.__path__ = []  # a package, so that `spacy.cli.info` can be found under it
    info.info = _spacy_info  # type: ignore[attr-defined]
    stand_ins = {"spacy.cli": package, "spacy.cli.info": info}
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
        spacy = sys.modules.get("spacy")
        if spacy is not None and getattr(spacy, "cli", None) is package:
            del spacy.cli


def _spacy_info(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - spacy.info's own signature
    from spacy.cli.info import info

    return info(*args, **kwargs)


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

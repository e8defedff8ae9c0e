"""The shortcuts segmentation takes for speed give what spaCy's own way gives."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from spacy.pipeline import AttributeRuler

from claimcheck import attribute_rules, quantities, segment, spacy_pipeline

DATA = Path(__file__).parent / "data"
# The rules a table cannot hold (two tokens, a regular expression) and the ones that test spaces and
# dependencies, each at least once, around ordinary news sentences.
TRICKY = (
    "Y'all ain't gonna believe it, let's see: there are 3,000 people and there's more.\n\n"
    "C'mon, we gotta go.  They say it's done.\n \nThe A16 was closed at 10.04pm on Monday."
)


@pytest.fixture(scope="module")
def nlp():
    return segment.load_nlp()


def test_the_pipeline_finds_attribute_rules_by_table(nlp):
    assert isinstance(nlp.get_pipe("attribute_ruler").match, attribute_rules.TableMatcher)


@pytest.mark.parametrize("path", [*sorted((DATA / "realshape").glob("*.txt")), *sorted((DATA / "basic").glob("*.*"))],
                         ids=lambda path: path.name)
def test_table_matches_are_spacys_matches(nlp, path):
    ruler = nlp.get_pipe("attribute_ruler")
    texts = [TRICKY, path.read_text(encoding="utf-8")]
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(nlp.pipe(texts))
    table = attribute_rules.TableMatcher.of(ruler)
    for doc in docs:
        expected = AttributeRuler.match(ruler, doc)  # spaCy's Matcher over all 179 patterns
        assert table(doc) == expected
        assert table(doc) == expected  # the second time from the table's memory
    assert table.rest is not None and len(table.rest) > 0  # some rules did take the Matcher's way


def test_the_table_sets_the_same_annotations(nlp):
    doc = nlp(TRICKY)
    ruler = nlp.get_pipe("attribute_ruler")
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        plain = nlp(TRICKY)
    ruler.set_annotations(plain, AttributeRuler.match(ruler, plain))
    nlp.get_pipe("lemmatizer")(plain)
    assert [(t.pos_, str(t.morph), t.lemma_, t.tag_) for t in doc] == \
        [(t.pos_, str(t.morph), t.lemma_, t.tag_) for t in plain]
    assert [t.lemma_ for t in doc if t.lower_ in ("ai", "gon")] == ["be", "go"]


def test_batches_keep_order_and_bounds():
    pieces = [f"p{i}" * (i % 7 + 1) for i in range(1000)]
    two = segment.batched(pieces, 2)
    assert [piece for batch in two for piece in batch] == pieces
    assert len(two) >= 2 * segment.BATCHES_PER_WORKER and max(map(len, two)) <= segment.MAX_BATCH_TEXTS
    assert max(map(len, segment.batched(pieces, 1))) == segment.MAX_BATCH_TEXTS
    big = ["x" * (segment.BATCH_CHARS - 10), "y" * 20, "z" * (2 * segment.BATCH_CHARS)]
    assert segment.batched(big, 1) == [[big[0]], [big[1]], [big[2]]]
    assert segment.batched([], 2) == []


def _annotations(docs) -> list[tuple]:
    return [(t.i, t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_, t.is_sent_start, t.lemma_)
            for doc in docs for t in doc]


def test_products_through_numpy_annotate_as_blis_does(nlp):
    from thinc.api import NumpyOps

    models = [component.model for _, component in nlp.pipeline if getattr(component, "model", None) is not None]
    assert models and all(node.ops.use_blis is False for model in models for node in model.walk())
    paths = [*sorted((DATA / "realshape").glob("*.txt")), *sorted((DATA / "basic").glob("*.*"))]
    texts = [TRICKY, *(path.read_text(encoding="utf-8") for path in paths)]
    numpy_annotations = _annotations(nlp.pipe(texts))
    try:
        spacy_pipeline.use_ops(nlp, NumpyOps(use_blis=True))  # spaCy's own way
        assert _annotations(nlp.pipe(texts)) == numpy_annotations
    finally:
        spacy_pipeline.use_ops(nlp, NumpyOps(use_blis=False))


def test_the_lemmatizer_looks_words_up_in_sets_and_lemmatizes_as_with_spacys_lists(nlp):
    lemmatizer = nlp.get_pipe("lemmatizer")
    table = lemmatizer.lookups.get_table("lemma_index")
    assert all(isinstance(words, frozenset) for words in table.values()) and len(table.get("noun")) > 10_000
    paths = [*sorted((DATA / "realshape").glob("*.txt")), *sorted((DATA / "basic").glob("*.*"))]
    texts = [TRICKY, *(path.read_text(encoding="utf-8") for path in paths)]

    def lemmas() -> list[str]:
        lemmatizer.cache.clear()  # or the second round answers from the first round's memory
        return [token.lemma_ for doc in nlp.pipe(texts) for token in doc]

    with_sets = lemmas()
    sets = dict(table.items())
    try:
        for key, words in sets.items():
            table[key] = sorted(words)  # spaCy's own way: lists
        assert lemmas() == with_sets
    finally:
        for key, words in sets.items():
            table[key] = words
        lemmatizer.cache.clear()


def test_spacy_parses_with_one_blas_thread_and_gives_the_threads_back(nlp, monkeypatch):
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    during, extract = [], segment._extract_doc
    monkeypatch.setattr(segment, "_extract_doc", lambda doc: during.append(blas_threads()) or extract(doc))
    with threadpool_limits(limits=2, user_api="blas"):
        found = segment._extract_batch([TRICKY, "The council said 40 homes were lost in the fire on Monday."])
        assert blas_threads() == {2}
    assert len(found) == 2 and found[1][0]
    assert during == [{1}, {1}]


def test_spacy_loads_without_its_command_line_which_stays_importable():
    # A fresh process: spaCy's command line (every CLI command, weasel, requests) is not imported to load and parse;
    # spacy.info and `import spacy.cli` still reach the real ones afterwards.
    probe = ("import sys; from claimcheck import segment; nlp = segment.load_nlp(); nlp('Police said 3 men fled.');"
             " print(sorted(m for m in sys.modules if m.startswith(('spacy.cli', 'weasel', 'requests'))));"
             " import spacy, spacy.cli; print(hasattr(spacy.cli, 'setup_cli'), spacy.info(silent=True)['spacy_version'])")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    imported, real = run.stdout.splitlines()
    assert imported == "[]"
    assert real == f"True {version('spacy')}"


def test_a_spacy_that_needs_more_of_its_command_line_is_imported_whole():
    # A later spaCy whose __init__ imports more from spacy.cli than `info`: the stand-in fails it, and spaCy is
    # imported as it is, command line and all, rather than not at all.
    probe = ("import contextlib, sys; from claimcheck import spacy_pipeline, segment\n"
             "real = spacy_pipeline._cli_deferred\n"
             "@contextlib.contextmanager\n"
             "def wanting_more():\n"
             "    with real():\n"
             "        del sys.modules['spacy.cli.info'].info\n"
             "        yield\n"
             "spacy_pipeline._cli_deferred = wanting_more\n"
             "doc = segment.load_nlp()('Police said 3 men fled.')\n"
             "print(len(doc), 'spacy.cli.download' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert run.stdout.split() == ["6", "True"]


def test_the_installed_spacy_has_no_profiling_hooks():
    assert not spacy_pipeline.has_profiling_hooks()  # `make` rebuilt it without them: tools/spacy_without_hooks.sh


def test_profiling_hooks_are_seen_where_spacys_compiled_code_reports_to_the_profiler(monkeypatch):
    reporting = {}  # a stand-in for a Doc compiled with the hooks: a function whose code names a .pyx file
    exec(compile("def Doc(vocab, words):\n    return words\n", "doc.pyx", "exec"), reporting)
    monkeypatch.setattr("spacy.tokens.Doc", reporting["Doc"])
    assert spacy_pipeline.has_profiling_hooks()


@pytest.mark.parametrize("text, value", [
    ("Half a million people fled.", 500_000),
    ("A dozen homes burned.", 12),
    ("Three-quarters of a million were counted.", 750_000),
    ("Forty-two people died.", 42),
])
def test_numbers_without_digits_are_still_read(nlp, text, value):
    assert [q.value for q in quantities.extract_quantities(next(nlp(text).sents))] == [value]



# In a fresh interpreter, as `claimcheck report` runs: no torch is loaded (its threads would make forking unsafe).
WORKER_SCRIPT = """
import json, sys, threading
from claimcheck import segment
from claimcheck.ingest import read_paths
articles = read_paths([sys.argv[1]]).articles
ran = []
def meanwhile():
    ran.append([threading.current_thread().name, 'spacy' in sys.modules])
def failing():
    raise RuntimeError('a warm-up that fails')
def claims(meanwhile=None):
    return [(s.article.name, s.claims, s.notes) for s in segment.segment(articles, meanwhile)]
workers = segment._workers(len(articles), meanwhile=True)
there = claims(meanwhile)
spacy_here = 'spacy' in sys.modules
again, here = claims(failing), claims()
print(json.dumps({'workers': workers, 'spacy_here': spacy_here, 'ran': ran, 'same': there == here == again,
                  'claims': sum(len(found) for _, found, _ in here)}))
"""


def test_a_small_batch_parses_in_a_worker_while_meanwhile_runs_here_with_the_same_claims():
    import json
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", WORKER_SCRIPT, str(DATA / "basic")], capture_output=True, text=True,
                          check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["same"] and got["claims"] > 10  # a worker's claims are this process' claims, a failing warm-up or not
    assert [name for name, _ in got["ran"]] == ["claimcheck-meanwhile"]  # once, in a thread of its own
    if (os.cpu_count() or 1) >= 2 and sys.platform == "linux":
        assert got["workers"] == 1 and not got["spacy_here"]  # spaCy loaded and parsed in the worker only
        assert got["ran"] == [["claimcheck-meanwhile", False]]

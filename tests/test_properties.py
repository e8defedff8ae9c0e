"""Property tests: the extractors and the report renderer never crash, and never let article text act as markup."""

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck import attribution, markdown, quantities, report, segment
from claimcheck.ingest import Article, clean_text

# Text that looks like news (numbers, quotes, speakers, line breaks) mixed with arbitrary Unicode.
NEWSY = st.sampled_from([
    "About 3,000 migrants", "£7m", "on 3 December 2002", "12%", '"We will act," said the minister.', "Mrs May",
    "\n", "\n\n", " ", ". ", ", ", "“", "”", "'", "-", "—", "1.5 million", "at 10.30pm", "the M20", "(", ")",
])
ARTICLE_TEXT = st.lists(st.one_of(NEWSY, st.text(max_size=20)), max_size=25).map("".join).map(clean_text)

PAYLOADS = [
    "<script>alert(1)</script>", "<!-- hidden -->", "\n# Forged heading\n", "\n## Conflicts\n", "| a | b | c |",
    "[click](javascript:alert(1))", "![x](http://evil.example/x.png)", "`code`", "```", "\r\n---\n",
    "<img src=x onerror=y>",
    "&lt;script&gt;", "\\", "*bold* _it_ ~~s~~", "$\\color{red}{x}$", "> quote", "\u2028# line separator", "x\x1b[31m",
]
HOSTILE = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=30),
                    st.lists(st.sampled_from(PAYLOADS), min_size=1, max_size=4).map("".join))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def nlp():
    return segment.load_nlp()


def _without_escapes(markdown: str) -> str:
    return re.sub(r"\\.", "", markdown)


@FAST
@given(text=ARTICLE_TEXT)
def test_extractors_never_crash_and_claims_keep_their_offsets(nlp, text):
    doc = nlp(text)
    for found in quantities.extract_quantities(doc[:]):
        assert 0 <= found.start <= found.end <= len(text)
    for found in attribution.extract_attributions(doc):
        assert 0 <= found.content_start <= found.content_end <= len(text)
    for claim in segment.split_claims(doc):
        assert doc.text[claim.start : claim.end] == claim.text
        assert len(claim.text) <= segment.MAX_CLAIM_CHARS


@settings(max_examples=25, deadline=None)
@given(text=ARTICLE_TEXT, limit=st.integers(min_value=5, max_value=80))
def test_chunked_segmentation_keeps_offsets_and_lines(nlp, text, limit):
    old = segment.NLP_CHUNK_CHARS
    segment.NLP_CHUNK_CHARS = limit
    try:
        [result] = segment.segment([Article("x", "x", text)])
    finally:
        segment.NLP_CHUNK_CHARS = old
    assert [claim.idx for claim in result.claims] == list(range(len(result.claims)))
    for claim in result.claims:
        assert text[claim.start : claim.end] == claim.text
        assert claim.line == text.count("\n", 0, claim.start) + 1


@given(text=st.text(max_size=300), limit=st.integers(min_value=1, max_value=50))
@settings(max_examples=200)
def test_text_chunks_cover_the_text_in_bounded_pieces(text, limit):
    pieces = list(segment.text_chunks(text, limit))
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= limit for _, piece in pieces)
    assert [offset for offset, _ in pieces] == [sum(len(p) for _, p in pieces[:n]) for n in range(len(pieces))]


@given(text=st.one_of(st.text(), HOSTILE))
@settings(max_examples=300)
def test_md_text_is_one_inert_line(text):
    out = markdown.md_text(text)
    assert "\n" not in out and "\r" not in out and len(out.splitlines()) <= 1
    assert "<" not in out and ">" not in out
    assert not set(_without_escapes(out)) & set("[]`*_|#!~$\\")
    assert re.sub(r"&(amp|lt|gt);", "", out).count("&") == 0


@given(text=st.text())
@settings(max_examples=200)
def test_clean_text_leaves_no_control_characters(text):
    out = clean_text(text)
    assert "\x1b" not in out and "\r" not in out
    assert all(ch in "\n\t" or ch >= " " and not "\x7f" <= ch <= "\x9f" for ch in out)


# --- the whole report ---------------------------------------------------------------------------

OUR_HEADINGS = re.compile(
    r"^(# claimcheck report|## (Corpus|Conflicts|Corroborated facts|Claims shared across articles|How the figures changed)"
    r"|### (Open|Confirmed by a reviewer|Revisions between copies of one source) \(\d+\)"
    r"|#### .+|### .+ — \d+ articles agree)$"
)


def _data(s):  # noqa: ANN001 - a list of hostile strings
    names = itertools.cycle(s)
    h = lambda: next(names)  # noqa: E731
    articles = [{"id": i, "name": h(), "title": h(), "outlet": h(), "published": h(), "n_claims": 3} for i in (1, 2)]
    common = {"article_id_a": 1, "article_id_b": 2, "claim_a": 10, "claim_b": 20, "line_a": 1, "line_b": 7}
    flags = [
        {**common, "id": f"f{n}", "kind": "numeric", "verdict": verdict, "status": status, "about": h(), "value_a": h(),
         "value_b": h(), "confidence": 0.9, "similarity": 0.8, "reason": h(), "text_a": h(), "text_b": h(),
         "article_a": h(), "article_b": h(), "shared": '["' + "migrants" + '"]', "reviewer": h(), "note": h()}
        for n, (verdict, status) in enumerate([("conflict", "open"), ("conflict", "confirmed"), ("revision", "open")])
    ]
    agreements = [{**common, "independent": 1, "about": h(), "value_a": h(), "value_b": h(), "text_a": h(),
                   "text_b": h(), "article_a": h(), "article_b": h()}]
    shared_claims = {claim: {"id": claim, "article_id": article, "article": h(), "text": h(), "line": 1}
                     for claim, article in ((10, 1), (20, 2))}
    sources = {1: "/tmp/" + h().replace("\x00", ""), 2: "/tmp/x>) <script>alert(1)</script> (y.txt"}
    return report.ReportData(articles, sources, flags, agreements, [[10, 20]], shared_claims, [(1, 2, 0.5)], h())


@given(strings=st.lists(HOSTILE, min_size=1, max_size=8))
@settings(max_examples=80, deadline=None)
def test_render_never_lets_article_text_become_markup(strings):
    markdown = report.render(_data(strings), Path("/tmp/reports"))
    # Link targets are ours ([label](<target>)); outside them no angle bracket may remain.
    outside = re.sub(r"\]\(<[^<>\s]*>\)", "](…)", markdown)
    assert "<" not in outside and ">" not in outside
    assert "<script" not in markdown.lower() and "<!--" not in markdown
    for line in markdown.splitlines():
        if line.lstrip().startswith("#"):
            assert OUR_HEADINGS.match(line), line
    table = [line for line in markdown.splitlines() if line.startswith("| ") and not line.startswith("| #")]
    assert len(table) == 2
    assert all(_without_escapes(line).count("|") == 8 for line in table)


_PART = st.sampled_from(["seeds", "news", "a b", "..", "x.txt", "ü", "reports"])


@given(st.lists(st.tuples(st.booleans(), st.lists(_PART, max_size=3), st.sampled_from(["one.txt", "two.jsonl#4"])),
                min_size=1, max_size=8), st.sampled_from(["/work/main/reports", "/", "/tmp/out"]))
def test_report_links_are_each_files_relpath_from_the_report_folder(files, report_dir):
    import os

    sources = {n: ("/" if absolute else "") + "/".join([*folders, name]) for n, (absolute, folders, name) in enumerate(files)}
    expected = {n: os.path.relpath(path.split("#", 1)[0], report_dir) for n, path in sources.items()}
    assert markdown.file_links(sources, Path(report_dir)) == expected


_CONTEXT = st.lists(st.sampled_from(["where:Calais", "where:Dover", "where:a:b", "mood:increment", "mood:expected",
                                     "describes", "noun:inferred", "verb:", ":x", "what:boats", "population:Haiti"]),
                    max_size=8).map(tuple)


@given(_CONTEXT, st.sampled_from(["where", "mood", "verb", "what", "population", "noun", "", "describes"]))
def test_a_figures_frames_are_its_context_entries_with_the_prefix(context, prefix):
    from claimcheck.comparison import frame
    from claimcheck.measures import _mood

    q = quantities.Quantity("3", 0, 1, "count", 3, 3, 3, "", "", context)
    expected = {c[len(prefix) + 1:] for c in context if c.startswith(prefix + ":")}
    assert frame(q, prefix) == expected
    assert frame(q, prefix) == expected  # the second answer comes from the figure's cache
    assert _mood(q) == next((c[5:] for c in context if c.startswith("mood:")), "")

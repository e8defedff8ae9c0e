"""Reading files: formats, metadata, encodings, and every kind of bad input with its message."""

from pathlib import Path

import pytest

from claimcheck.ingest import decode, read_file, read_paths

DATA = Path(__file__).parent / "data"


def test_front_matter_metadata_is_kept_and_removed_from_the_text():
    [article] = read_file(DATA / "basic" / "alpha.md")
    assert (article.title, article.outlet, article.published) == (
        "Camp closure recalled as Calais crisis deepens", "Channel Gazette", "2015-06-24")
    assert article.url == "https://example.org/alpha"
    assert article.text.startswith("The French government closed the Sangatte camp")


def test_jsonl_gives_one_article_per_line_named_by_id():
    articles = read_file(DATA / "basic" / "articles.jsonl")
    assert [a.name for a in articles] == ["articles.jsonl#g1", "articles.jsonl#g2"]
    assert articles[1].title == "Tunnel chaos (updated)"
    assert articles[0].outlet == "Wire Daily"


def test_html_keeps_article_text_and_drops_scripts_and_styles(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Calais</title><style>p {color: red}</style><script>alert('x')</script></head>"
        "<body><nav>Home | News</nav><article><p>Almost 2,100 migrants stormed the terminal.</p>"
        "<p>The camp closed in 2002.</p></article></body></html>"
    )
    [article] = read_file(page)
    assert article.title == "Calais"
    assert article.text == "Almost 2,100 migrants stormed the terminal.\nThe camp closed in 2002."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Caf\u00e9 \u2013 \u00a37m".encode("utf-8"), "Caf\u00e9 \u2013 \u00a37m"),
        (b"\xef\xbb\xbfWith a BOM", "With a BOM"),
        ("Caf\u00e9 costs \u00a37m \u2013 \u201cquoted\u201d".encode("cp1252"), "Caf\u00e9 costs \u00a37m \u2013 \u201cquoted\u201d"),
        ("na\u00efve fa\u00e7ade".encode("latin-1"), "na\u00efve fa\u00e7ade"),
    ],
)
def test_decode_reads_utf8_bom_and_news_archive_encodings(raw, expected):
    assert decode(raw) == expected


BAD_FILES = [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"   \n\t\n", "empty file"),
    ("scan.txt", b"%PDF-1.7\n%binary", "binary file: this is a PDF"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary file: this is a PNG image"),
    ("nul.txt", b"abc\x00def", "binary file: it contains NUL bytes"),
    ("notes.docx", b"hello", "unsupported file type .docx"),
    ("only-markup.html", b"<html><body><script>x()</script></body></html>", "empty: no text"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_bad_files_are_reported_with_a_reason_and_do_not_stop_the_batch(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("The camp at Sangatte closed in 2002 after riots.")
    reading = read_paths([tmp_path / name, good])
    assert [a.name for a in reading.articles] == ["good.txt"]
    assert len(reading.problems) == 1
    assert message in reading.problems[0].reason


def test_too_large_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 300_000)
    reading = read_paths([big], max_bytes=1_000_000)
    assert reading.articles == []
    assert "too large (2 MB > 1 MB limit" in reading.problems[0].reason


def test_missing_path_and_empty_folder_are_problems(tmp_path):
    (tmp_path / "empty").mkdir()
    reading = read_paths([tmp_path / "nope.txt", tmp_path / "empty"])
    reasons = [p.reason for p in reading.problems]
    assert reasons[0] == "no such file or folder"
    assert reasons[1].startswith("no .htm, .html, .jsonl")


def test_jsonl_bad_lines_name_the_line_and_keep_the_good_ones(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "Good article one has text."}\nnot json\n{"title": "no text"}\n{"text": "   "}\n')
    reading = read_paths([feed])
    assert [a.name for a in reading.articles] == ["feed.jsonl#1"]
    assert [p.reason for p in reading.problems] == [
        "line 2 is not valid JSON (Expecting value)",
        'line 3 has no "text" string',
        'line 4 has an empty "text"',
    ]


def test_unreadable_file_is_a_problem(tmp_path):
    import os

    locked = tmp_path / "locked.txt"
    locked.write_text("Some text that nobody can read.")
    locked.chmod(0)
    try:
        reading = read_paths([locked])
        if os.geteuid() == 0:  # root reads anything: the file is simply ingested
            assert reading.articles and not reading.problems
        else:
            assert reading.problems[0].reason == "cannot read: permission denied"
    finally:
        locked.chmod(0o644)

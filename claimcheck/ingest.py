"""Files -> Article records: text, content hash, and title/outlet/date where the file gives them.

Reads .txt and .md (with optional YAML front matter), .html/.htm (article text through
BeautifulSoup, never scripts or styles) and .jsonl (one article per line). Bad files are
reported as Problems with a reason, never silently dropped, and never stop the good ones.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
META_FIELDS = ("title", "outlet", "url", "published")
# File signatures of formats people rename to .txt by mistake.
BINARY_SIGNATURES = {
    b"%PDF": "a PDF",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
}


@dataclass(frozen=True)
class Article:
    """One article as read from disk, before segmentation."""

    source: str  # the path it was read from (plus '#line' for JSONL)
    name: str  # the name people see: the file name, or file name#id for JSONL
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None

    @property
    def content_hash(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class Problem:
    """A file (or JSONL line) that could not be used, and why."""

    source: str
    reason: str


@dataclass
class Reading:
    """What a batch of paths yielded."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def text_hash(text: str) -> str:
    """Content hash used to recognise an article or a sentence seen before."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def read_paths(paths: Iterable[Path | str], max_bytes: int = 20_000_000) -> Reading:
    """Read every usable article under these files and folders; collect problems instead of raising."""
    reading = Reading()
    for path in map(Path, paths):
        if not path.exists():
            reading.problems.append(Problem(str(path), "no such file or folder"))
            continue
        files = list(_files_under(path)) if path.is_dir() else [path]
        if path.is_dir() and not files:
            reading.problems.append(Problem(str(path), f"no {', '.join(sorted(SUFFIXES))} files in this folder"))
        for file in files:
            try:
                reading.articles.extend(read_file(file, max_bytes))
            except InputError as error:
                reading.problems.append(Problem(str(file), str(error)))
            except _LineProblems as lines:
                reading.articles.extend(lines.articles)
                reading.problems.extend(lines.problems)
    return reading


def _files_under(folder: Path) -> Iterator[Path]:
    for file in sorted(folder.rglob("*")):
        if file.is_file() and file.suffix.lower() in SUFFIXES and not file.name.startswith("."):
            yield file


class _LineProblems(Exception):
    """A JSONL file with some bad lines: the good articles travel with the problems."""

    def __init__(self, articles: list[Article], problems: list[Problem]):
        super().__init__("bad lines")
        self.articles, self.problems = articles, problems


def read_file(path: Path, max_bytes: int = 20_000_000) -> list[Article]:
    """The articles in one file (one, or one per line for JSONL)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"unsupported file type {suffix or '(none)'}; use .txt, .md, .html or .jsonl")
    raw = _read_bytes(path, max_bytes)
    text = decode(raw)
    if suffix in JSONL_SUFFIXES:
        return _read_jsonl(path, text)
    meta: dict[str, str | None] = {}
    if suffix in HTML_SUFFIXES or _looks_like_html(text):
        text, meta = html_to_text(text)
    elif suffix in TEXT_SUFFIXES:
        text, meta = split_front_matter(text)
    text = clean_text(text)
    if not text.strip():
        raise InputError("empty: no text after removing whitespace and markup")
    return [Article(source=str(path.resolve()), name=one_line(path.name), text=text, **meta)]


def read_text(path: Path, max_bytes: int = 20_000_000) -> str:
    """One file's text as read at ingest: refused if too large, empty or binary, then decoded."""
    try:
        return decode(_read_bytes(path, max_bytes))
    except InputError as error:
        raise InputError(f"{path.name}: {error}") from None


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"too large ({size / 1e6:.0f} MB > {max_bytes / 1e6:.0f} MB limit); split it or raise --max-mb"
            )
        raw = path.read_bytes()
    except PermissionError:
        raise InputError("cannot read: permission denied") from None
    except IsADirectoryError:
        raise InputError("is a folder") from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}") from None
    if not raw.strip():
        raise InputError("empty file")
    for signature, what in BINARY_SIGNATURES.items():
        if raw.startswith(signature):
            raise InputError(f"binary file: this is {what}, not text")
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("binary file: it contains NUL bytes")
    return raw


def decode(raw: bytes) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), UTF-16 with BOM, cp1252, else charset-normalizer's guess."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Old news archives are overwhelmingly cp1252 (a superset of latin-1's printable range);
    # a statistical guess on short text picks exotic code pages, so cp1252 goes first.
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[:200_000]).best()
    try:
        return raw.decode(best.encoding) if best is not None else raw.decode("latin-1")
    except (UnicodeDecodeError, LookupError):
        return raw.decode("latin-1")


def clean_text(text: str) -> str:
    """Normalise newlines and Unicode forms, drop control characters; offsets refer to this text."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def one_line(text: str) -> str:
    """A name or title as one clean line: control characters (terminal escapes too) dropped, spaces collapsed."""
    return " ".join(clean_text(text).split())


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*\n", re.DOTALL)


def split_front_matter(text: str) -> tuple[str, dict[str, str | None]]:
    """YAML front matter (title, outlet, url, published) and the body after it."""
    match = FRONT_MATTER.match(text)
    if not match:
        return text, {}
    import yaml

    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return text, {}
    if not isinstance(data, dict):
        return text, {}
    return text[match.end() :], _meta(data)


def _meta(data: dict) -> dict[str, str | None]:
    meta = {key: (one_line(str(data[key])) or None if data.get(key) is not None else None) for key in META_FIELDS}
    if meta["published"] is None and data.get("date") is not None:
        meta["published"] = one_line(str(data["date"])) or None
    return meta


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head and "</" in head)


def html_to_text(html: str) -> tuple[str, dict[str, str | None]]:
    """The readable text of an HTML page (paragraph per line) and its title; scripts and styles dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg", "iframe", "nav", "footer", "form"]):
        tag.decompose()
    title = (one_line(soup.title.get_text(" ", strip=True)) or None) if soup.title else None
    root = soup.find("article") or soup.body or soup
    blocks = root.find_all(["h1", "h2", "h3", "p", "li", "blockquote"])
    lines = [block.get_text(" ", strip=True) for block in blocks] if blocks else root.get_text("\n").splitlines()
    return "\n".join(line for line in lines if line.strip()), {"title": title}


def _read_jsonl(path: Path, text: str) -> list[Article]:
    articles, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(Problem(where, f"line {number} is not valid JSON ({error.msg})"))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            problems.append(Problem(where, f'line {number} has no "text" string'))
            continue
        body = clean_text(record["text"])
        if not body.strip():
            problems.append(Problem(where, f'line {number} has an empty "text"'))
            continue
        label = one_line(str(record.get("id") or number)) or str(number)
        articles.append(Article(source=f"{path.resolve()}#{label}", name=one_line(f"{path.name}#{label}"), text=body,
                                **_meta(record)))
    if problems:
        raise _LineProblems(articles, problems)
    return articles

"""Helpers over parsed spaCy docs shared by the extractors."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

T = TypeVar("T")


def per_doc(doc: "Doc", key: str, compute: Callable[[], T]) -> T:
    """`compute()` once per parsed document: the extractors ask the same questions of one doc many times."""
    cache_key = f"claimcheck_{key}"
    if cache_key not in doc.user_data:
        doc.user_data[cache_key] = compute()
    return doc.user_data[cache_key]


def text_of(doc: "Doc") -> str:
    """The document's text, built once: spaCy's `doc.text` joins every token again on each access."""
    return per_doc(doc, "text", lambda: doc.text)


def sentence_of(token: "Token | Span") -> "Span":
    """The sentence holding a token (or a span's first token), in O(log n).

    spaCy's `token.sent` walks the whole document on every call, which made attribution
    quadratic in article length; the sentences are listed once per doc here instead.
    """
    doc = token.doc
    starts, sents = per_doc(doc, "sentences", lambda: _sentence_starts(doc))
    position = token.i if hasattr(token, "i") else token.start  # a Span is placed by its first token
    return sents[bisect_right(starts, position) - 1]


def _sentence_starts(doc: "Doc") -> tuple[list[int], list["Span"]]:
    sents = list(doc.sents)
    return [sent.start for sent in sents], sents


def sentence_end(tok: "Token") -> str:
    """The last character of a token's sentence, closing quotes and line breaks left out ("?" for a question)."""
    text = sentence_of(tok).text.rstrip(" \t\r\n”\"’'")  # a paragraph's last sentence holds its line break
    return text[-1:] if text else ""

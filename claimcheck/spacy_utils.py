"""Helpers over parsed spaCy docs shared by the extractors."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_KEY = "claimcheck_sentence_starts"
_TEXT = "claimcheck_text"


def text_of(doc: "Doc") -> str:
    """The document's text, built once: spaCy's `doc.text` joins every token again on each access."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


def sentence_of(token: "Token | Span") -> "Span":
    """The sentence holding a token (or a span's first token), in O(log n).

    spaCy's `token.sent` walks the whole document on every call, which made attribution
    quadratic in article length; the sentences are listed once per doc here instead.
    """
    doc = token.doc
    cached = doc.user_data.get(_KEY)
    if cached is None:
        sents = list(doc.sents)
        cached = ([sent.start for sent in sents], sents)
        doc.user_data[_KEY] = cached
    starts, sents = cached
    position = token.i if hasattr(token, "i") else token.start  # a Span is placed by its first token
    return sents[bisect_right(starts, position) - 1]

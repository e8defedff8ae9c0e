"""The number written at a token: digits, a scale word ("£7m", "3 million"), number words ("thirty-one"), a share
of a scale ("half a million"). quantities.py reads figures with it, durations.py the parts of a duration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import units as U

if TYPE_CHECKING:
    from spacy.tokens import Token

# What a number can open with when its first token holds no digit ("a dozen", "half a million").
_NUMBER_LEADS = U.NUMBER_WORDS | {"a", "dozen"} | {lead[0] for lead in U.SHARES_OF_SCALE}


def may_open_number(tok: "Token") -> bool:
    """Whether a number can be written from this token on: it holds a digit, or is a number word or lead."""
    return tok.lower_ in _NUMBER_LEADS or any(ch.isdigit() for ch in tok.text)


def read_number(toks: list["Token"], i: int) -> tuple[float, int] | None:
    """(value, end) of the number written at token i, scale words included ("£7m" -> 7e6)."""
    if not may_open_number(toks[i]):
        return None  # most tokens: extraction of 150 BBC articles 2.4-3.1 s -> 1.3-2.5 s
    share = U.share_of_scale([t.text for t in toks[i:i + 6]])
    if share is not None:
        return share[0], i + share[1]
    value = U.parse_digits(toks[i].text)
    j = i + 1
    if value is None:
        j = i + (toks[i].lower_ == "a")
        while j < len(toks) and (toks[j].lower_ in U.NUMBER_WORDS or toks[j].lower_ == "dozen"
                                 or (toks[j].text in ("-", "and") and j + 1 < len(toks)
                                     and toks[j + 1].lower_ in U.NUMBER_WORDS and j > i)):
            j += 1
        words = [t.text for t in toks[i:j]]
        if j == i or words in (["one"], ["One"], ["a"]) or words[-1] in ("-", "and"):
            return None
        if all(w.lower() in U.SCALES for w in words):
            return None  # a bare "million" follows a figure we could not read ("3,4 million"), not one million
        value = U.parse_number_words(words)
        return None if value is None else (value, j)
    # "£7m." at the end of a sentence is tokenised "£ 7 m." (the full stop taken for an abbreviation's).
    scale = toks[j].lower_.rstrip(".") if j < len(toks) else ""
    if scale in U.SCALES and scale != "hundred":
        value, j = value * U.SCALES[scale], j + 1
    return value, j

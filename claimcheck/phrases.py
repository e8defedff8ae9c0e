"""What a figure measures, in words: a short phrase with every figure masked ("# people left homeless by quake"),
and who the sentence credits with it ("according to X", "X said").

The phrase is built from the parse around one figure, so two figures in one sentence get two phrases; it is
embedded and compared by meaning in measure_pairs.py / measures.py.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

PHRASE_DEPS = {"compound", "amod", "nmod", "poss", "neg", "prt", "acomp", "oprd", "agent", "dobj", "attr",
               "nsubj", "nsubjpass", "pobj", "prep", "advmod", "xcomp", "acl", "relcl", "npadvmod", "appos"}
PHRASE_PREPS = {"of", "in", "at", "from", "by", "on", "inside", "aboard", "under", "into", "during", "after", "for"}
MAX_PHRASE_WORDS = 12
SOURCE_VERBS = {"say", "tell", "report", "confirm", "announce", "estimate", "put", "state", "add", "claim"}


def measure_phrase(sent: "Span", noun: "Token | None", anchor: "Token", verbs: list["Token"], own: set[int],
                   numbers: set[int]) -> str:
    """What is measured, as a short phrase with every figure masked: "# people left homeless by quake".

    Built from the parse around the figure, not the whole sentence, so that two figures in one sentence get
    two phrases ("capacity to house # people" / "# refugees use camp").
    """
    keep: set[int] = set(own)
    head = noun or anchor
    keep |= _noun_words(head)
    if head.dep_ in ("compound", "amod", "nmod") and head.head.pos_ in ("NOUN", "PROPN"):
        keep |= _noun_words(head.head)  # "nine-storey building": the storeys of the building
    if noun is None and anchor.dep_ == "pobj" and anchor.head.lower_ == "of" and anchor.head.head.pos_ == "NOUN":
        keep |= _noun_words(anchor.head.head) | {anchor.head.i}  # "took the lives of 1,138", "a toll of 316,000"
    if head.dep_ == "appos" or anchor.dep_ == "appos":
        keep |= _noun_words(head.head)  # "Port-au-Prince, a city of 2 million"
    for verb in verbs[:1]:
        keep.add(verb.i)
        for child in verb.children:
            if child.dep_ in ("prt", "neg", "acomp", "oprd") or child.lower_ in ("still", "now"):
                keep.add(child.i)
            elif child.dep_ in ("nsubj", "nsubjpass", "dobj", "attr") and child.i not in own \
                    and not any(t.i in own for t in child.subtree):
                words = _noun_words(child) | _of_words(child)
                if not words & numbers:  # "housed five factories" is another figure's phrase
                    keep |= words
            elif child.dep_ in ("prep", "agent") and child.lower_ in PHRASE_PREPS | {"by"}:
                keep |= _prep_words(child)
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in PHRASE_PREPS:
            keep |= _prep_words(child)
        elif child.dep_ in ("acl", "relcl") and child.pos_ in ("VERB", "AUX", "ADJ"):
            # "victims buried in mass graves", "people who were still missing": what the counted thing did or is
            keep.add(child.i)
            keep |= {c.i for c in child.children if c.dep_ in ("prt", "neg", "acomp", "oprd")
                     or c.lower_ in ("still", "now")}
    keep |= _window(sent, own, numbers)
    words, last = [], None
    for t in sent:
        if t.i not in keep or t.is_punct or t.is_space or t.ent_type_ in ("DATE", "TIME") and t.i not in own:
            continue
        word = _masked(t, numbers | own)
        if word and not (word == "#" and last == "#"):  # a figure written in several tokens is one "#"
            words.append(word)
            last = word
    return " ".join(words[:MAX_PHRASE_WORDS])


WINDOW = 2
CLAUSE_BREAKS = {";", ":", "(", ")", "—", "–", "but", "while", "whereas", "although", "though"}


def _window(sent: "Span", own: set[int], numbers: set[int]) -> set[int]:
    """Content words next to the figure, up to another figure or a clause break: what a reader sees with it."""
    out: set[int] = set()
    for step in (-1, 1):
        k = (min(own) if step < 0 else max(own)) + step
        taken = 0
        while sent.start <= k < sent.end and taken < WINDOW:
            tok = sent.doc[k]
            if tok.i in numbers or tok.lower_ in CLAUSE_BREAKS or tok.text == "," and step > 0 and taken:
                break
            if step < 0 and tok.pos_ == "ADP" or tok.pos_ == "CCONJ":
                break  # "among the 4,300 passengers", "six killed and 29 missing": another phrase's words
            if tok.lower_ == "and" and step > 0 and k + 1 < sent.end and sent.doc[k + 1].pos_ in ("VERB", "AUX"):
                break  # "killed 316,000 people and displaced 1.5 million": the next clause is another figure's
            if tok.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") or tok.lower_ in ("still", "not", "no"):
                out.add(tok.i)
                taken += 1
            k += step
    return out


def _noun_words(tok: "Token") -> set[int]:
    """A noun with its compounds, adjectives and possessor ("Haiti's official death toll")."""
    out = {tok.i}
    for child in tok.children:
        if child.dep_ in ("compound", "amod", "poss", "nmod", "nummod") and child.i < tok.i:
            out |= {t.i for t in child.subtree if not t.is_punct}
    return out


def _of_words(noun: "Token") -> set[int]:
    """What a clause's noun is of ("its previous estimate of the death toll", "the collapse of the building")."""
    return next((_prep_words(c) for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), set())


def _prep_words(prep: "Token") -> set[int]:
    """A preposition and the noun it governs ("in makeshift camps"), dates and times left out."""
    objects = [c for c in prep.children if c.dep_ == "pobj" and c.ent_type_ not in ("DATE", "TIME")]
    if not objects:
        return set()
    return {prep.i} | _noun_words(objects[0])


def _masked(tok: "Token", numbers: set[int]) -> str:
    if tok.i in numbers or tok.like_num:
        return "#"
    if tok.pos_ == "DET" or tok.lower_ in ("-", "–"):
        return ""
    return tok.lower_


def cited_source(sent: "Span", anchor: "Token") -> str:
    """Who the sentence credits with the figure: "according to X", "X said", "X estimates"; "" when nobody."""
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < sent.end and sent.doc[tok.i + 1].lower_ == "to":
            objects = [c for c in sent.doc[tok.i + 1].children if c.dep_ == "pobj"]
            if objects:
                return _span_text(objects[0])
    for verb in [anchor, *anchor.ancestors]:
        if verb.pos_ == "VERB" and verb.lemma_.lower() in SOURCE_VERBS:
            subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
            if subject is not None and subject.pos_ != "PRON" and not any(t.like_num for t in subject.subtree):
                return _span_text(subject)
    return ""


def _span_text(tok: "Token") -> str:
    tokens = [t for t in tok.subtree if not t.is_space]
    text = tok.doc[tokens[0].i:tokens[-1].i + 1].text if tokens else tok.text
    return " ".join(text.split()[:8]).strip(" ,.")

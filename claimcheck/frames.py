"""What a figure measures, read from the parse around it: the counted noun, the event (verb), the time frame,
the place and the names of its clause.

``context`` entries are prefixed and lower-cased: "event:<verb class>", "when:<period>", "where:<place>",
"what:<noun or name in the clause>", and "noun:inferred" when the noun was not attached to the number.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

DATE_KINDS = ("year", "date")
LOCATION_PREPS = {"in", "at", "around", "near", "off", "outside", "inside", "across", "into", "to", "on"}
REPORTING = {"know", "say", "believe", "estimate", "think", "report", "expect", "fear", "claim", "appear",
             "seem", "suggest", "show", "understand", "confirm"}
LIGHT = {"be", "have", "make", "do", "get", "see", "record", "take"}
EVENT_CLASSES = {"be": "present", "live": "present", "camp": "present", "stay": "present", "remain": "present",
                 "sleep": "present", "shelter": "present", "gather": "present",
                 "pledge": "fund", "announce": "fund", "promise": "fund", "commit": "fund", "give": "fund",
                 "provide": "fund", "offer": "fund", "allocate": "fund",
                 "rise": "rise", "increase": "rise", "grow": "rise", "jump": "rise", "soar": "rise",
                 "climb": "rise", "surge": "rise", "fall": "fall", "drop": "fall", "decline": "fall",
                 "decrease": "fall", "rescue": "rescue", "save": "rescue",
                 "shut": "close", "close": "close", "open": "open", "reopen": "reopen"}
NOT_NOUNS = {"per", "cent", "%", "m", "bn", "£", "$", "€", "time", "year", "month", "week", "day"}
PLACE_ALIASES = {"britain": "uk", "great britain": "uk", "united kingdom": "uk", "u.k.": "uk"}
GENERIC = {"people", "person", "number", "year", "time", "thing", "day", "week", "month", "lot", "group",
           "figure", "total", "part", "way", "area", "%", "cent", "m", "bn", "£", "$", "€"}



def counted_noun(anchor: "Token", kind: str) -> tuple["Token | None", bool]:
    """The noun the figure counts or measures, and whether it had to be inferred from the clause."""
    if kind in DATE_KINDS:
        return None, False
    head = anchor
    while head.dep_ in ("compound", "quantmod", "nummod") and head.head.like_num and head.head != head:
        head = head.head
    if head.dep_ in ("nummod", "compound", "amod", "nmod", "npadvmod") and head.head.pos_ in ("NOUN", "PROPN") \
            and head.head.lemma_.lower() not in NOT_NOUNS:
        return head.head, False
    of = [c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"]
    objects = [g for c in of for g in c.children if g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN")]
    if objects:
        return objects[0], kind != "percent"
    if kind == "money":
        return None, False
    verb = next((t for t in [head, *head.ancestors] if t.pos_ in ("VERB", "AUX")), None)
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None) if verb else None
    if subject is not None and subject.lemma_.lower() == "number":  # "the number of migrants ... reached 8,448"
        subject = next((g for c in subject.children if c.lower_ == "of" for g in c.children), None)
    elif kind == "count":
        subject = None
    if subject is not None and subject.pos_ in ("NOUN", "PROPN"):
        return subject, True
    return None, False


def event_tokens(tok: "Token", own: set[int]) -> list["Token"]:
    """The verb(s) that say what happened to the counted thing; reporting and light verbs are looked through."""
    verb = next((t for t in [tok, *tok.ancestors] if t.pos_ in ("VERB", "AUX") and t.i not in own), None)
    if verb is None:
        return []
    for _ in range(2):
        inner = next((c for c in verb.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ == "VERB"), None)
        if verb.lemma_.lower() in REPORTING and inner is not None:
            verb = inner
    if verb.lemma_.lower() in LIGHT:
        clauses = [c for c in tok.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"]
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() in EVENT_CLASSES]
        return [verb, *clauses, *objects] if clauses or objects else [verb]
    camp = [c for c in verb.children if c.dep_ == "dobj" and c.lemma_.lower() == "camp"]
    return [verb, *camp]  # "set up camp" is being there


def _belongs(tok: "Token", anchors: set[int], verbs: list["Token"]) -> bool:
    """True when a phrase headed by tok attaches to this quantity's clause or to a clause around it."""
    for t in tok.ancestors:
        if t.i in anchors:
            return True
        if t.pos_ in ("VERB", "AUX"):
            return any(t in v.ancestors for v in verbs) or not verbs
    return not verbs


def periods(sent: "Span", anchors: set[int], verbs: list["Token"], own: set[int]) -> list[str]:
    """Normalised time frames ("this year", "12 months to april 2015", "2014") of this quantity."""
    out = []
    for ent in sent.ents:
        if ent.label_ not in ("DATE", "TIME") or own & {t.i for t in ent} or "old" in ent.text.lower():
            continue
        if not any(not t.is_digit or _is_year(t) for t in ent):
            continue  # "35" tagged DATE is an age
        if _belongs(ent.root, anchors, verbs) or ent.root.i in anchors:
            out.append(normalise_period(ent.text))
    return out


def normalise_period(text: str) -> str:
    text = " ".join(text.lower().replace("so far", "").split())
    text = text.removeprefix("the ").removeprefix("in ")
    for alias in ("year to ", "twelve months to ", "past 12 months to "):
        if text.startswith(alias):
            text = "12 months to " + text[len(alias):]
    return text


def places(sent: "Span", anchors: set[int], verbs: list["Token"]) -> list[str]:
    """Named places the clause locates the quantity in ("calais", "uk")."""
    out = []
    for tok in sent:
        if tok.pos_ != "PROPN" or tok.dep_ not in ("pobj", "conj") or tok.ent_type_ in ("DATE", "TIME"):
            continue
        prep = tok.head if tok.dep_ == "pobj" else tok.head.head
        if prep.lower_ in LOCATION_PREPS and _belongs(tok, anchors, verbs):
            name = tok.lemma_.lower()
            out.append(PLACE_ALIASES.get(name, name))
    return out


def clause_keys(verbs: list["Token"], own: set[int]) -> list[str]:
    """Content nouns and names of the event's clause; for a relative clause also the noun(s) it hangs on."""
    if not verbs:
        return []
    verb, keys = verbs[0], []
    tokens = list(verb.subtree)
    if verb.dep_ in ("relcl", "acl"):
        head = verb.head
        tokens += [head, *head.children] + ([head.head] if head.dep_ in ("appos", "pobj", "conj") else [])
        edge = head.left_edge.i
        if edge >= 2 and head.doc[edge - 1].text == "," and head.doc[edge - 2].pos_ == "PROPN":
            tokens.append(head.doc[edge - 2])  # "Sangatte, the original camp that was closed": the appositive
    for t in tokens:
        lemma = t.lemma_.lower()
        if t.i not in own and t.pos_ in ("NOUN", "PROPN") and lemma not in GENERIC and not t.like_num:
            keys.append(lemma)
    return list(dict.fromkeys(keys))



def _is_year(tok: "Token") -> bool:
    return len(tok.text) == 4 and tok.text.isdigit() and 1900 <= int(tok.text) <= 2099


# ---------------------------------------------------------------- the measure in words, and its cited source

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
    if head.dep_ == "appos" or anchor.dep_ == "appos":
        keep |= _noun_words(head.head)  # "Port-au-Prince, a city of 2 million"
    for verb in verbs[:1]:
        keep.add(verb.i)
        for child in verb.children:
            if child.dep_ in ("prt", "neg", "acomp", "oprd") or child.lower_ in ("still", "now"):
                keep.add(child.i)
            elif child.dep_ in ("nsubj", "nsubjpass", "dobj", "attr") and child.i not in own \
                    and not any(t.i in own for t in child.subtree):
                keep |= _noun_words(child)
            elif child.dep_ in ("prep", "agent") and child.lower_ in PHRASE_PREPS | {"by"}:
                keep |= _prep_words(child)
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in PHRASE_PREPS:
            keep |= _prep_words(child)
    words = [_masked(t, numbers | own) for t in sent if t.i in keep and not t.is_punct and not t.is_space]
    phrase = " ".join(w for w in words if w)
    return " ".join(phrase.split()[:MAX_PHRASE_WORDS])


def _noun_words(tok: "Token") -> set[int]:
    """A noun with its compounds, adjectives and possessor ("Haiti's official death toll")."""
    out = {tok.i}
    for child in tok.children:
        if child.dep_ in ("compound", "amod", "poss", "nmod", "nummod") and child.i < tok.i:
            out |= {t.i for t in child.subtree if not t.is_punct}
    return out


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

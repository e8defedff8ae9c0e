"""What a figure measures, read from the parse around it: the counted noun, the event (verb), the time frame,
the place and the names of its clause.

``context`` entries are prefixed and lower-cased: "event:<verb class>", "when:<period>", "where:<place>",
"what:<noun or name in the clause>", and "noun:inferred" when the noun was not attached to the number.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import units as U
from .spacy_utils import sentence_end
from .units import year_of

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


def number_head(anchor: "Token") -> "Token":
    """The last token of a number written in several ("2 million": "million"), whose parse says what it counts."""
    head = anchor
    while head.dep_ in ("compound", "quantmod", "nummod") and head.head.like_num and head.head != head:
        head = head.head
    return head


def counted_noun(anchor: "Token", kind: str) -> tuple["Token | None", bool]:
    """The noun the figure counts or measures, and whether it had to be inferred from the clause."""
    if kind in DATE_KINDS or kind == "time":
        return None, False
    head = number_head(anchor)
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
    if (own_clause := _relative_clause(tok)) is not None:
        return [own_clause]
    verb = next((t for t in [tok, *tok.ancestors] if t.pos_ in ("VERB", "AUX") and t.i not in own), None)
    if verb is None:
        return []
    verb = _fronted_to_root(tok, verb)
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


def _relative_clause(noun: "Token") -> "Token | None":
    """The counted thing's own clause when a preposition ties it to another's ("70 were unaccounted for among the
    4,300 passengers who were on board": the 4,300 were on board)."""
    if noun.pos_ not in ("NOUN", "PROPN") or noun.dep_ != "pobj":
        return None
    return next((c for c in noun.children if c.dep_ == "relcl" and c.pos_ in ("VERB", "AUX")), None)


def _fronted_to_root(tok: "Token", verb: "Token") -> "Token":
    """A phrase that opens the sentence ("On April 23, 2013, a building housing factories collapsed") tells when
    the main clause happened; the small model sometimes hangs it on a participle further on ("housing")."""
    root = tok.sent.root
    if verb == root or root.pos_ not in ("VERB", "AUX") or verb.dep_ not in ("csubj", "acl", "advcl"):
        return verb
    opener = next((t for t in [tok, *tok.ancestors] if t.head == verb), None)
    fronted = opener is not None and opener.dep_ == "prep" and opener.i == tok.sent.start and verb.i >= opener.i + 2
    return root if fronted and root.i > verb.i else verb


def _belongs(tok: "Token", anchors: set[int], verbs: list["Token"]) -> bool:
    """True when a phrase headed by tok attaches to this quantity's clause or to a clause around it."""
    for t in tok.ancestors:
        if t.i in anchors:
            return True
        if t.pos_ in ("VERB", "AUX"):
            if t.dep_ in ("relcl", "acl") and t.head.i in anchors:
                return True  # "migrants who have arrived this year": the counted thing's own clause
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


def dated_things(sent: "Span", own: set[int], anchors: set[int]) -> list[str]:
    """Periods that date a thing the figure is about rather than the figure ("the 2004 tsunami, which killed
    250,000", "the death toll from last year's disaster"); a date on some other noun of the sentence is not one."""
    out = []
    for ent in sent.ents:
        if ent.label_ != "DATE" or own & {t.i for t in ent}:
            continue
        root = ent.root
        if root.dep_ not in ("compound", "nmod", "amod", "poss", "nummod") or root.head.pos_ not in ("NOUN", "PROPN"):
            continue
        thing = root.head
        near = [thing, thing.head, thing.head.head]  # the noun itself, or one hop through "of/from/in"
        if any(t.i in anchors for t in near) or any(c.i in anchors for c in thing.children) \
                or any(t.dep_ == "relcl" and t.head == thing for t in sent.doc[min(anchors):max(anchors) + 1]):
            out.append(normalise_period(ent.text))
    return out


PROJECTION_AUX = {"could", "may", "might", "would", "should"}
PROJECTION_VERBS = {"expect", "fear", "predict", "project", "forecast", "warn", "anticipate"}
INCREMENT_WORDS = {"more", "new", "another", "additional", "further", "extra", "other"}
CHANGE_WORDS = {"raise", "revise", "increase", "rise", "climb", "jump", "up", "down", "lower", "cut", "reduce", "grow",
                "fall", "drop", "update", "correct", "adjust", "push", "boost", "change"}


def aged_thing(toks: list["Token"], first: int, last: int) -> tuple["Token | None", bool]:
    """Whose age a figure gives: the name before "Name, 21,", the noun an "18-year-old" describes, the subject of
    "is 5 years old", the person "aged 35"."""
    before = toks[first - 2] if first > 1 else None
    if first > 0 and toks[first - 1].text == "," and before is not None and before.pos_ == "PROPN":
        return before, False
    old = toks[last - 1]
    if old.lower_ in ("old", "-old") or old.lower_ in U.DECADES:
        if old.head.pos_ in ("NOUN", "PROPN") and old.head.i > old.i:
            return old.head, False  # "the seven-year-old Costa Concordia"
        verb = next((t for t in [old, *old.ancestors] if t.pos_ in ("VERB", "AUX")), None)
        while verb is not None and verb.dep_ == "xcomp" and not any(c.dep_.startswith("nsubj") for c in verb.children):
            verb = verb.head  # "who is thought to be in her late teens": the subject is the thinking's
        subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None) if verb else None
        if subject is not None and subject.pos_ == "PRON" and verb.dep_ == "relcl":
            subject = verb.head  # "The ship, which is 5 years old"
        if subject is not None:
            return subject, False
    if first > 0 and toks[first - 1].lower_ == "aged" and toks[first - 1].head.pos_ in ("NOUN", "PROPN"):
        return toks[first - 1].head, False
    return None, False


def age_phrase(thing: "Token | None") -> str:
    if thing is None:
        return "age of #"
    thing = _named(thing)
    words = [t.lower_ for t in tok_and_compounds(thing)]
    # "the" marks a common noun: "a 25-year-old worker" and "an 18-year-old worker" are not one person
    return "age of " + ("" if thing.pos_ == "PROPN" else "the ") + " ".join(words) + " #"


def _named(noun: "Token") -> "Token":
    """The name a common noun is given in its own phrase ("a garment worker called Reshma", "the ship, the
    Costa Concordia"), else the noun."""
    for child in noun.children:
        if child.dep_ == "appos" and child.pos_ == "PROPN":
            return child
        if child.dep_ == "acl" and child.lemma_.lower() in ("call", "name"):
            name = next((g for g in child.children if g.dep_ in ("oprd", "attr", "dobj") and g.pos_ == "PROPN"), None)
            if name is not None:
                return name
    return noun


def describes(noun: "Token | None", anchor: "Token", kind: str) -> bool:
    """True when the figure is written as a modifier of a thing: "a nine-storey building", "a 60-metre gash".

    Such a figure is a property of the thing, whatever the clause's verb tells happened to it."""
    if noun is None or noun.tag_ != "NN":
        return False
    if kind == "count":
        return noun.dep_ in ("compound", "amod", "nmod") and noun.head.pos_ in ("NOUN", "PROPN") \
            and noun.head.i > noun.i
    if kind != "measure" or noun.i < anchor.i:
        return False
    between = [t.text for t in noun.doc[anchor.i + 1:noun.i]]
    if "(" in between and ")" in between:  # "a 70-meter (230-foot) gash": the conversion is no word between
        between = between[:between.index("(")] + between[between.index(")") + 1:]
    return len(between) <= 1


def tok_and_compounds(tok: "Token") -> list["Token"]:
    return sorted([tok, *(c for c in tok.children if c.dep_ == "compound")], key=lambda t: t.i)


def parts(noun: "Token | None", last: "Token | None" = None) -> list[str]:
    """What narrows a count to a part of a whole: a nationality ("two French passengers", "14 German"), the
    thing a count's noun belongs to ("four-storey house" vs "eight-storey building": "head:house"), and "listed"
    for one item of an enumeration of counts ("three owners and two engineers")."""
    after = last.doc[last.i + 1] if last is not None and last.i + 1 < len(last.doc) else None
    if after is not None and after.ent_type_ == "NORP":
        return [f"part:{after.lower_}"]  # "14 German, five Italian"
    if noun is None:
        return []
    out = [f"part:{c.lower_}" for c in noun.children if c.ent_type_ == "NORP" and c.dep_ in ("amod", "compound")]
    if noun.ent_type_ == "NORP":
        out.append(f"part:{noun.lower_}")
    # "600,000 homeless huddled in open areas", "70,000 victims buried in mass graves": a part, placed
    placed = [c for c in noun.children if c.dep_ == "acl"] + ([noun] if noun.pos_ == "VERB" else [])
    out += [f"part:{c.lemma_.lower()}" for c in placed if c.tag_ in ("VBN", "VBG", "VBD")
            and any(g.dep_ == "prep" and g.lower_ in PLACING_PREPS for g in c.children)]
    if _misread_participle(noun):
        out.append(f"part:{noun.lower_}")  # "600,000 homeless huddled in open areas", parsed with "huddled" a noun
    if noun.dep_ in ("compound", "amod", "nmod") and noun.head.pos_ in ("NOUN", "PROPN"):
        out.append(f"head:{noun.head.lemma_.lower()}")
    return out + ["listed"] * _listed(noun)


def _listed(noun: "Token") -> bool:
    """A count that is one item of an enumeration of counts: "arrested three owners and two engineers"."""
    siblings = [c for c in noun.children if c.dep_ == "conj"] + ([noun.head] if noun.dep_ == "conj" else [])
    return any(s.pos_ in ("NOUN", "PROPN") and s.lemma_ != noun.lemma_ and any(c.dep_ == "nummod" for c in s.children)
               for s in siblings)


PLACING_PREPS = ("in", "at", "inside", "on", "under")


def _misread_participle(noun: "Token") -> bool:
    """A participle the tagger took for the counted noun: "-ed" after an adjective, a place phrase right after."""
    after = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    return (noun.pos_ == "NOUN" and noun.lower_.endswith("ed") and after is not None and after.lower_ in PLACING_PREPS
            and any(c.dep_ == "amod" and c.pos_ == "ADJ" and c.i == noun.i - 1 for c in noun.children))


EARLIER_ADVERBS = {"initially", "originally", "previously", "formerly"}


def mood(anchor: "Token", own: set[int]) -> str:
    """ "projection" for a figure a clause only expects ("could reach 200,000", "expected to top 150,000"),
    "increment" for one counted on top of others ("two more bodies", "five new cases"), "previous" for the value a
    change left behind ("raised the toll to 230,000 from 212,000", "up from 212,000") or a clause says was the
    earlier one ("initially estimated 150,000"), else ""."""
    doc = anchor.doc
    first, last = min(own), max(own)
    around = {doc[first - 1].lower_ if first > 0 else ""} | {
        doc[k].lower_ for k in range(last + 1, min(last + 3, len(doc)))}
    if around & INCREMENT_WORDS - {"other"}:
        return "increment"
    if first > 0 and doc[first - 1].lower_ == "from" and any(t.lemma_.lower() in CHANGE_WORDS
                                                             for t in list(anchor.ancestors)[:4]):
        return "previous"
    if sentence_end(anchor) == "?":
        return "projection"  # "200,000? 300,000?": a guess put as a question
    verb = _described_by(anchor) or next((t for t in [anchor, *anchor.ancestors] if t.pos_ in ("VERB", "AUX")), None)
    if verb is None:
        return ""
    if any(c.dep_ == "advmod" and c.lower_ in EARLIER_ADVERBS for c in verb.children):
        return "previous"  # "the government initially estimated 150,000 dead": a figure since replaced
    if _projection_aux(verb) or _expects(verb):
        return "projection"
    # "could rise to reach 200,000": the expecting is the governing verb's; of a clausal complement only a verb
    # of expecting counts ("fear the toll has topped"), not its "would" ("that would make it more than the
    # 200,000 killed in the tsunami": the figure is a past fact).
    head = verb.head if verb.dep_ in ("xcomp", "ccomp") else None
    if head is not None and (_expects(head) or verb.dep_ == "xcomp" and _projection_aux(head)):
        return "projection"
    return ""


def _described_by(anchor: "Token") -> "Token | None":
    """The verb of a clause on the counted noun ("the 150,000 people killed in the cyclone"): the figure's own."""
    if anchor.dep_ != "nummod":
        return None
    return next((c for c in anchor.head.children if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB"), None)


def _expects(verb: "Token") -> bool:
    return verb.lemma_.lower() in PROJECTION_VERBS


def _projection_aux(verb: "Token") -> bool:
    """ "could", "may", "would" ... as the verb's auxiliary."""
    return any(c.dep_ == "aux" and c.lower_ in PROJECTION_AUX for c in verb.children)


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
        if tok.pos_ != "PROPN" or tok.dep_ not in ("pobj", "conj") or tok.ent_type_ in ("DATE", "TIME") \
                or any(ch.isdigit() for ch in tok.text):  # "at 9.45pm" is a time, not a place
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
    while verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
        verb = verb.head  # "the high rise that housed five factories and collapsed on April 24": its subject
        tokens += [t for t in verb.subtree if t not in tokens]
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
    return year_of(tok.text) is not None

"""The one named thing of a kind an article tells of: in an article that calls its vessel "the luxury cruise ship
Costa Concordia", "the ship" is the Costa Concordia, so the age it gives "the ship" is that ship's age and meets
another outlet's "the seven-year-old Costa Concordia".

Only a thing named beside its kind's noun counts ("the cruise ship Costa Concordia", "the Rana Plaza building"),
and only one the article names more than any other thing of its kind (see `names_by_kind`); else "the ship" stays
unresolved, as before.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

from .measures import HEAD_CLASSES
from .quantities import Quantity

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# The nouns news calls one structure or one vessel by, as measures compares heads; not those that end a name
# themselves ("Rana Plaza", "Grenfell Tower block") or a word ("high-rise").
KINDS = {noun: kind for noun, kind in HEAD_CLASSES.items() if noun not in ("plaza", "block", "rise", "tower")}
_AGE_OF_THE = re.compile(r"^age of the (?:[a-z-]+ )*?([a-z]+) #$")


def names_by_kind(doc: Doc) -> dict[str, str]:
    """A kind's noun -> the name the article gives the thing it calls so, lower-cased ("ship" -> "costa concordia"):
    a name written beside that noun, and among all the names beside nouns of its kind named at least twice and at
    least twice as often as any other (a headline's "Cruise ship passengers" is not a second ship; "the ferry Sea
    Bird", named more often than "the cruise ship Ocean Star", does not make "the ship" the Sea Bird)."""
    per_kind: dict[str, Counter] = defaultdict(Counter)
    beside: dict[str, set[str]] = defaultdict(set)
    for tok in doc:
        noun = tok.lemma_.lower()
        name = _name_beside(tok) if noun in KINDS else ""
        if name:
            per_kind[KINDS[noun]][name] += 1
            beside[noun].add(name)
    chosen = {}
    for kind, names in per_kind.items():
        (name, count), *others = names.most_common()
        if count >= 2 and all(count >= 2 * n for _, n in others):
            chosen[kind] = name
    return {noun: chosen[KINDS[noun]] for noun, names in beside.items() if chosen.get(KINDS[noun]) in names}


def _name_beside(noun: Token) -> str:
    """The proper name written right after a kind's noun ("ship Costa Concordia") or right before it ("the Rana
    Plaza building"), else ""."""
    doc = noun.doc
    after = []
    for tok in doc[noun.i + 1 : noun.i + 5]:
        if not _part_of_name(tok):
            break
        after.append(tok.lower_)
    before = []
    for tok in reversed(doc[max(0, noun.i - 4) : noun.i]):
        if not _part_of_name(tok):
            break
        before.insert(0, tok.lower_)
    return " ".join(after or before)


def _part_of_name(tok: Token) -> bool:
    return tok.pos_ == "PROPN" and tok.ent_type_ not in ("DATE", "TIME")  # "found inside the ship Sunday"


def resolve_ages(found: list[Quantity], names: dict[str, str]) -> list[Quantity]:
    """The figures, with the age of "the ship" given as the age of the article's one named ship."""
    out = []
    for q in found:
        match = _AGE_OF_THE.match(q.measure) if q.kind == "age" else None
        name = names.get(match.group(1)) if match else None
        out.append(replace(q, measure=f"age of {name} #") if name else q)
    return out

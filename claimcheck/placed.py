"""Facts read by their structure rather than their phrase: the population of a named place ("Haiti, a nation
of 8 million") and the distance between two named places ("Savar, 25 km north-east of Dhaka").

Two such figures are one measure when their places are the same, however differently their clauses are worded
(measures._placed_fact).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .frames import number_head, tok_and_compounds

if TYPE_CHECKING:
    from spacy.tokens import Token

PLACE_NOUNS = {"city", "nation", "country", "capital", "town", "island", "state", "village", "region", "province"}
INHABITANTS = {"people", "inhabitant", "resident", "citizen", "population"}


def population_of(noun: "Token | None", anchor: "Token") -> str:
    """The named place a figure gives the population of ("Haiti, a nation of 8 million", "Haiti's 9 million
    people"), or "" when the figure is no population or its place has no name ("the capital of 3 million")."""
    head = number_head(anchor)
    place = None
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in PLACE_NOUNS:
        kind = head.head.head
        place = kind.head if kind.dep_ == "appos" and kind.head.pos_ == "PROPN" else None
    elif noun is not None and noun.lemma_.lower() in INHABITANTS:
        place = next((c for c in noun.children if c.dep_ == "poss" and c.ent_type_ in ("GPE", "LOC")), None)
    return " ".join(t.lower_ for t in tok_and_compounds(place)) if place is not None else ""


DIRECTIONS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"}
SETTLEMENT_WORDS = {"town", "city", "village", "district", "island"}


def distance_between(toks: list["Token"], first: int, last: int) -> tuple[str, str, str] | None:
    """(place, from place, direction) of a distance written "Savar, 25 km north-east of Dhaka", else None."""
    k = last
    if k < len(toks) and toks[k].text == "(":  # "30 kilometres (20 miles) south-west of Dhaka"
        k = next((n + 1 for n in range(k, min(k + 6, len(toks))) if toks[n].text == ")"), k)
    start = k
    while k < len(toks) and (toks[k].text == "-" or toks[k].lower_.replace("-", "") in DIRECTIONS):
        k += 1  # "north-east", "north - east", "southwest"
    direction = "".join(t.lower_ for t in toks[start:k]).replace("-", "")
    if k >= len(toks) or toks[k].lower_ not in ("of", "from"):
        return None
    far = _name_at(toks, k + 1, step=1)
    j = first - 1
    if j < 1 or toks[j].text != ",":
        return None
    j -= toks[j - 1].lower_ in SETTLEMENT_WORDS
    near = _name_at(toks, j - 1, step=-1)
    return (near, far, direction) if near and far else None


def _name_at(toks: list["Token"], k: int, step: int) -> str:
    """The proper name whose first (step 1) or last (step -1) token is at k, lower-cased ("port au prince")."""
    words = []
    while 0 <= k < len(toks) and (toks[k].pos_ == "PROPN" or toks[k].text == "-" and words):
        words.append(toks[k].lower_)
        k += step
    words = words if step > 0 else words[::-1]
    return " ".join(w for w in words if w != "-")

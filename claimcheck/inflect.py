"""English inflection for readable reasons: "person" -> "people", "close" -> "closed"."""
from __future__ import annotations

IRREGULAR_PLURALS = {"person": "people", "child": "children", "man": "men", "woman": "women", "fish": "fish",
                     "sheep": "sheep", "yen": "yen", "aircraft": "aircraft", "": "figures"}
IRREGULAR_PASTS = {"fall": "fell", "rise": "rose", "spend": "spent", "pay": "paid", "sell": "sold", "buy": "bought",
                   "win": "won", "lose": "lost", "grow": "grew", "make": "made", "take": "took", "give": "gave",
                   "leave": "left", "send": "sent", "bring": "brought", "hold": "held", "meet": "met", "run": "ran",
                   "cut": "cut", "set": "set", "put": "put", "hit": "hit", "cost": "cost", "find": "found",
                   "seek": "sought", "flee": "fled", "say": "said", "shut": "shut", "stop": "stopped",
                   "drop": "dropped", "begin": "began", "build": "built", "raise": "raised", "die": "died"}


def plural(noun: str) -> str:
    if noun in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[noun]
    if noun == "people" or noun.endswith("s"):
        return noun
    if noun.endswith(("sh", "ch", "x", "z")):
        return noun + "es"
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"


def past(verb: str) -> str:
    if verb in IRREGULAR_PASTS:
        return IRREGULAR_PASTS[verb]
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "d" if verb.endswith("e") else verb + "ed"

"""Names of people and bodies, their roles, and how a speaker string resolves in an article and across a corpus.

A table maps keys (a full name, a surname, a Titlecase office such as "home secretary", a body such as "home
office") to the set of canonical names seen with that key. A key seen with two names is ambiguous and resolves to
nothing, so tables learnt per article merge by plain union, in any order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from .spacy_utils import per_doc, sentence_of, text_of

HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "lord", "lady", "baroness", "dame"})
# Peerage titles are part of a name ("Baroness Anelay"); courtesy titles are not ("Mrs May" is "Theresa May").
COURTESY_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof"})
ROLE_WORDS = frozenset(
    "mp minister secretary spokesman spokeswoman spokesperson spokespeople chief executive executives mayor "
    "president chancellor director chairman chairwoman chair leader officer official officials boss bosses head "
    "commissioner ambassador councillor premier prime pm shadow home foreign cabinet deputy manager ceo "
    "representative source sources user".split()
)
# Words that qualify a role rather than head it ("Home Secretary", "Prime Minister", "Shadow minister").
ROLE_MODIFIERS = frozenset({"prime", "pm", "shadow", "home", "foreign", "cabinet", "deputy", "chief"})
ROLE_HEADS = ROLE_WORDS - ROLE_MODIFIERS
ROLE_KINDS = {
    "spokesperson": {"spokesman", "spokeswoman", "spokesperson", "spokespeople", "official", "representative",
                     "source"},
    "executive": {"executive", "chief", "boss", "director", "chairman", "chairwoman", "manager", "ceo"},
    "politician": {"mp", "minister", "secretary", "mayor", "president", "chancellor", "premier", "pm", "councillor",
                   "ambassador", "commissioner", "leader", "baroness", "lord"},
    "public": {"user", "motorist", "driver", "resident", "witness", "one", "another", "passenger"},
}
DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "one", "another"})
# Titles spaCy sometimes takes into a PERSON entity ("Chief Constable Sarah Jones", "Campaigner Jane Hill").
TITLE_WORDS = ROLE_WORDS | frozenset(
    "constable inspector superintendent sergeant commander general captain colonel judge bishop professor "
    "campaigner activist lawyer driver resident councillor mp".split()
)
FUNCTION_WORDS = frozenset({"for", "of", "and", "the", "&"})
NAME_LABELS = ("PERSON", "ORG")
GENDERED_TITLES = {"mr": "m", "sir": "m", "lord": "m", "mrs": "f", "ms": "f", "miss": "f", "lady": "f",
                   "baroness": "f", "dame": "f"}
# Words that never name a speaker: the parse took a pronoun, relative word or preposition for one.
NOT_SPEAKERS = frozenset("i we you it they this that who whom which what after before when while as the a an".split())
# A speaker still written as a pronoun could not be resolved to a name: it never conflicts with anyone.
PRONOUNS = frozenset({"he", "she", "they", "i", "we", "you", "it", "him", "her", "them"})
NAME_TITLES = HONORIFICS | TITLE_WORDS | frozenset(
    "rear adm admiral vice capt cmdr cmdr. gen lt col sgt rev st president minister spokeswoman spokesman".split())
HONORIFIC_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Baroness|Dame)\.? [A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?")


def words_of(text: str) -> list[str]:
    """Lower-case words, with curly apostrophes and possessive 's removed."""
    text = text.replace("’", "'").replace("'s ", " ").removesuffix("'s")
    return re.findall(r"[\w&]+", text.lower())


def normalise(text: str) -> str:
    """A lookup key: lower-case words without a leading determiner."""
    words = words_of(text)
    while words and words[0] in DETERMINERS:
        words = words[1:]
    return " ".join(words)


def _name_words(name: str) -> list[str]:
    return [w for w in words_of(name) if w not in NAME_TITLES and w not in DETERMINERS]


def _similar(x: str, y: str) -> bool:
    """The same name word, allowing a spelling or transliteration variant in longer names."""
    from difflib import SequenceMatcher

    return x == y or min(len(x), len(y)) >= 5 and SequenceMatcher(None, x, y).ratio() >= 0.75


def same_person(a: str, b: str) -> bool:
    """Whether two names can be one person: same surname ("Landry" = "Rear Adm. Mary Landry"), or the shorter
    name's words all in the longer ("Siddiqul Alam" = "Mohammed Siddiqul Alam Shikder"), with spelling variants."""
    words_a, words_b = _name_words(a), _name_words(b)
    if not words_a or not words_b:
        return False
    short, long_ = sorted((words_a, words_b), key=len)
    if len(short) == 1:
        return any(_similar(short[0], w) for w in long_)
    if _similar(short[-1], long_[-1]):
        return _similar(short[0][:1], long_[0][:1]) or len(long_) > len(short)
    return all(any(_similar(w, v) for v in long_) for w in short)


def display_name(text: str) -> str:
    """A name as printed: no leading determiner, no courtesy title, single spaces."""
    parts = text.replace("’s", "").replace("'s", "").split()
    while parts and parts[0].lower() in DETERMINERS:
        parts = parts[1:]
    if len(parts) > 2 and parts[0].lower().rstrip(".") in COURTESY_TITLES:
        parts = parts[1:]
    return " ".join(parts)


def split_role(phrase: str) -> str:
    """The role inside a phrase before a name: from its first role word on ("Dover and Deal MP" -> "MP")."""
    parts = phrase.split()
    for i, part in enumerate(parts):
        if normalise(part) in ROLE_WORDS:
            return " ".join(parts[i:])
    return ""


def role_kind(role: str) -> str:
    """The kind of a role (spokesperson, executive, politician, public), or "" when unknown."""
    for word in reversed(words_of(role)):
        for kind, members in ROLE_KINDS.items():
            if word in members or word.rstrip("s") in members:
                return kind
    return ""


def is_office(role: str) -> bool:
    """A Titlecase office of two or more words names one holder at a time ("Home Secretary")."""
    parts = role.split()
    content = [p for p in parts if p.lower() not in FUNCTION_WORDS]
    return len(parts) >= 2 and all(p[:1].isupper() for p in content)


@dataclass(frozen=True)
class Mention:
    """A person or body named in a Doc, with the role phrase written next to it."""

    start: int
    end: int
    name: str
    label: str
    role_phrase: str = ""


def find_mentions(doc) -> list[Mention]:
    """PERSON and ORG mentions, plus honorific names spaCy missed ("Baroness Anelay"), in text order.

    Computed once per doc: the alias table and the speaker resolver both read them.
    """
    return per_doc(doc, "mentions", lambda: _find_mentions(doc))


def _find_mentions(doc) -> list[Mention]:
    spans = [ent for ent in doc.ents if ent.label_ in NAME_LABELS]
    for match in HONORIFIC_NAME.finditer(text_of(doc)):
        span = doc.char_span(match.start(), match.end(), label="PERSON", alignment_mode="expand")
        if span is not None:
            spans = [s for s in spans if s.end_char <= span.start_char or s.start_char >= span.end_char] + [span]
    surnames = {ent.text.split()[-1] for ent in spans if ent.label_ == "PERSON" and len(ent.text.split()) > 1}
    mentions = []
    for span in sorted(spans, key=lambda s: s.start_char):
        while span.label_ == "PERSON" and len(span) > 2 and span[0].lower_ in TITLE_WORDS:
            span = span.doc[span.start + 1:span.end]
            span.label_ = "PERSON"
        name = span.text.strip()
        # spaCy tags towns as PERSON ("Calais"): a lone word is a person only when it is someone's surname.
        if span.label_ == "PERSON" and (len(name.split()) == 1 and name not in surnames or "\n" in name):
            continue
        label = "PERSON" if span.label_ == "PERSON" else "ORG"
        role = role_phrase_before(span) or role_phrase_in_apposition(span) if label == "PERSON" else ""
        mentions.append(Mention(span.start_char, span.end_char, display_name(name), label, role))
    return mentions


def role_phrase_before(span) -> str:
    """The compound title written before a name ("Home Secretary" in "Home Secretary Theresa May")."""
    doc, i = span.doc, span.start
    while i > 0 and (doc[i - 1].pos_ in ("PROPN", "NOUN", "ADJ") or doc[i - 1].text in FUNCTION_WORDS
                     or doc[i - 1].dep_ in ("poss", "case")) and "\n" not in doc[i - 1].whitespace_:
        i -= 1
    return role_phrase(doc[i:span.start].text)


def role_phrase(text: str) -> str:
    """A phrase kept whole (its organisation matters: "Eurotunnel's chief executive") if it holds a role."""
    return display_name(text) if split_role(text) else ""


def role_phrase_in_apposition(span) -> str:
    """The role given by an apposition: "the mayor of Calais, Natacha Bouchart" or "Natacha Bouchart, the mayor"."""
    doc = span.doc
    if span.start > 1 and doc[span.start - 1].text == ",":
        i = span.start - 1
        while i > sentence_of(span[0]).start and not doc[i - 1].is_punct and span.start - i < 10:
            i -= 1
        return role_phrase(doc[i:span.start - 1].text)
    if span.end + 1 < len(doc) and doc[span.end].text == "," and doc[span.end + 1].pos_ == "DET":
        i = span.end + 1
        while i < sentence_of(span[0]).end and not doc[i].is_punct and i - span.end < 10:
            i += 1
        return role_phrase(doc[span.end + 1:i].text)
    return ""


class AliasTable:
    """Aliases learnt across the corpus: "Home Secretary Theresa May" = "Mrs May" = "the Home Secretary"."""

    def __init__(self) -> None:
        self.keys: dict[str, set[str]] = {}
        self.roles: dict[str, set[str]] = {}

    def learn(self, doc) -> None:
        """Learn every full name, surname, body and office that the article's titles and appositions show."""
        for mention in find_mentions(doc):
            if mention.label == "ORG":
                self.learn_pairs([(mention.name, display_name(mention.name))])
            elif len(mention.name.split()) >= 2 and mention.name.split()[0].lower().rstrip(".") not in COURTESY_TITLES:
                self.add_person(mention.name, mention.role_phrase)

    def add_person(self, name: str, role_phrase: str = "") -> None:
        """Register a full name under its own key, its surname, and its office when the office is specific."""
        pairs = [(name, name), (name.split()[-1], name)]
        role = split_role(role_phrase)
        if role:
            self.roles.setdefault(name, set()).add(display_name(role_phrase))
        if is_office(role):
            pairs.append((role, name))
        self.learn_pairs(pairs)

    def learn_pairs(self, pairs: list[tuple[str, str]]) -> None:
        """Record that each alias may stand for its canonical name."""
        for alias, canonical in pairs:
            self.keys.setdefault(normalise(alias), set()).add(canonical)

    def merge(self, other: "AliasTable") -> None:
        """Add another table's aliases and roles (union: the order of merging does not matter)."""
        for key, names in other.keys.items():
            self.keys.setdefault(key, set()).update(names)
        for name, roles in other.roles.items():
            self.roles.setdefault(name, set()).update(roles)

    def copy(self) -> "AliasTable":
        table = AliasTable()
        table.keys = {key: set(names) for key, names in self.keys.items()}
        table.roles = {name: set(roles) for name, roles in self.roles.items()}
        return table

    def lookup(self, key: str) -> str | None:
        """The one canonical name for a normalised key, or None when unknown or ambiguous."""
        names = self.keys.get(key, set())
        return next(iter(names)) if len(names) == 1 else None

    def canonical(self, name: str) -> str:
        """Best canonical key for a speaker string: full name, then shorter tails, then the surname."""
        words = normalise(name).split()
        for i in range(len(words)):
            tail = words[i:]
            if len(tail) < 2 and i > 0 and words[i - 1] not in HONORIFICS:
                break  # a lone trailing word is a surname only after a title ("Mrs May", not "Theresa May's ... May")
            found = self.lookup(" ".join(tail))
            if found:
                return found
        return display_name(name)

    def roles_of(self, canonical: str) -> set[str]:
        """Role phrases seen with a canonical name ("Home Secretary")."""
        return self.roles.get(canonical, set())

    def to_json(self) -> str:
        """Serialise (sorted, so that equal tables give equal strings)."""
        as_lists = lambda d: {k: sorted(v) for k, v in sorted(d.items())}  # noqa: E731
        return json.dumps({"keys": as_lists(self.keys), "roles": as_lists(self.roles)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, s: str) -> "AliasTable":
        """Rebuild a table from to_json()."""
        data = json.loads(s)
        table = cls()
        table.keys = {k: set(v) for k, v in data.get("keys", {}).items()}
        table.roles = {k: set(v) for k, v in data.get("roles", {}).items()}
        return table


@dataclass(frozen=True)
class Speaker:
    """A resolved speaker: canonical name or role, the role, and whether a specific person or body is named."""

    canonical: str
    role: str
    named: bool
    person: bool = False  # a named person, not a body or a bare name of unknown kind


class Resolver:
    """In-article resolution of pronouns, titles and short names."""

    def __init__(self, doc, hidden: Callable[[int], bool]) -> None:
        self.table = AliasTable()
        self.table.learn(doc)
        # Names inside quotes or captions never speak and never stand behind a pronoun.
        self.mentions = [m for m in find_mentions(doc) if not hidden(m.start)]
        self.recent: list[tuple[int, Speaker]] = []  # resolved speakers so far, for "He added"
        self.genders = {self.table.canonical(m.name): GENDERED_TITLES[m.name.split()[0].lower().rstrip(".")]
                        for m in self.mentions if m.name.split()[0].lower().rstrip(".") in GENDERED_TITLES}

    def resolve(self, span, sentence_text: str, paragraph_orgs: list[str]) -> Speaker | None:
        """Canonical name, role and namedness for a speaker span."""
        text = span.text.strip()
        lowered = text.lower()
        if lowered in ("he", "she"):
            return self.antecedent(span.start_char, "f" if lowered == "she" else "m")
        if lowered in NOT_SPEAKERS:
            return None
        within = [m for m in self.mentions if span.start_char <= m.start < span.end_char]
        person = next((m for m in within if m.label == "PERSON"), None)
        if person:
            return self.person(person, split_role(text_of(span.doc)[span.start_char:person.start]))
        body = next((m for m in within if m.label == "ORG"), None)
        role_token = next((t for t in reversed(list(span)) if t.lemma_.lower() in ROLE_HEADS
                           and not (body and body.start <= t.idx < body.end)), None)
        if role_token is not None:
            return self.role_speaker(span, role_token, body, paragraph_orgs)
        if body:
            return Speaker(display_name(body.name), "", True)
        if span.root.pos_ == "PROPN":
            return Speaker(self.table.canonical(text), "", True)
        if "twitter" in sentence_text.lower() or "tweet" in sentence_text.lower():
            return Speaker("Twitter user", "Twitter user", False)
        return Speaker(display_name(text) or text, "", False)

    def role_speaker(self, span, role_token, body: Mention | None, paragraph_orgs: list[str]) -> Speaker:
        """A speaker given only as a role: a definite title resolves to its holder, else an unnamed role."""
        head = text_of(span.doc)[span.start_char:role_token.idx + len(role_token)].replace("’", "'")
        owner, _, titled = head.rpartition("'s ")  # "The PM's spokeswoman": the role belongs to the PM
        role = split_role(titled)
        if not owner and (span[0].lower_ == "the" or span[0].dep_ == "poss"):
            holder = self.holder_of(role, span.start_char)
            if holder:
                return Speaker(holder, role, True, True)
            if role[:1].isupper() and len(role.split()) >= 2:
                return Speaker(role, role, True)  # "the Home Secretary": the corpus alias table may know her
        org = display_name(body.name) if body else written_org(owner or titled[: len(titled) - len(role)])
        org = org or (paragraph_orgs[-1] if paragraph_orgs else "")
        lemma = role_token.lemma_.lower() if role_token.tag_ in ("NNS", "NNPS") else role.lower()
        return Speaker(f"{org} {lemma}".strip(), lemma, False)

    def person(self, mention: Mention, written_role: str = "") -> Speaker:
        """A named person: full name from the article, role as written at the cue, else as written elsewhere."""
        canonical = self.table.canonical(mention.name)
        known = sorted(self.table.roles_of(canonical))
        role = written_role or split_role(mention.role_phrase) or (split_role(known[0]) if known else "")
        return Speaker(canonical, role, True, True)

    def holder_of(self, role: str, before: int) -> str | None:
        """The person the article gives this title to, latest before the cue first ("The MP" -> Charlie Elphicke)."""
        wanted = set(words_of(role.replace("PM", "Prime Minister")))
        holders = [m for m in self.mentions if m.label == "PERSON" and wanted <= set(words_of(m.role_phrase))]
        holders.sort(key=lambda m: (m.start > before, -m.start if m.start < before else m.start))
        return self.table.canonical(holders[0].name) if holders else None

    def antecedent(self, pos: int, gender: str) -> Speaker | None:
        """The person last named, or the speaker last quoted, before a pronoun, skipping the other gender."""
        people = [(m.start, self.person(m)) for m in self.mentions if m.label == "PERSON" and m.start < pos]
        # A pronoun stands for a person or a role ("a spokesman"), not a body ("according to La Repubblica").
        candidates = [c for c in people + [r for r in self.recent if r[0] < pos and (r[1].person or not r[1].named)]
                      if self.genders.get(c[1].canonical, gender) == gender]
        return max(candidates, key=lambda c: c[0])[1] if candidates else None


def written_org(text: str) -> str:
    """The capitalised words before a role ("Port of Dover" in "Port of Dover officials"), if any."""
    words = [w for w in display_name(text).split() if w[:1].isupper() or w in ("of", "&")]
    return " ".join(words).strip(" of&").replace("PM", "Prime Minister")

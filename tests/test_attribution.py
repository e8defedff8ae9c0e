"""Tests for claimcheck.attribution: extraction on hand-written sentences and the seeds, aliases, comparison."""

import json
from pathlib import Path

import pytest

from claimcheck.segment import load_nlp
from claimcheck.attribution import (
    AliasTable, Attribution, compare_speakers, extract_attributions, speaker_for_span,
)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "data" / "attribution"


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()  # the production pipeline, with its line-break sentence boundaries


def credited(nlp, text: str, words: str) -> Attribution | None:
    """The attribution whose content holds `words`."""
    found = [a for a in extract_attributions(nlp(text)) if words in a.content]
    return found[0] if found else None


# ---------------------------------------------------------------- extraction patterns and traps

PATTERNS = [
    # (article text, words of the content, expected canonical speaker, named)
    ("Mayor Natacha Bouchart said the UK should be doing more to help.", "UK should be doing more",
     "Natacha Bouchart", True),
    ("“We will not give up,” said Chief Constable Sarah Jones.", "We will not give up", "Sarah Jones", True),
    ("Labour MP John Smith said: “The port is a disgrace.”", "port is a disgrace", "John Smith", True),
    ("“The port is a disgrace,” John Smith said.", "port is a disgrace", "John Smith", True),
    ("Shipping minister Anna Clark told reporters that the ferries would sail again on Friday.",
     "ferries would sail again", "Anna Clark", True),
    ("Union leader Mick Brown warned the strike would spread to other ports.", "strike would spread",
     "Mick Brown", True),
    ("Council leader Paul Carter added: “We have run out of space.”", "run out of space", "Paul Carter", True),
    ("One fed up executive admitted yesterday: “We are under siege.”", "under siege", "executive", False),
    ("Campaigner Jane Hill claimed the camp was unsafe.", "camp was unsafe", "Jane Hill", True),
    ("According to the Home Office there have been 39,000 attempts to cross the Channel.", "39,000 attempts",
     "Home Office", True),
    ("There have been 39,000 attempts to cross the Channel, according to Eurotunnel.", "39,000 attempts",
     "Eurotunnel", True),
    ("Port officials met on Monday.\nTheresa May: “We will not be intimidated.”\n", "not be intimidated",
     "Theresa May", True),
    ("A spokesman for Eurotunnel said: “This is an issue for the Government.”", "issue for the Government",
     "Eurotunnel spokesman", False),
    ("The Home Office said 27 migrants were detained.", "27 migrants were detained", "Home Office", True),
    # Pronouns go to the person last named; following sentences and paragraphs of an open quote inherit.
    ("Dover MP Charlie Elphicke visited the port.\nHe said: “I am very concerned by it.\n"
     "“The Calais authorities want to create a magnet.”\n", "create a magnet", "Charlie Elphicke", True),
    ("Dover MP Charlie Elphicke visited the port. “The town is full,” he said. “We need help now.”",
     "We need help now", "Charlie Elphicke", True),
    ("Home Secretary Theresa May flew to Paris.\nMrs May said: “We had a constructive meeting.”\n",
     "constructive meeting", "Theresa May", True),
    ("Home Secretary Theresa May met French president Francois Hollande.\nMr Hollande smiled.\n"
     "She said: “We agreed on a plan.”\n", "agreed on a plan", "Theresa May", True),
    ("Dover MP Charlie Elphicke spoke out.\nThe MP warned the move would attract more migrants.",
     "attract more migrants", "Charlie Elphicke", True),
    # Traps: an addressee is not the speaker; a name inside a quote is not its speaker.
    ("On Twitter, one wrote: “This is a disgrace.”\nAnother tweeted Conservative Dover MP Charlie Elphicke, "
     "saying: “For the record, the people of Dover are now stranded.”", "people of Dover are now stranded",
     "Twitter user", False),
    ("Lorry driver Tom Price said: “Charlie Elphicke said he would help us, but nothing happened.”",
     "nothing happened", "Tom Price", True),
    ("The PM’s spokeswoman said Mr Cameron welcomed the co-operation of the French authorities.",
     "welcomed the co-operation", "Prime Minister spokeswoman", False),
]


@pytest.mark.parametrize("text, words, canonical, named", PATTERNS)
def test_extraction_patterns(nlp, text, words, canonical, named):
    attribution = credited(nlp, text, words)
    assert attribution is not None, f"no attribution for {words!r}"
    assert (attribution.canonical, attribution.named) == (canonical, named)
    assert text[attribution.speaker_start:attribution.speaker_end] == attribution.speaker
    assert text[attribution.content_start:attribution.content_end] == attribution.content


def test_roles_and_speaker_as_written(nlp):
    text = "Dover and Deal MP Charlie Elphicke said the Mayor of Calais has lost control."
    attribution = credited(nlp, text, "lost control")
    assert attribution.speaker == "Dover and Deal MP Charlie Elphicke"
    assert (attribution.role, attribution.cue) == ("MP", "said")


def test_headline_and_caption_are_not_speakers(nlp):
    text = ("May says Calais crisis is under control\n"
            "Migrants run across the A16 as Home Office confirm 27 migrants were detained\n"
            "Migrants waited by the road.")
    assert extract_attributions(nlp(text)) == []


def test_quote_with_no_cue_and_scare_quotes_are_unattributed(nlp):
    text = "The ‘upgrade’ to the camp was approved. P&O began a “limited” service."
    assert extract_attributions(nlp(text)) == []


def test_passive_tell_is_not_speech(nlp):
    assert extract_attributions(nlp("Motorists were told to avoid the area.")) == []


def test_attribution_round_trips_through_dict():
    attribution = Attribution("He", 0, 2, "Charlie Elphicke", "MP", "said", "I am concerned", 10, 24)
    assert Attribution.from_dict(json.loads(json.dumps(attribution.to_dict()))) == attribution


def test_speaker_for_span_picks_the_covering_attribution():
    a = Attribution("He", 0, 2, "Charlie Elphicke", "MP", "said", "x" * 40, 10, 50)
    b = Attribution("she", 60, 63, "Natacha Bouchart", "mayor", "said", "y" * 30, 70, 100)
    assert speaker_for_span(0, 52, [a, b]) == a
    assert speaker_for_span(60, 101, [a, b]) == b
    assert speaker_for_span(200, 260, [a, b]) is None
    assert speaker_for_span(0, 300, [a, b]) is None  # covers too little of the sentence


# ---------------------------------------------------------------- aliases

def test_aliases_learnt_from_titles(nlp):
    table = AliasTable()
    table.learn(nlp("Home Secretary Theresa May is due to hold talks in Paris. Ms May will meet her counterpart."))
    key = table.canonical("Home Secretary Theresa May")
    assert key == "Theresa May"
    for alias in ("Theresa May", "Mrs May", "Ms May", "the Home Secretary", "May"):
        assert table.canonical(alias) == key, alias
    assert "Home Secretary" in table.roles_of(key)


def test_aliases_learnt_from_apposition(nlp):
    table = AliasTable()
    table.learn(nlp("The mayor of Calais, Natacha Bouchart, visited Parliament."))
    assert table.canonical("Ms Bouchart") == "Natacha Bouchart"
    assert any("mayor" in role for role in table.roles_of("Natacha Bouchart"))


def test_alias_tables_merge_and_round_trip(nlp):
    first, second = AliasTable(), AliasTable()
    first.learn(nlp("Home Secretary Theresa May flew to Paris."))
    second.learn(nlp("Musician Brian May played a concert."))
    first.merge(second)
    restored = AliasTable.from_json(first.to_json())
    assert restored.to_json() == first.to_json()
    assert restored.canonical("the Home Secretary") == "Theresa May"
    assert restored.canonical("Mrs May") == "Mrs May"  # two Mays known: the surname alone is ambiguous
    restored.learn_pairs([("Mrs May", "Theresa May")])
    assert restored.canonical("Mrs May") == "Theresa May"


def test_unknown_names_are_cleaned_not_invented():
    assert AliasTable().canonical("the Home Office") == "Home Office"


# ---------------------------------------------------------------- comparison (model-free)

PEOPLE = {"Theresa May", "Jacques Gounon", "Mrs May", "Richard Burnett", "Helen Deeble"}


def att(speaker: str, canonical: str, content: str, role: str = "", named: bool = True) -> Attribution:
    return Attribution(speaker, 0, len(speaker), canonical, role, "said", content, 0, len(content), named,
                       person=canonical in PEOPLE)


def quoted(a: Attribution | None) -> str:
    """The sentence as an outlet prints it: the attributed words in quotation marks."""
    return f"“{a.content}”" if a else ""


ALIASES = AliasTable()
ALIASES.add_person("Theresa May", "Home Secretary")
ALIASES.add_person("Jacques Gounon", "Eurotunnel's chief executive")
ALIASES.learn_pairs([("Home Office", "Home Office"), ("Eurotunnel", "Eurotunnel")])
NIGHTLY = "It is an almost nightly occurrence"
SIEGE = "One executive admitted: “We are under siege.”"

COMPARISONS = [
    # (a, b, verdict or None)
    (att("One fed up executive", "Eurotunnel executive", "We are under siege.", "executive", False),
     att("Home Secretary Theresa May", "Theresa May", "We are under siege.", "Home Secretary"), "conflict"),
    (att("the Home Office", "Home Office", "there have been 39,000 attempts to cross the Channel by migrants"),
     att("Eurotunnel", "Eurotunnel", "there have been 39,000 attempts to cross the Channel by migrants"), "conflict"),
    (att("Mrs May", "Mrs May", "We've had a very constructive meeting."),
     att("Home Secretary Theresa May", "Theresa May", "We’ve had a very constructive meeting."), "agree"),
    (att("the Home Secretary", "Home Secretary", "We have had a very constructive meeting", "Home Secretary"),
     att("Theresa May", "Theresa May", "We've had a very constructive meeting with the French."), "agree"),
    (att("an executive", "executive", "It is an almost nightly occurrence", "executive", False),
     att("Eurotunnel's chief executive Jacques Gounon", "Jacques Gounon", "It is an almost nightly occurrence"),
     "agree"),
    (att("a spokesman for Eurotunnel", "Eurotunnel spokesman", NIGHTLY, "spokesman", False),
     att("Jacques Gounon", "Jacques Gounon", "It is an almost nightly occurrence here"), "agree"),
    (att("a spokesman for Eurotunnel", "Eurotunnel spokesman", NIGHTLY, "spokesman", False),
     att("Theresa May", "Theresa May", "It is an almost nightly occurrence", "Home Secretary"), "conflict"),
    (att("a spokesman", "spokesman", "We need them to stop the migrant flow", "spokesman", False),
     att("one", "Twitter user", "We need them to stop the migrant flow", "Twitter user", False), "conflict"),
    (att("Theresa May", "Theresa May", "We are under siege."),
     att("Theresa May", "Theresa May", "Britain will spend £7m on fences at the terminal."), None),
    (att("Theresa May", "Theresa May", "We are under siege."), None, None),
]


@pytest.mark.parametrize("a, b, verdict", COMPARISONS)
def test_compare_speakers(a, b, verdict):
    result = compare_speakers(quoted(a), a, quoted(b), b, ALIASES)
    assert (result.verdict if result else None) == verdict
    if result:
        assert (result.speaker_a, result.speaker_b) == (a.speaker, b.speaker)
        assert result.shared_words and 0 < result.confidence <= 1 and result.reason


def test_conflict_reason_names_both_speakers():
    a = att("One fed up executive", "Eurotunnel executive", "We are under siege.", "executive", False)
    b = att("Home Secretary Theresa May", "Theresa May", "We are under siege.", "Home Secretary")
    result = compare_speakers(SIEGE, a, "May said: “We are under siege.”", b, ALIASES)
    assert result.reason == ("same quote ('we are under siege') credited to an unnamed Eurotunnel executive "
                             "vs Theresa May")
    assert result.shared_words == ("we", "are", "under", "siege")
    assert (result.canonical_a, result.canonical_b) == ("Eurotunnel executive", "Theresa May")


def test_lightly_reworded_quote_is_the_same_quote():
    a = att("Mr Burnett", "Richard Burnett", "The only word to describe what is happening there is absolute mayhem.")
    b = att("Ms Deeble", "Helen Deeble", "the only word to describe what's happening is absolute mayhem")
    assert compare_speakers(quoted(a), a, quoted(b), b, ALIASES).verdict == "conflict"


# ---------------------------------------------------------------- the seeds

SEED_QUOTES = [
    # (seed file prefix, distinctive words of the content, canonical speaker)
    ("000", "the Mayor of Calais has lost control of the town", "Charlie Elphicke"),
    ("000", "only serve to attract even more migrants", "Charlie Elphicke"),
    ("000", "I am very concerned by it", "Charlie Elphicke"),
    ("000", "Calais authorities want to create a magnet", "Charlie Elphicke"),
    ("000", "safety and security of travellers", "Charlie Elphicke"),
    ("000", "not enough was being done to return migrants", "Charlie Elphicke"),
    ("000", "France needs to consider its future in Schengen", "Charlie Elphicke"),
    ("000", "the UK should be doing more to help", "Natacha Bouchart"),
    ("000", "improvements to the camp would not act as a magnet", "Natacha Bouchart"),
    ("001", "running a dangerous nightly gauntlet", "Eurotunnel boss"),
    ("001", "in danger of spiralling out of control", "Eurotunnel boss"),
    ("001", "We are under siege", "Eurotunnel executive"),
    ("001", "totally unacceptable", "David Cameron"),
    ("001", "no point either side trying to point the finger", "David Cameron"),
    ("001", "We've had a very constructive meeting", "Theresa May"),
    ("001", "39,000 attempts", "Home Office"),
    ("001", "keen to stop the problem at source", "Government"),
    ("001", "This is an issue that is a really for the Government", "Eurotunnel spokesman"),
    ("001", "some damage to our fences", "Eurotunnel spokesman"),
    ("001", "It is an almost nightly occurrence", "Eurotunnel spokesman"),
    ("002", "they had no idea when the industrial action", "Port of Dover official"),
    ("002", "absolute mayhem”", "Richard Burnett"),
    ("002", "The time for talking around the table has passed", "Richard Burnett"),
    ("002", "must acknowledge their responsibilities", "Richard Burnett"),
    ("002", "get this desperate mess sorted out", "Richard Burnett"),
    ("002", "The only word to describe what is happening", "Richard Burnett"),
    ("002", "this damaging and dangerous industrial action", "Helen Deeble"),
    ("002", "its staff provided 2,000 bottles of water", "Kent County Council"),
    ("002", "This Operation Stack is a disgrace", "Twitter user"),
    ("002", "the people of Dover are now stranded", "Twitter user"),
    ("002", "Mr Cameron welcomed the co-operation", "Prime Minister spokeswoman"),
    ("002", "he was determined to resolve the situation", "Francois Hollande"),
    ("003", "We are going after the criminal gangs", "Chris Philp"),
    ("003", "prevented more than 1000 people", "Chris Philp"),
    ("003", "doubling police patrols on their beaches", "Chris Philp"),
    ("003", "Our asylum system is broken", "Chris Philp"),
    ("003", "will bring forward legislation", "Chris Philp"),
    ("004", "France needs to “step up its game”", "David Hanson"),
    ("004", "There is far more the French authorities should be doing", "David Hanson"),
    ("004", "No one I met in Calais could explain", "David Hanson"),
    ("004", "75 would-be migrants were removed", "David Hanson"),
    ("004", "the refusal would lead to people from Africa drowning", "Refugee organisations"),
    ("004", "the greatest refugee crisis since the Second World War", "Maurice Wren"),
    ("004", "special patrols would encourage more migrants", "Baroness Anelay"),
]


@pytest.fixture(scope="module")
def seed_attributions(nlp):
    return {path.name[:3]: extract_attributions(nlp(path.read_text())) for path in sorted(SEEDS.glob("*.txt"))}


@pytest.mark.parametrize("seed, words, canonical", SEED_QUOTES)
def test_seed_quotes(seed_attributions, seed, words, canonical):
    found = [a.canonical for a in seed_attributions[seed] if words in a.content]
    assert found == [canonical]


def test_seed_traps(seed_attributions):
    everyone = {a.canonical for atts in seed_attributions.values() for a in atts}
    assert "Richard Burnett" not in {a.canonical for a in seed_attributions["002"] if "stranded" in a.content}
    assert "Charlie Elphicke" not in {a.canonical for a in seed_attributions["002"]}  # the addressee of a tweet
    assert "David Cameron" not in {a.canonical for a in seed_attributions["002"]}  # reported by his spokeswoman
    assert not any(a.content.startswith("27 migrants") for a in seed_attributions["003"])  # a caption
    assert "Calais" not in everyone and "" not in everyone


def test_every_seed_quote_is_attributed(seed_attributions):
    """Every quote of ten words or more in the seeds belongs to some attribution."""
    for seed, atts in seed_attributions.items():
        text = next(SEEDS.glob(f"{seed}_*.txt")).read_text()
        for line in text.splitlines():
            for piece in line.replace("”", "“").replace('"', "“").split("“")[1::2]:
                if len(piece.split()) >= 10:
                    assert any(piece.strip(" ,.")[:40] in a.content for a in atts), (seed, piece)


# ---------------------------------------------------------------- the hand-made articles

def test_fixture_expectations(nlp):
    corpus, aliases = {}, AliasTable()
    for path in FIXTURES.glob("*.txt"):
        doc = nlp(path.read_text())
        article_table = AliasTable()
        article_table.learn(doc)
        aliases.merge(article_table)  # as the pipeline does: learn per article, merge for the corpus
        corpus[path.name] = (doc.text, extract_attributions(doc))
    for case in json.loads((FIXTURES / "expected.json").read_text()):
        sides = []
        for side in ("a", "b"):
            text, atts = corpus[case[f"file_{side}"]]
            start = text.index(case[f"sentence_{side}"])
            attribution = speaker_for_span(start, start + len(case[f"sentence_{side}"]), atts)
            assert attribution is not None and attribution.speaker == case[f"speaker_{side}"], case
            sides.append(attribution)
        result = compare_speakers(case["sentence_a"], sides[0], case["sentence_b"], sides[1], aliases)
        assert result is not None and result.verdict == case["verdict"], (case, result)


# ---------------------------------------------------------------- real-news shapes (written for the tests)

REAL_SHAPES = [
    # a common phrase is not a shared quote: mostly a place name
    ("“The spill is spreading in the Gulf of Mexico,” Smith said.", att("Smith", "Ann Smith", "x", "", True),
     "Oil kept leaking in the Gulf of Mexico, Jones said.", att("Jones", "Bob Jones", "x", "", True), None),
    # surname and title variants are one person
    ("“We will not stop until the leak is sealed,” Landry said.", att("Landry", "Landry", "x"),
     "“We will not stop until the leak is sealed,” said Rear Adm. Mary Landry.",
     att("Rear Adm. Mary Landry", "Mary Landry", "x"), "agree"),
    # a person and the body they speak for are compatible
    ("“The draft contained internal inconsistencies with its findings,” the agency said.",
     att("the agency", "Port Authority", "x"),
     "Capt. Gregorio Falco said the draft “contained internal inconsistencies with its findings”.",
     att("Capt. Gregorio Falco", "Gregorio Falco", "x"), "agree"),
    # two named people credited with one quote
    ("“The first draft contained internal inconsistencies with its own findings,” Shah said.",
     att("Shah", "Preeti Shah", "x"),
     "Mark Toner said the draft “contained internal inconsistencies with its own findings”.",
     att("Mark Toner", "Mark Toner", "x"), "conflict"),
    # an unresolved pronoun never conflicts
    ("“I was trying to get people onto the boats in an orderly fashion,” he said.", att("he", "he", "x"),
     "“I was trying to get people onto the boats in an orderly fashion,” Schettino said.",
     att("Schettino", "Francesco Schettino", "x"), None),
]


@pytest.mark.parametrize("text_a, a, text_b, b, verdict", REAL_SHAPES)
def test_speakers_on_real_news_shapes(text_a, a, text_b, b, verdict):
    a = Attribution(**{**a.to_dict(), "content": text_a, "content_end": len(text_a),
                       "person": a.canonical not in ("Port Authority", "he")})
    b = Attribution(**{**b.to_dict(), "content": text_b, "content_end": len(text_b), "person": True})
    result = compare_speakers(text_a, a, text_b, b, AliasTable())
    assert (result.verdict if result else None) == verdict


def test_according_to_an_agency_a_named_speaker_said_credits_the_speaker(nlp):
    text = ('According to the Agence France-Presse, State Department representative Mark Toner said the draft report '
            '"contained internal inconsistencies with its own findings".')
    found = credited(nlp, text, "internal inconsistencies")
    assert found is not None and found.canonical == "Mark Toner"


def test_the_corpus_alias_table_extends_the_last_one_made_and_starts_again_when_an_article_went(monkeypatch):
    from claimcheck import corpus_checks, store

    def table(*pairs):
        made = AliasTable()
        made.learn_pairs(list(pairs))
        return made.to_json()

    may, bouchart, gounon = (table(("May", "Theresa May")), table(("Bouchart", "Natacha Bouchart")),
                             table(("Gounon", "Jacques Gounon")))
    corpus = [may, bouchart]
    monkeypatch.setattr(store, "all_aliases", lambda db: list(corpus))
    monkeypatch.setattr(corpus_checks, "_last_union", (frozenset(), AliasTable()))
    first = corpus_checks.corpus_aliases(None)
    first.learn_pairs([("Deeble", "Helen Deeble")])  # the caller's copy: the kept table is not changed
    corpus.append(gounon)
    grown = corpus_checks.corpus_aliases(None)
    assert {grown.lookup(key) for key in ("may", "bouchart", "gounon", "deeble")} == {
        "Theresa May", "Natacha Bouchart", "Jacques Gounon", None}
    corpus.remove(bouchart)
    shrunk = corpus_checks.corpus_aliases(None)
    assert shrunk.lookup("bouchart") is None and shrunk.lookup("gounon") == "Jacques Gounon"
    whole = AliasTable()
    for raw in corpus:
        whole.merge(AliasTable.from_json(raw))
    assert shrunk.to_json() == whole.to_json()

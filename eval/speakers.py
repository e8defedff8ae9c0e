"""PolNeAR (dev): does claimcheck find who said what, for attributions with a speech or reporting cue?

Gold: the dev split's relations with a Source span whose cue contains a speech/reporting verb (SPEECH_CUES, by
lemma or word form). Two dev articles were annotated by six annotators each; we keep one annotation (the
alphabetically first annotator) so those articles do not count six times.
Matching: a predicted attribution matches a gold relation when their content spans overlap (characters); each
gold and each prediction is used at most once (largest overlap first). The matched speaker is then scored
  - exact: same character span after trimming whitespace/punctuation (and a possessive 's) at both ends;
  - head: the gold source's head word (the parse's head of the span if a noun/proper noun/pronoun, else its
    last word) appears among the words of the
    predicted speaker as written or of its canonical name ("he" -> "Donald Trump" counts if gold says "Trump").
Predictions whose content overlaps only gold relations we excluded (non-speech cues, no source) are ignored;
predictions overlapping no gold relation at all count as false positives (PolNeAR annotates every attribution).
"""

from __future__ import annotations

import random
import sys
from collections import Counter, defaultdict

from claimcheck import attribution, segment
from tqdm import tqdm

from .common import Context, log, pct, prf, table, timed
from .data import load_polnear_relations, read_polnear_text

# Cue lemmas (or word forms, for "according") that make a relation "speech or reporting".
SPEECH_CUES = frozenset(
    "say tell add according accord claim warn announce report state write argue insist explain note ask suggest "
    "deny admit confirm".split()
)
QUICK_ARTICLES = 20
TRIM = " \t\r\n.,;:!?\"'“”‘’()[]—–-"
PRONOUNS = frozenset("he she they it we i you him her them his their".split())


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without surrounding whitespace/punctuation or a trailing possessive."""
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    for suffix in ("'s", "’s"):
        if text[start:end].endswith(suffix):
            end -= len(suffix)
    return start, end


def overlap(spans_a: list[tuple[int, int]], spans_b: list[tuple[int, int]]) -> int:
    """Characters shared by two sets of spans."""
    return sum(max(0, min(a1, b1) - max(a0, b0)) for a0, a1 in spans_a for b0, b1 in spans_b)


def cue_is_speech(doc, cue_spans: list[list[int]]) -> bool:
    """Whether any token of the cue has a speech/reporting lemma (or is "according")."""
    for start, end in cue_spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and any(t.lemma_.lower() in SPEECH_CUES or t.lower_ in SPEECH_CUES for t in span):
            return True
    return False


def head_word(doc, start: int, end: int) -> str | None:
    """The gold source's head word, lower-cased: the parse's head of the span when it is a (proper) noun or
    pronoun ("Kenneth Baer, a former official who runs Crosscut Strategies" -> "baer"), else its last word."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    if span.root.pos_ in ("PROPN", "NOUN", "PRON") and span.root.is_alpha:
        return span.root.lower_
    words = [t for t in span if t.is_alpha]
    return words[-1].lower_ if words else None


def words_of(text: str) -> set[str]:
    return {w.strip(TRIM).lower() for w in text.split()} - {""}


def choose_annotation(relations: list[dict]) -> dict[str, list[dict]]:
    """Relations per article, keeping one annotator per article (the alphabetically first)."""
    by_article: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for rel in relations:
        by_article[rel["article"]][rel["annotator"]].append(rel)
    return {article: annotators[min(annotators)] for article, annotators in by_article.items()}


def evaluate_polnear(ctx: Context) -> str:
    relations = choose_annotation(load_polnear_relations(ctx.data, "dev"))
    articles = sorted(relations)
    n_all = len(articles)
    if ctx.quick:
        articles = sorted(random.Random(ctx.seed).sample(articles, QUICK_ARTICLES))
    log(f"PolNeAR: {len(articles)} dev articles")
    nlp = segment.load_nlp()
    texts = [read_polnear_text(ctx.data, "dev", article) for article in articles]

    stats: Counter[str] = Counter()
    cue_recall: dict[str, Counter[str]] = defaultdict(Counter)
    errors: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    offset_mismatches = 0
    with timed(ctx, "PolNeAR parse + extract"):
        docs = nlp.pipe(texts, batch_size=4)
        for article, text, doc in tqdm(zip(articles, texts, docs), total=len(articles), desc="PolNeAR",
                                       file=sys.stderr, leave=False):
            predicted = attribution.extract_attributions(doc)
            gold_all = relations[article]
            for rel in gold_all:  # offsets must hold against the raw text, else every figure is meaningless
                offset_mismatches += any(text[s:e] != rel["source"] for s, e in rel.get("source_spans") or []
                                         if len(rel["source_spans"]) == 1)
            gold = [rel for rel in gold_all if rel.get("source_spans") and rel.get("content_spans")
                    and cue_is_speech(doc, rel["cue_spans"])]
            excluded = [rel for rel in gold_all if rel not in gold and rel.get("content_spans")]
            score_article(doc, text, gold, excluded, predicted, stats, cue_recall, errors, examples)

    gold_n, pred_n = stats["gold"], stats["predicted_scored"]
    out = ["## Attribution: who said it (PolNeAR dev)", "",
           f"Data: {'random sample of ' if ctx.quick else 'all '}{len(articles)} of {n_all} dev articles"
           f"{f' (seed {ctx.seed})' if ctx.quick else ''}; one annotator per article. Gold = {gold_n} relations with "
           f"a source and a speech/reporting cue (of {stats['gold_all']} annotated relations). claimcheck predicted "
           f"{stats['predicted_all']} attributions: {stats['predicted_ignored']} overlap only excluded (non-speech) "
           f"relations and are ignored; {pred_n} are scored. Source offsets checked against the raw text: "
           f"{offset_mismatches} mismatches. Predictions with empty content: {stats['empty_content']}.", ""]
    rows = []
    for name, tp in (("content found (any speaker)", stats["matched"]), ("speaker head word", stats["head"]),
                     ("speaker exact span", stats["exact"])):
        p, r, f = prf(tp, pred_n, gold_n)
        rows.append([name, tp, pct(p), pct(r), pct(f)])
    out.append(table(["match", "TP", "P %", "R %", "F1 %"], rows))
    out.append("")
    out.append("Recall by gold cue lemma (content found / head word right), most frequent cues:")
    out.append("")
    cue_rows = [[cue, c["gold"], pct(c["matched"] / c["gold"]), pct(c["head"] / c["gold"])]
                for cue, c in sorted(cue_recall.items(), key=lambda kv: -kv[1]["gold"])[:10]]
    out.append(table(["cue lemma", "gold", "content found %", "head right %"], cue_rows))
    out.append("")
    out.append("Error types (each gold or prediction counted once):")
    out.append("")
    out.append(table(["error", "count"], errors.most_common()))
    out.append("")
    for kind, lines in sorted(examples.items()):
        out.append(f"<details><summary>Examples: {kind} ({len(lines)} shown)</summary>\n")
        out += [f"- {line}" for line in lines]
        out.append("\n</details>")
    return "\n".join(out)


def score_article(doc, text: str, gold: list[dict], excluded: list[dict], predicted: list, stats: Counter,
                  cue_recall: dict, errors: Counter, examples: dict) -> None:
    """Match one article's predictions to gold and add to the running counts."""
    pred_spans = [[(p.content_start, p.content_end)] for p in predicted]
    gold_spans = [[tuple(s) for s in rel["content_spans"]] for rel in gold]
    candidates = sorted(((overlap(gs, ps), g, p) for g, gs in enumerate(gold_spans)
                         for p, ps in enumerate(pred_spans) if overlap(gs, ps) > 0), reverse=True)
    gold_to_pred: dict[int, int] = {}
    used: set[int] = set()
    for _, g, p in candidates:
        if g not in gold_to_pred and p not in used:
            gold_to_pred[g] = p
            used.add(p)
    excluded_spans = [[tuple(s) for s in rel["content_spans"]] for rel in excluded]
    ignored = {p for p, ps in enumerate(pred_spans) if p not in used and any(overlap(es, ps) for es in excluded_spans)}
    stats["gold_all"] += len(gold) + len(excluded)
    stats["gold"] += len(gold)
    stats["predicted_all"] += len(predicted)
    stats["predicted_ignored"] += len(ignored)
    stats["predicted_scored"] += len(predicted) - len(ignored)
    stats["empty_content"] += sum(not p.content.strip() for p in predicted)

    for g, rel in enumerate(gold):
        cue = cue_lemma(doc, rel["cue_spans"])
        cue_recall[cue]["gold"] += 1
        (s0, s1), = [tuple(s) for s in rel["source_spans"][:1]]
        gold_source = trimmed_span(text, s0, s1)
        if g not in gold_to_pred:
            errors[f"missed ({'pronoun' if rel['source'].lower() in PRONOUNS else 'named/other'} source)"] += 1
            add_example(examples, "missed", f"[{rel['cue']}] {rel['source']!r}")
            continue
        pred = predicted[gold_to_pred[g]]
        stats["matched"] += 1
        cue_recall[cue]["matched"] += 1
        pred_span = trimmed_span(text, pred.speaker_start, pred.speaker_end)
        head = head_word(doc, *gold_source)
        head_ok = head is not None and head in words_of(pred.speaker) | words_of(pred.canonical)
        exact_ok = pred_span == gold_source
        stats["exact"] += exact_ok
        stats["head"] += head_ok
        cue_recall[cue]["head"] += head_ok
        if exact_ok:
            continue
        describe = f"gold {text[gold_source[0]:gold_source[1]]!r} / predicted {pred.speaker!r} (= {pred.canonical!r})"
        if head_ok:
            kind = "span boundary (head right, span differs)"
        elif pred_span[0] < gold_source[1] and gold_source[0] < pred_span[1]:
            kind = "wrong head inside an overlapping span"
        elif rel["source"].lower() in PRONOUNS:
            kind = "wrong speaker: gold is a pronoun"
        elif pred.speaker.lower() in PRONOUNS:
            kind = "wrong speaker: pronoun resolved to someone else"
        else:
            kind = "wrong speaker: different mention"
        errors[kind] += 1
        add_example(examples, kind, f"{describe} [{rel['cue']}]")
    for p, pred in enumerate(predicted):
        if p not in used and p not in ignored:
            errors["false positive (no gold attribution overlaps)"] += 1
            add_example(examples, "false positive", f"{pred.speaker!r} [{pred.cue}]")


def cue_lemma(doc, cue_spans: list[list[int]]) -> str:
    """The speech lemma of a gold cue, for the per-cue recall table."""
    for start, end in cue_spans:
        span = doc.char_span(start, end, alignment_mode="expand")
        for token in span or []:
            if token.lower_ == "according":
                return "according"
            if token.lemma_.lower() in SPEECH_CUES:
                return token.lemma_.lower()
    return "?"


def add_example(examples: dict, kind: str, line: str, limit: int = 8) -> None:
    if len(examples[kind]) < limit:
        examples[kind].append(line)

"""MRPC: does claimcheck's pairing decision ("these two sentences state the same claim") match paraphrase labels?

We compare (1) `paired` as claimcheck decides it (hybrid score at the configured threshold, IDF over all MRPC
sentences), (2) the hybrid score at its best threshold for a small grid of lexical weights, and (3) plain MiniLM
cosine at its best threshold. Thresholds are tuned on this very split, so "best" figures are optimistic; a 2-fold
cross-validated F1 (threshold chosen on one half, scored on the other) is given as the fair comparison.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from claimcheck import pair, segment

from .common import Context, check_pairs, log, pct, prf, sample_rows, table, timed
from .data import load_mrpc

LEXICAL_WEIGHTS = (0.3, 0.55, 0.8)
QUICK_PAIRS = 400


def mrpc_idf(sentences: list[str]) -> dict[str, float]:
    """IDF of claim terms with each distinct MRPC sentence as a document.

    Only terms are needed, so the parser and NER are switched off (4x faster); on a 1,000-sentence check this
    changed the terms of 3 sentences (a gerund's lemma), which is negligible for document frequencies.
    """
    nlp = segment.load_nlp()
    frequency: Counter[str] = Counter()
    with nlp.select_pipes(disable=[name for name in ("parser", "ner") if name in nlp.pipe_names]):
        for doc in nlp.pipe(sentences, batch_size=128):
            frequency.update(set(segment.claim_terms(doc[:])))
    return pair.idf_weights(frequency, len(sentences))


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float, float, float]:
    """(threshold, precision, recall, F1) maximising F1 when predicting positive for score >= threshold.

    Exact sweep: every distinct score is a candidate threshold.
    """
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_labels = scores[order], labels[order]
    tp = np.cumsum(sorted_labels)
    predicted = np.arange(1, len(scores) + 1)
    # Only cut where the score changes, so ties fall on the same side.
    last_of_run = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    precision = tp / predicted
    recall = tp / max(1, labels.sum())
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    f1 = np.where(last_of_run, f1, -1)
    i = int(np.argmax(f1))
    return float(sorted_scores[i]), float(precision[i]), float(recall[i]), float(f1[i])


def scores_at(scores: np.ndarray, labels: np.ndarray, threshold: float) -> tuple[float, float, float]:
    predicted = scores >= threshold
    return prf(int((predicted & (labels == 1)).sum()), int(predicted.sum()), int(labels.sum()))


def two_fold_f1(scores: np.ndarray, labels: np.ndarray, seed: int) -> float:
    """F1 with the threshold chosen on one random half and applied to the other, pooled over both folds."""
    index = np.arange(len(scores))
    np.random.default_rng(seed).shuffle(index)
    halves = (index[: len(index) // 2], index[len(index) // 2:])
    tp = predicted = 0
    for tune, test in (halves, halves[::-1]):
        threshold = best_threshold(scores[tune], labels[tune])[0]
        hit = scores[test] >= threshold
        tp += int((hit & (labels[test] == 1)).sum())
        predicted += int(hit.sum())
    return prf(tp, predicted, int(labels.sum()))[2]


def evaluate_mrpc(ctx: Context) -> str:
    """The pairing section; keeps (row, result) on ctx for the numeric false-flag table."""
    rows, sample_note = sample_rows(ctx, load_mrpc(ctx.data), QUICK_PAIRS)
    sentences = sorted({text for row in rows for text in (row["a"], row["b"])})
    log(f"MRPC: {len(rows)} pairs, IDF over {len(sentences)} sentences")
    with timed(ctx, "MRPC IDF"):
        idf = mrpc_idf(sentences)
    with timed(ctx, "MRPC check_texts"):
        results = check_pairs(ctx, [(row["a"], row["b"]) for row in rows], "MRPC", idf=idf)
    ctx.mrpc_results = list(zip(rows, results))

    labels = np.array([row["label"] for row in rows])
    cosine = np.array([r["similarity"] for r in results])
    lexical = np.array([r["lexical"] for r in results])
    paired = np.array([r["paired"] for r in results])
    same_claim = np.array([r["same_claim"] for r in results])
    s = ctx.settings

    out = ["## Pairing: same claim? (MRPC train, label 1 = paraphrase)", ""]
    out.append(f"Data: {sample_note}; {int(labels.sum())} paraphrases. IDF over the {len(sentences)} distinct "
               f"sentences of those pairs. **Thresholds marked \"best\" are tuned on this same split** (optimistic); "
               f"the 2-fold CV column picks the threshold on one random half and scores the other (seed {ctx.seed}).")
    out.append("")
    rows_out = []
    p, r, f = prf(int((same_claim & (labels == 1)).sum()), int(same_claim.sum()), int(labels.sum()))
    rows_out.append(["claimcheck `same_claim` (defaults)", s.lexical_weight, s.same_claim_threshold,
                     pct(p), pct(r), pct(f), "—"])
    p, r, f = prf(int((paired & (labels == 1)).sum()), int(paired.sum()), int(labels.sum()))
    rows_out.append(["claimcheck `paired`: candidates the checks examine (defaults)", s.lexical_weight,
                     s.pair_threshold, pct(p), pct(r), pct(f), "—"])
    p, r, f = scores_at(cosine, labels, s.pair_threshold)
    rows_out.append(["cosine only at the default threshold", "0", s.pair_threshold, pct(p), pct(r), pct(f), "—"])
    t, p, r, f = best_threshold(cosine, labels)
    rows_out.append(["cosine only, best threshold (baseline)", "0", f"{t:.3f}", pct(p), pct(r), pct(f),
                     pct(two_fold_f1(cosine, labels, ctx.seed))])
    best = None
    for weight in LEXICAL_WEIGHTS:
        hybrid = cosine + weight * lexical
        t, p, r, f = best_threshold(hybrid, labels)
        rows_out.append(["hybrid, best threshold", weight, f"{t:.3f}", pct(p), pct(r), pct(f),
                         pct(two_fold_f1(hybrid, labels, ctx.seed))])
        if best is None or f > best[2]:
            best = (weight, t, f)
    out.append(table(["scorer", "lexical_weight", "threshold", "P %", "R %", "F1 %", "2-fold CV F1 %"], rows_out))
    out.append("")
    assert best is not None
    default_f1 = prf(int((same_claim & (labels == 1)).sum()), int(same_claim.sum()), int(labels.sum()))[2]
    out.append(f"Best grid point: lexical_weight={best[0]}, same_claim_threshold={best[1]:.3f} → F1 {pct(best[2])} % "
               f"(defaults {s.lexical_weight}/{s.same_claim_threshold}: F1 {pct(default_f1)} %). `paired` is "
               f"deliberately recall-oriented: it decides which related claims the numeric and attribution checks "
               f"examine, and the checks' own comparability rules give the precision. Note MRPC negatives are "
               f"mostly same-story sentences, harder than a real corpus's unrelated claims; all-positive F1 would be "
               f"{pct(prf(int(labels.sum()), len(labels), int(labels.sum()))[2])} %.")
    out.append("")
    out.append(score_distribution(cosine, lexical, labels, s.lexical_weight))
    return "\n".join(out)


def score_distribution(cosine: np.ndarray, lexical: np.ndarray, labels: np.ndarray, weight: float) -> str:
    """Quartiles of each score by label, to see how much room the threshold has."""
    rows = []
    for name, values in (("cosine", cosine), ("lexical", lexical), (f"hybrid (w={weight})", cosine + weight * lexical)):
        for label in (1, 0):
            q = np.percentile(values[labels == label], [25, 50, 75])
            rows.append([name, "paraphrase" if label else "not", *(f"{x:.3f}" for x in q)])
    return table(["score", "label", "25th pct", "median", "75th pct"], rows)

"""Numeric and date flags: do they predict contradiction (RTE-3, EQUATE) and how often do they fire on
pairs that say the same thing (EQUATE entailment, MRPC paraphrases)?

A pair is predicted "contradiction" when claimcheck raises at least one `numeric` or `date` flag on it.
"""

from __future__ import annotations

import re
from collections import Counter

from .common import Context, check_pairs, conflict_flags, log, pct, prf, sample_rows, table, timed
from .data import load_equate, load_rte3

QUICK_RTE = 200
QUICK_EQUATE = 400
EXAMPLES = 12


def has_quantities(result: dict) -> bool:
    """Both sides have at least one quantity per claimcheck's own extractor."""
    return bool(result["a"]["quantities"]) and bool(result["b"]["quantities"])


def evaluate_rte(ctx: Context) -> str:
    """Precision/recall of numeric/date flags as contradiction detectors on RTE-3 pairs with quantities."""
    rows, sample = sample_rows(ctx, load_rte3(ctx.data), QUICK_RTE)
    log(f"RTE-3: {len(rows)} pairs")
    with timed(ctx, "RTE-3 check_texts"):
        results = check_pairs(ctx, [(row["premise"], row["hypothesis"]) for row in rows], "RTE-3")

    def scores(subset: list[tuple[dict, dict]]) -> list:
        gold = sum(row["label"] == "contradiction" for row, _ in subset)
        flagged = [(row, res) for row, res in subset if conflict_flags(res)]
        tp = sum(row["label"] == "contradiction" for row, _ in flagged)
        p, r, f = prf(tp, len(flagged), gold)
        by_label = Counter(row["label"] for row, _ in flagged)
        return [len(subset), gold, len(flagged), tp, pct(p), pct(r), pct(f),
                f"{by_label['entailment']} / {by_label['neutral']}"]

    pairs = list(zip(rows, results))
    with_quantities = [(row, res) for row, res in pairs if has_quantities(res)]
    out = ["## Numeric/date flags as contradiction detectors (RTE-3 dev, 3-way)", "",
           f"Data: {sample}. \"With quantities\" = both premise and hypothesis have ≥1 quantity extracted by "
           f"claimcheck. Gold positive = label `contradiction`. Many RTE contradictions are not about numbers, so "
           f"recall on all pairs is a floor, not a target.", ""]
    out.append(table(["pairs", "n", "contradictions", "flagged", "flagged ∧ contradiction", "P %", "R %", "F1 %",
                      "false flags on entailment / neutral"],
                     [["with quantities", *scores(with_quantities)], ["all", *scores(pairs)]]))
    out.append("")
    out.append(flag_examples("RTE-3 flags on pairs not labelled contradiction",
                             [(row["premise"], row["hypothesis"], res) for row, res in with_quantities
                              if row["label"] != "contradiction" and conflict_flags(res)]))
    return "\n".join(out)


def evaluate_equate_and_false_flags(ctx: Context) -> str:
    """False-flag rate on EQUATE entailment and MRPC paraphrase pairs; recall on EQUATE contradictions."""
    rows, sample = sample_rows(ctx, load_equate(ctx.data), QUICK_EQUATE)
    log(f"EQUATE: {len(rows)} pairs")
    with timed(ctx, "EQUATE check_texts"):
        results = check_pairs(ctx, [(row["a"], row["b"]) for row in rows], "EQUATE")
    pairs = list(zip(rows, results))

    out = ["## Numeric/date false flags and EQUATE recall", "",
           f"EQUATE: {sample} (NewsNLI, AWPNLI, StressTest dev). False-flag rate = share of pairs labelled "
           f"entailment / paraphrase with ≥1 numeric or date flag (lower is better). Recall = share of contradiction "
           f"pairs with ≥1 flag.", ""]
    rows_out = []
    subsets = sorted({row["subset"] for row in rows})
    # AWPNLI needs arithmetic ("8 balloons and 2 more" => "10 balloons"), which claimcheck does not attempt; its
    # false flags are kept apart so the news-like ones (extraction errors worth fixing) stay visible.
    false_flag_examples: list[tuple[str, str, dict]] = []
    arithmetic_examples: list[tuple[str, str, dict]] = []
    for subset in [*subsets, "all EQUATE"]:
        chosen = [(row, res) for row, res in pairs if subset == "all EQUATE" or row["subset"] == subset]
        for label, measure in (("entailment", "false-flag rate"), ("neutral", "flag rate (info)"),
                               ("contradiction", "recall")):
            group = [(row, res) for row, res in chosen if row["label"] == label]
            if not group:
                continue
            flagged = [(row, res) for row, res in group if conflict_flags(res)]
            quantified = sum(has_quantities(res) for _, res in group)
            rows_out.append([subset, label, len(group), quantified, measure, len(flagged),
                             pct(len(flagged) / len(group))])
            if label == "entailment" and subset != "all EQUATE":
                target = arithmetic_examples if subset == "AWPNLI" else false_flag_examples
                target += [(row["a"], row["b"], res) for row, res in flagged]
    if ctx.mrpc_results is not None:
        group = [(row, res) for row, res in ctx.mrpc_results if row["label"] == 1]
        flagged = [(row, res) for row, res in group if conflict_flags(res)]
        rows_out.append(["MRPC train", "paraphrase", len(group), sum(has_quantities(res) for _, res in group),
                         "false-flag rate", len(flagged), pct(len(flagged) / max(1, len(group)))])
        false_flag_examples += [(row["a"], row["b"], res) for row, res in flagged]
        negatives = [(row, res) for row, res in ctx.mrpc_results if row["label"] == 0]
        neg_flagged = sum(bool(conflict_flags(res)) for _, res in negatives)
        rows_out.append(["MRPC train", "not paraphrase", len(negatives), sum(has_quantities(r) for _, r in negatives),
                         "flag rate (info)", neg_flagged, pct(neg_flagged / max(1, len(negatives)))])
    else:
        out.append("(MRPC not run in this invocation: its paraphrase false-flag rate is missing.)")
        out.append("")
    out.append(table(["data", "label", "pairs", "both sides quantified", "measure", "flagged", "%"], rows_out))
    out.append("")
    out.append("News-like false flags (MRPC paraphrase, NewsNLI and StressTest entailment):")
    out.append("")
    out.append(common_false_flags(false_flag_examples))
    out.append("")
    out.append(flag_examples("News-like false flags (MRPC, NewsNLI, StressTest)", false_flag_examples, limit=30))
    out.append("")
    out.append(flag_examples("AWPNLI false flags (arithmetic word problems)", arithmetic_examples))
    return "\n".join(out)


def common_false_flags(examples: list[tuple[str, str, dict]], top: int = 8) -> str:
    """The most frequent false flags, grouped by kind and reason with the value pairs seen."""
    groups: Counter[tuple[str, str]] = Counter()
    values: dict[tuple[str, str], list[str]] = {}
    for _, _, result in examples:
        for flag in conflict_flags(result):
            key = (flag["kind"], reason_template(flag["reason"]))
            groups[key] += 1
            values.setdefault(key, []).append(f"{flag['value_a']} vs {flag['value_b']}")
    rows = [[kind, reason, count, "; ".join(values[(kind, reason)][:4])]
            for (kind, reason), count in groups.most_common(top)]
    return "Most common false flags by reason (digits in reasons replaced by #):\n\n" + table(
        ["kind", "reason", "flags", "e.g. value_a vs value_b"], rows)


def reason_template(reason: str) -> str:
    """A reason with its numbers and quoted values masked, so flags of the same cause group together."""
    masked = re.sub(r"[“\"'‘][^”\"'’]*[”\"'’]", "'…'", reason)
    return re.sub(r"\d[\d,.]*", "#", masked)


def flag_examples(title: str, examples: list[tuple[str, str, dict]], limit: int = EXAMPLES) -> str:
    """A collapsible list of flagged pairs with the values and reason of each flag."""
    lines = [f"<details><summary>{title}: {len(examples)} pairs (first {min(limit, len(examples))})</summary>", ""]
    for text_a, text_b, result in examples[:limit]:
        for flag in conflict_flags(result):
            lines.append(f"- **{flag['kind']}** `{flag['value_a']}` vs `{flag['value_b']}`: {flag['reason']}  ")
        # The pair's sentences are not written: the datasets' licences forbid copying their text into the project.
    lines += ["", "</details>"]
    return "\n".join(lines)

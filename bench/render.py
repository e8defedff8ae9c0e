"""The benchmark's Markdown report and its log-log plot, from the JSON results."""

from __future__ import annotations

from pathlib import Path

from claimcheck.cells import CELL_PROBES, CELL_SIZE

PIPELINE_STAGES = ["segmentation", "embedding", "measure phrases", "indexing", "pairing", "checks", "report"]
SETUP_STAGES = ["spaCy load", "model load", "model warm-up"]
# What `claimcheck report` pays: not the warm-up, which only readies the embedder for a fair per-stage rate
# (the peer gets the same one, outside its timing).
RUN_STAGES = ["spaCy load", "model load", *PIPELINE_STAGES]


def _stage(result: dict, name: str) -> dict:
    return next(s for s in result["stages"] if s["stage"] == name)


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def corpus_table(corpora: dict, stages: dict) -> list[str]:
    lines = ["| target | articles | of which BBC originals | perturbed variants | claims stored | distinct claim texts |",
             "|---|---|---|---|---|---|"]
    for n, info in sorted(corpora.items()):
        if n not in stages:
            continue
        result = stages[n]
        lines.append(f"| {_size(n)} | {info.articles:,} | {info.bbc_articles:,} | {info.perturbed_articles:,} |"
                     f" {result['claims']:,} | {result['unique_texts']:,} |")
    return lines


def stage_table(stages: dict) -> list[str]:
    lines = ["| claims | stage | seconds | claims/s | ms per claim | peak RSS MB | load avg | notes |",
             "|---|---|---|---|---|---|---|---|"]
    for n, result in sorted(stages.items()):
        claims = result["claims"]
        for name in SETUP_STAGES + PIPELINE_STAGES:
            s = _stage(result, name)
            rate = claims / s["seconds"] if name in PIPELINE_STAGES and s["seconds"] else 0
            per = 1000 * s["seconds"] / claims if name in PIPELINE_STAGES else 0
            notes = ", ".join(f"{k} {v:,}" if isinstance(v, int) and not isinstance(v, bool) else f"{k} {v}"
                              for k, v in s.get("extra", {}).items())
            lines.append(f"| {claims:,} | {name} | {_fmt(s['seconds'], 2)} | {_fmt(rate, 0) if rate else '–'} |"
                         f" {_fmt(per, 3) if per else '–'} | {_fmt(s['peak_mb'], 0)} | {_fmt(s.get('load_before', 0), 1)} | {notes} |")
        total = _pipeline_seconds(result)
        peak = max(_stage(result, name)["peak_mb"] for name in SETUP_STAGES + PIPELINE_STAGES)
        lines.append(f"| {claims:,} | **whole pipeline (models loaded once)** | **{_fmt(total, 1)}** |"
                     f" **{_fmt(claims / total, 0)}** | {_fmt(1000 * total / claims, 3)} | {_fmt(peak, 0)} | | |")
    return lines


def _pipeline_seconds(result: dict) -> float:
    return sum(_stage(result, name)["seconds"] for name in RUN_STAGES)


def peer_table(stages: dict, reports: dict | None = None) -> list[str]:
    """Embedding and the whole pipeline against bare fp32 encode; the index against paraphrase_mining.

    The whole pipeline twice: the stage replay (stages one after the other, each timed) and, where the run has one
    for that corpus, `claimcheck report` itself on a fresh database in a fresh process, which overlaps spaCy's
    load and parse (in worker processes) with the model's load, and counts its own start and imports."""
    lines = ["| claims | path | embedding stage texts/s | bare fp32 `encode` texts/s (texts) | **embedding ÷ encode**"
             " (target ≥ 1.5) | the same in turn: `embed_batch` ÷ `encode` (texts; lowest–highest chunk) |"
             " cosine to fp32 mean / min | whole pipeline claims/s | **pipeline ÷ encode**"
             " (target ≥ 1.0) | the same in turn, models loaded once (rounds; lowest–highest) |"
             " `claimcheck report`, fresh process: claims/s, ÷ encode |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, result in sorted(stages.items()):
        emb, enc = _stage(result, "embedding"), _stage(result, "peer: model.encode")
        whole = result["claims"] / _pipeline_seconds(result)
        extra = enc.get("extra", {})
        run = (reports or {}).get(str(n), {}).get("first")
        command = result["claims"] / run["seconds"] if run and run.get("returncode") == 0 else None
        command_cell = f"{_fmt(command, 0)}, {_fmt(command / enc['per_second'], 2)}×" if command else "–"
        lines.append(
            f"| {result['claims']:,} | {result.get('path', '?')} | {_fmt(emb['per_second'], 0)} |"
            f" {_fmt(enc['per_second'], 0)} ({enc['items']:,}) | **{_fmt(emb['per_second'] / enc['per_second'], 2)}×** |"
            f" {_in_turn(result['peers'].get('interleaved'))} |"
            f" {extra.get('mean_cosine_to_pipeline', 0):.4f} / {extra.get('min_cosine_to_pipeline', 0):.4f} |"
            f" {_fmt(whole, 0)} | **{_fmt(whole / enc['per_second'], 2)}×** |"
            f" {_whole_in_turn(result['peers'].get('whole_in_turn'))} | {command_cell} |")
    return lines


def _in_turn(found: dict | None) -> str:
    """The interleaved embedding measure (bench.stages.interleaved_embedding), or a dash for results without it."""
    if not found:
        return "–"
    low, high = min(found["chunk_ratios"]), max(found["chunk_ratios"])
    return f"{_fmt(found['ratio'], 2)}× ({found['texts']:,}; {low:.2f}–{high:.2f})"


def _whole_in_turn(found: dict | None) -> str:
    """The whole pipeline in turn with its peer (bench.in_turn), or a dash for sizes where it did not run."""
    if not found:
        return "–"
    low, high = min(found["round_ratios"]), max(found["round_ratios"])
    return f"**{_fmt(found['ratio'], 2)}×** ({found['rounds']}; {low:.2f}–{high:.2f})"


def pairing_table(stages: dict) -> list[str]:
    lines = ["| claims | paraphrase_mining_embeddings s | claimcheck index build + k-NN s (index) |"
             " **mining ÷ (build + k-NN)** (target ≥ 10) | mining ÷ k-NN alone | whole pairing stage s |"
             " mining ÷ pairing stage | exact pairs ≥ 0.8 | recall: claimcheck index | recall: paraphrase_mining |"
             " claimcheck ÷ mining pairs found |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, result in sorted(stages.items()):
        pairing, knn, mining = (_stage(result, x) for x in ("pairing", "claimcheck index k-NN", "peer: paraphrase_mining"))
        build = next((s for s in result["stages"] if s["stage"] == "claimcheck index build"), None)
        ours = knn["seconds"] + (build["seconds"] if build else 0)
        kind = "exact" if build and build.get("extra", {}).get("exact") else "IVF"
        p = result["peers"]
        lines.append(
            f"| {result['claims']:,} | {_fmt(mining['seconds'], 2)} | {_fmt(ours, 2)} ({kind}) |"
            f" **{_fmt(mining['seconds'] / ours, 1)}×** | {_fmt(mining['seconds'] / knn['seconds'], 1)}× |"
            f" {_fmt(pairing['seconds'], 2)} | {_fmt(mining['seconds'] / pairing['seconds'], 2)}× | {p['exact_pairs']:,} |"
            f" {_fmt(100 * p['index_recall_vs_exact_range'], 2)} % | {_fmt(100 * p['mining_recall_vs_exact_range'], 2)} % |"
            f" {_fmt(100 * p['index_recall_vs_mining'], 2)} % |")
    return lines


def paths_table(stages: dict) -> list[str]:
    """The embedding paths this machine measured on the probe sentences when it chose one."""
    record = next((r["path_record"] for _, r in sorted(stages.items(), reverse=True) if r.get("path_record")), None)
    if not record:
        return ["(the path was forced with CLAIMCHECK_PRECISION: nothing measured)"]
    fp32 = next((p["per_second"] for p in record["paths"] if p["path"] == "fp32"), 0) or 1
    lines = [f"Measured {record['measured']} (once per machine, then remembered); chosen: **{record['choice']}**.", "",
             "| path | probe sentences/s | ÷ torch fp32 | cosine to fp32 mean | min | meets the bar (≥ 0.99 / ≥ 0.97) |",
             "|---|---|---|---|---|---|"]
    for p in record["paths"]:
        meets = p["mean_cosine"] >= 0.99 and p["min_cosine"] >= 0.97
        speed = f"{_fmt(p['per_second'], 0)} | {_fmt(p['per_second'] / fp32, 2)}×" if p["per_second"] else "not timed | –"
        lines.append(f"| {p['path']} | {speed} | {p['mean_cosine']:.4f} | {p['min_cosine']:.4f} | {'yes' if meets else 'no'} |")
    return lines


def index_table(index: dict) -> list[str]:
    lines = ["| vectors | source | exact FlatIP self-join s | IVF build s | IVF search s | IVF total s |"
             " exact ÷ IVF | pairs ≥ 0.8 (exact) | IVF pair recall | IVF recall@10 | peak MB flat / IVF |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, r in sorted(index.items()):
        flat = r["flat_build_s"] + r["flat_search_s"]
        ivf = r["ivf_build_s"] + r["ivf_search_s"]
        lines.append(
            f"| {_size(n)} | {r['source']}; exact on {r['exact_measured_on']} | {_fmt(flat, 1)} | {_fmt(r['ivf_build_s'], 1)} |"
            f" {_fmt(r['ivf_search_s'], 1)} | {_fmt(ivf, 1)} | {_fmt(flat / ivf, 1)}× | {r['exact_pairs']:,} |"
            f" {_fmt(100 * r['recall_pairs'], 2)} % | {_fmt(r['recall_at_10'], 4)} | {_fmt(r['flat_peak_mb'], 0)} / {_fmt(r['ivf_peak_mb'], 0)} |")
    return lines


def cli_table(cli: dict) -> list[str]:
    help_, bare = cli["help"], cli.get("bare_python", {}).get("median_s")
    model = cli.get("bare_model_load", {})
    lines = ["| measure | wall s | peer | ÷ peer | peak RSS MB | imported torch / sentence-transformers / spaCy / onnxruntime |",
             "|---|---|---|---|---|---|",
             f"| `claimcheck --help` (median of {len(help_['runs'])}; target ≤ 0.3 s) | {_fmt(help_['median_s'], 3)} |"
             f" `python -c pass` {_fmt(bare or 0, 3)} s | {_fmt(help_['median_s'] / bare, 1) + '×' if bare else '–'} | – | – |"]

    def imported(run: dict) -> str:
        i = run.get("imported", {})
        names = ("torch", "sentence_transformers", "spacy", "onnxruntime")
        return " / ".join("yes" if i.get(k) else "no" for k in names) if i else "?"

    for n, runs in sorted(cli["report"].items(), key=lambda kv: int(kv[0])):
        first, rerun = runs["first"], runs["rerun"]
        lines.append(f"| `claimcheck report` fresh database, {_size(int(n))} target (exit {first['returncode']}) |"
                     f" {_fmt(first['seconds'], 1)} | – | – | {_fmt(first['peak_mb'], 0)} | {imported(first)} |")
        lines.append(f"| re-run on unchanged input, {_size(int(n))} (exit {rerun['returncode']}) | {_fmt(rerun['seconds'], 2)} |"
                     f" the first run | {_fmt(rerun['seconds'] / first['seconds'], 3)}× | {_fmt(rerun['peak_mb'], 0)} | {imported(rerun)} |")
    inc = cli["incremental"]

    def runs(run: dict) -> str:  # older results hold one run
        seconds = run.get("runs", [])
        return f"median of {len(seconds)} runs ({', '.join(_fmt(s, 2) for s in seconds)} s)" if len(seconds) > 1 else ""

    peer = f"bare fp32 model load + 1 text{', ' + runs(model) + ':' if runs(model) else ''} {_fmt(model['seconds'], 2)} s" \
        if model else "–"
    ratio = f"{_fmt(inc['seconds'] / model['seconds'], 2)}×" if model else "–"
    lines.append(f"| add one article to the {inc['base_claims']:,}-claim database (fresh process, model load included;"
                 f" exit {inc['returncode']}; {runs(inc) + ', each on a fresh copy and followed by its peer; ' if runs(inc) else ''}"
                 "target ≤ 5 s) |"
                 f" **{_fmt(inc['seconds'], 2)}** | {peer} | {ratio} | {_fmt(inc['peak_mb'], 0)} | {imported(inc)} |")
    return lines


def render_markdown(corpora: dict, stages: dict, index: dict, cli: dict, meta: dict) -> str:
    for n, runs in cli["report"].items():
        if int(n) in stages:
            runs["claims"] = stages[int(n)]["claims"]
    cpu = meta.get("cpu", {})
    sizes = (f"Reduced sizes (the machine is shared): stages at {', '.join(_size(n) for n in meta['sizes'])} claims,"
             f" index at {', '.join(_size(n) for n in meta['index_sizes'])} vectors, whole CLI runs at"
             f" {', '.join(_size(n) for n in meta['report_sizes'])}, encode peer on at most {meta['peer_limit']:,} texts."
             if meta.get("reduced") else "Full default sizes.")
    parts = [
        "# claimcheck performance benchmark", "",
        f"CPU: **{cpu.get('model', '?')}**, {meta['cpu_count']} cores. Flags: `{cpu.get('flags', '?')}`", "",
        sizes, "",
        f"Run {meta['date']}{' (--quick smoke run)' if meta['quick'] else ''}: Python {meta['python']},"
        f" {meta['cpu_count']} cores ({meta['machine']}), total benchmark time {meta['total_seconds'] / 60:.1f} min."
        f" spaCy {meta.get('spacy', '?')}."
        " Each size ran in its own process. Peak RSS is the kernel's high-water mark (VmHWM) reset at the start of"
        " each stage through /proc/self/clear_refs, so it is that stage's peak *including* what earlier stages left"
        " resident (interpreter, spaCy, the model); CLI figures are the child process's ru_maxrss from wait4."
        " The load average column shows that other processes shared these 2 cores during the run: absolute"
        " speeds are pessimistic; compare within a row or a size.", "",
        *([f"With --reuse: results already in the output folder were not measured again. {meta['note']}", ""]
          if meta.get("reuse") else []),
        "## Corpora", "",
        "Real BBC News articles (../shared/eval/bbc_news, read in place, never copied into the repo); past the ~42k"
        " claims BBC holds, perturbed variants of BBC articles (numbers changed, sentences and paragraphs reordered,"
        " surnames after a title replaced, common words swapped for synonyms).", "",
        *corpus_table(corpora, stages), "",
        "## Pipeline stages (library calls replaying `claimcheck report`, one process per size)", "",
        "claims/s = claims stored ÷ stage seconds. Embedding counts distinct claim texts (the cache embeds each once);"
        " measure phrases are the figures' measure phrases (what each figure counts), embedded after the claims for"
        " measure-phrase pairing. Segmentation includes reading files and storing claims in SQLite; indexing includes"
        " loading the vectors from SQLite and saving the FAISS cache; pairing includes the k-NN search, rare-term"
        " candidates, measure-phrase candidates, scoring, storing pairs and copy detection.", "",
        *stage_table(stages), "",
        "## Embedding paths on this CPU", "",
        *paths_table(stages), "",
        "## Embedding and the whole pipeline against bare sentence-transformers", "",
        "Peer: a separately loaded sentence-transformers model in float32, `model.encode(texts, batch_size=32,"
        " normalize_embeddings=True)` on the same corpus' distinct texts (a prefix of at most --peer-limit texts),"
        " after the same warm-up. The stage and the peer are one sample each, minutes apart; \"in turn\" measures the"
        " ratio again on up to 2,000 of the same texts (spread over the corpus) in chunks of 250, the pipeline's"
        " embedder and the peer on each chunk one after the other, the first alternating, so that both meet the same"
        " machine. Cosine: the pipeline's stored vectors against those fp32 vectors. Whole pipeline:"
        " claims stored ÷ every stage above including spaCy and model load, except the warm-up (which"
        " `claimcheck report` does not do), against a peer whose model load is not timed. \"In turn, models loaded"
        " once\" (at up to 20,000 claims): `pipeline.run_report` on a"
        " fresh database with spaCy and the embedder already loaded, and the peer's `encode` of the same texts in a"
        " process of its own, its model loaded once, one after the other for three rounds (two from 5,000 claims,"
        " where a round takes minutes), the first alternating;"
        " the ratio is over the rounds' summed seconds. The last column is `claimcheck report` itself on the same corpus (the"
        " whole-command runs below): a fresh process on a fresh database, its start and imports included, spaCy's"
        " load and parse overlapping the model's load.", "",
        *peer_table(stages, cli.get("report")), "",
        "## Pairing against paraphrase_mining_embeddings", "",
        "Peer: `sentence_transformers.util.paraphrase_mining_embeddings(vectors, top_k=10)` on the pipeline's own"
        " vectors; claimcheck's side: `index.build` over the same vectors from scratch plus its k = 11 self-join"
        " search. Recall: share of the pairs with cosine ≥ 0.8 found by an exact, uncapped FAISS range_search that"
        " each method's top-10 neighbours contain.", "",
        *pairing_table(stages), "",
        f"## Index: exact FlatIP vs IVF (cells of ~{CELL_SIZE} vectors, {CELL_PROBES} probed per query, trained on"
        " a random sample) self-join, k = 11", "",
        "Recall: share of the pairs with cosine ≥ 0.8 in exact search's top-10 that IVF's top-10 also holds.", "",
        *index_table(index), "",
        "## Whole commands (fresh processes)", "",
        *cli_table(cli), "",
    ]
    return "\n".join(parts)


def render_plot(stages: dict, index: dict, path: Path) -> None:
    """Log-log time against size: one line per pipeline stage, and exact vs IVF self-join."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    sizes = sorted(stages)
    claims = [stages[n]["claims"] for n in sizes]
    for name in PIPELINE_STAGES + ["peer: model.encode", "peer: paraphrase_mining"]:
        if not all(any(st["stage"] == name for st in stages[n]["stages"]) for n in sizes):
            continue
        seconds = [max(_stage(stages[n], name)["seconds"], 1e-3) for n in sizes]
        style = "--" if name.startswith("peer") else "-o"
        left.plot(claims, seconds, style, label=name)
    left.set(xscale="log", yscale="log", xlabel="claims", ylabel="seconds", title="claimcheck stages")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    if index:
        ns = sorted(index)
        right.plot(ns, [index[n]["flat_build_s"] + index[n]["flat_search_s"] for n in ns], "-o", label="exact FlatIP")
        right.plot(ns, [index[n]["ivf_build_s"] + index[n]["ivf_search_s"] for n in ns], "-o", label=f"IVF ({CELL_PROBES} of ~n/{CELL_SIZE} cells)")
        right.axhline(600, color="grey", linestyle=":", label="1M target: 10 min")
        right.set(xscale="log", yscale="log", xlabel="vectors", ylabel="seconds", title="self-join k=11")
        right.grid(True, which="both", alpha=0.3)
        right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)

"""`python -m bench.run`: claimcheck's performance benchmark (see bench/README.md).

Every size runs in its own process (bench.stages, bench.index_bench, the CLI), results are kept as JSON in
--out, and the Markdown report goes to stdout and bench/results.md with the plot in bench/stages.png.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

from bench import cli_bench
from bench.corpus import CorpusInfo, build_corpus, extra_article
from bench.render import render_markdown, render_plot

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="corpus sizes in claims (stage measures)")
    parser.add_argument("--index-sizes", default="10000,100000,1000000", help="vector counts for exact vs IVF")
    parser.add_argument("--report-sizes", default=None,
                        help="sizes at which the whole `claimcheck report` CLI also runs (default: all --sizes)")
    parser.add_argument("--peer-limit", type=int, default=20_000,
                        help="texts the model.encode peer embeds (a prefix of the same corpus' texts)")
    parser.add_argument("--exact-sample", type=int, default=10_000,
                        help="query rows for exact search above 200k vectors (time extrapolated)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1k claims, 10k vectors (< 3 minutes)")
    parser.add_argument("--reuse", action="store_true", help="reuse result JSON already in --out")
    parser.add_argument("--note", default="", help="a sentence for the results' header (where reused results came from)")
    parser.add_argument("--out", default=str(BENCH_DIR / "out"), type=Path)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.index_sizes, args.report_sizes = "1000", "10000", "1000"
    args.size_list = [int(s) for s in args.sizes.split(",") if s]
    args.index_list = [int(s) for s in args.index_sizes.split(",") if s]
    args.report_list = [int(s) for s in (args.report_sizes or args.sizes).split(",") if s]
    return args


def run_json(module: str, argv: list[str], out: Path, reuse: bool) -> dict:
    """Run `python -m module argv` in a fresh process (it writes `out`), unless reusing."""
    if not (reuse and out.exists()):
        print(f"$ python -m {module} {' '.join(argv)}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", module, *argv], cwd=ROOT, check=True,
                       env={**os.environ, "HF_HUB_OFFLINE": "1"}, stdout=sys.stderr)
    return json.loads(out.read_text())


ADD_ROUNDS = 3  # the add is timed this many times (its median is reported), each time with its peer


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    corpora: dict[int, CorpusInfo] = {n: build_corpus(out, n) for n in sorted(set(args.size_list))}

    stage_results = {}
    for n in sorted(args.size_list):
        stage_results[n] = run_json(
            "bench.stages",
            [str(corpora[n].folder), str(out / f"stages_{n}.db"), str(out / f"stages_{n}.json"),
             str(args.peer_limit), str(out / f"vectors_{n}.npy")],
            out / f"stages_{n}.json", args.reuse,
        )
    largest = max(args.size_list)
    real_vectors = out / f"vectors_{largest}.npy"

    index_results = {}
    for n in sorted(args.index_list):
        index_results[n] = run_json(
            "bench.index_bench", [str(n), str(real_vectors), str(out / f"index_{n}.json"), "200000",
                                  str(args.exact_sample)],
            out / f"index_{n}.json", args.reuse,
        )

    cli = {"help": cli_bench.help_time(), "bare_python": cli_bench.bare_python_time()}
    cli_path = out / "cli.json"
    previous = json.loads(cli_path.read_text()) if args.reuse and cli_path.exists() else {}
    cli["report"] = previous.get("report", {})
    for n in sorted(args.report_list):
        if str(n) in cli["report"]:
            continue
        db = out / f"cli_{n}.db"
        cli_bench.fresh_db(db)
        print(f"$ claimcheck report ({n} claims), then a re-run", file=sys.stderr, flush=True)
        first = cli_bench.report_run([corpora[n].folder], db, out / f"cli_{n}.md", out / f"cli_{n}.log")
        rerun = cli_bench.report_run([corpora[n].folder], db, out / f"cli_{n}.md", out / f"cli_{n}_rerun.log")
        cli["report"][str(n)] = {"first": first, "rerun": rerun}
    # One new article added to the largest stage database (a fresh copy each time, so the stage database stays as
    # it was). A median of ADD_ROUNDS, each followed by its peer: this VM's speed has swung 2× between minutes.
    inc_db = out / f"incremental_{largest}.db"
    article = extra_article(out)
    adds, loads = [], []
    for _ in range(ADD_ROUNDS):
        cli_bench.copy_db(out / f"stages_{largest}.db", inc_db)
        print(f"$ claimcheck report new_article.txt --db ({largest} claims)", file=sys.stderr, flush=True)
        adds.append(cli_bench.report_run([article], inc_db, out / "incremental.md", out / "incremental.log"))
        loads.append(cli_bench.bare_model_load())
    cli["incremental"] = {**cli_bench.median_run(adds), "base_claims": stage_results[largest]["claims"]}
    cli["bare_model_load"] = cli_bench.median_run(loads)
    cli_path.write_text(json.dumps(cli, indent=1))

    from claimcheck.precision import cpu_description
    from claimcheck.spacy_pipeline import has_profiling_hooks

    defaults = parse_args([])
    meta = {
        "cpu": cpu_description(), "sizes": args.size_list, "index_sizes": args.index_list,
        "report_sizes": args.report_list, "peer_limit": args.peer_limit,
        "reduced": (args.size_list, args.index_list, args.peer_limit) != (defaults.size_list, defaults.index_list,
                                                                          defaults.peer_limit),
        "total_seconds": time.perf_counter() - started, "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "machine": platform.machine(), "quick": args.quick,
        "reuse": args.reuse, "note": args.note,
        "spacy": f"{version('spacy')}, " + ("the stock wheel (with Cython's profiling hooks)" if has_profiling_hooks()
                                             else "built without Cython's profiling hooks"),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    markdown = render_markdown(corpora, stage_results, index_results, cli, meta)
    render_plot(stage_results, index_results, BENCH_DIR / "stages.png")
    (out / "results.md").write_text(markdown)
    (BENCH_DIR / "results.md").write_text(markdown)
    print(markdown)


if __name__ == "__main__":
    main()

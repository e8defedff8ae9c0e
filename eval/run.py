"""Entry point: `python -m eval.run [--data DIR] [--quick] [--only mrpc,polnear,rte,equate,fixtures]`.

Prints one Markdown document to stdout and writes it to eval/results.md (progress goes to stderr).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model must come from the local cache, never the network
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from claimcheck.config import Settings  # noqa: E402

from .common import Context, LengthSortedEmbedder, log, table, timed  # noqa: E402
from .data import DEFAULT_DATA  # noqa: E402

SECTIONS = ("mrpc", "polnear", "rte", "equate", "fixtures", "realnews")
RESULTS = Path(__file__).resolve().parent / "results.md"
SEED = 13


def section_functions() -> dict[str, Callable[[Context], str]]:
    """Imported lazily so `--help` stays fast."""
    from .conflicts import evaluate_equate_and_false_flags, evaluate_rte
    from .fixtures import evaluate_fixtures
    from .pairing import evaluate_mrpc
    from .realnews import evaluate_realnews
    from .speakers import evaluate_polnear

    return {"mrpc": evaluate_mrpc, "polnear": evaluate_polnear, "rte": evaluate_rte,
            "equate": evaluate_equate_and_false_flags, "fixtures": evaluate_fixtures,
            "realnews": evaluate_realnews}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m eval.run", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"labelled data folder (default {DEFAULT_DATA})")
    parser.add_argument("--quick", action="store_true", help="small fixed-seed samples (smoke test, < 2 minutes)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of every sample and of the CV split")
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help="where to write the Markdown (default eval/results.md)")
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    if not args.data.is_dir():
        parser.error(f"data folder not found: {args.data}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    from claimcheck import embed

    settings = Settings()
    ctx = Context(data=args.data, quick=args.quick, seed=args.seed, embedder=None, settings=settings)
    with timed(ctx, "load models"):
        # Same model and weights as claimcheck; see LengthSortedEmbedder for why the texts are reordered.
        ctx.embedder = LengthSortedEmbedder(embed.load_embedder(settings.model))
        ctx.embedder.embed_batch(["warm up"])  # load the weights now, so section timings are the work itself
        from claimcheck import segment
        segment.load_nlp()
    functions = section_functions()
    # MRPC runs first: the false-flag table of the equate section reuses its results.
    bodies = []
    for name in sorted(args.only, key=SECTIONS.index):
        log(f"== {name}")
        with timed(ctx, f"section {name}"):
            bodies.append(functions[name](ctx))
    total = time.perf_counter() - started

    header = [
        "# claimcheck evaluation", "",
        f"`python -m eval.run{' --quick' if args.quick else ''}` · "
        f"sections: {', '.join(sorted(args.only, key=SECTIONS.index))}"
        f" · seed {args.seed} · {'QUICK (small samples)' if args.quick else 'full run'} · "
        f"model {settings.model} · pair_threshold {settings.pair_threshold}, lexical_weight {settings.lexical_weight}"
        f" · Python {platform.python_version()}, {os.cpu_count()} CPUs · total {total:.0f} s", "",
        f"Data read from `{args.data}` (never copied into the repo). Tuning happens on these development splits.", "",
    ]
    timing = ["## Timings", "", table(["step", "seconds"], [[k, f"{v:.1f}"] for k, v in ctx.timings.items()]),
              "", "Sections include their own sub-steps listed above them."]
    markdown = "\n".join(header) + "\n\n" + "\n\n".join(bodies) + "\n\n" + "\n".join(timing) + "\n"
    print(markdown)
    args.out.write_text(markdown, encoding="utf-8")
    log(f"wrote {args.out} in {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the claimcheck CLI in this fresh process and say afterwards whether torch / spaCy were imported.

`python -m bench.cli_probe report PATH --db DB --out FILE` behaves like `claimcheck report ...`; at exit it
writes one JSON line to the file named by $BENCH_PROBE_OUT: which heavy libraries the run imported
(a re-run on unchanged input should import neither torch nor sentence-transformers).
"""

from __future__ import annotations

import atexit
import json
import os
import sys


def _record() -> None:
    target = os.environ.get("BENCH_PROBE_OUT")
    if target:
        heavy = ("torch", "sentence_transformers", "spacy", "faiss", "onnxruntime")
        with open(target, "w") as handle:
            json.dump({name: name in sys.modules for name in heavy}, handle)


def main() -> None:
    atexit.register(_record)
    from claimcheck.cli import main as claimcheck_main

    sys.argv = ["claimcheck", *sys.argv[1:]]
    claimcheck_main()


if __name__ == "__main__":
    main()

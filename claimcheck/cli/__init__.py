"""The command line: parse -> one library call -> print -> exit code. The only package that prints.

Exit codes: 0 success, 1 an error (one line on stderr, no traceback), 2 finished but some input
was skipped (listed on stderr). `app` holds the shared options and error handling; each module
of commands registers its own: `corpus` (report, ingest, compare, query), `results` (flags, show,
review, export, articles, stats) and `texts` (check, extract).
"""

from __future__ import annotations

import sys

from . import corpus, results, texts  # noqa: F401 - each registers its commands on `app`
from .app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    sys.exit(main())

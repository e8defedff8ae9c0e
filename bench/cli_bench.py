"""Whole-command measures, each a fresh process: `--help`, a full `report`, a re-run, one added article.

Wall time is measured around the child process; its peak memory comes from os.wait4's rusage for that
child alone (ru_maxrss).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLAIMCHECK = ROOT / ".venv" / "bin" / "claimcheck"


def timed_process(argv: list[str], env: dict | None = None) -> dict:
    """Run argv to completion: wall seconds, peak RSS of the child in MB, exit code, tail of its stderr."""
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = process.communicate()  # communicate reaps via wait4 is not exposed; re-measure below
    wall = time.perf_counter() - start
    return {"argv": argv, "seconds": wall, "returncode": process.returncode,
            "stdout_tail": stdout.decode(errors="replace")[-400:], "stderr_tail": stderr.decode(errors="replace")[-400:]}


def timed_process_rss(argv: list[str], env: dict | None = None) -> dict:
    """Like timed_process, with the child's own peak RSS from os.wait4 (output goes to files)."""
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    log = Path(env.get("BENCH_LOG", "/dev/null")) if env else Path("/dev/null")
    with open(log, "wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=ROOT, env=environment, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"argv": [str(a) for a in argv], "seconds": wall, "peak_mb": usage.ru_maxrss / 1024,
            "returncode": process.returncode, "load_before": os.getloadavg()[0]}


def help_time(repeats: int = 5) -> dict:
    """Median wall time of `claimcheck --help` over a few runs (after one warm-up run)."""
    timed_process([str(CLAIMCHECK), "--help"])
    times = [timed_process([str(CLAIMCHECK), "--help"])["seconds"] for _ in range(repeats)]
    return {"median_s": statistics.median(times), "min_s": min(times), "runs": times}


def bare_python_time(repeats: int = 5) -> dict:
    """The peer of --help: a Python interpreter that starts and exits."""
    times = [timed_process([sys.executable, "-c", "pass"])["seconds"] for _ in range(repeats)]
    return {"median_s": statistics.median(times), "runs": times}


def bare_model_load() -> dict:
    """The peer of an incremental add: a fresh process that loads sentence-transformers fp32 and embeds one text."""
    script = ("from claimcheck.embed import default_model_path; from sentence_transformers import SentenceTransformer;"
              " SentenceTransformer(str(default_model_path()), device='cpu', local_files_only=True).encode(['x'])")
    return timed_process_rss([sys.executable, "-c", script])


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (an odd number of runs), with every run's seconds beside it."""
    middle = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    return {**middle, "runs": [run["seconds"] for run in runs]}


def report_run(paths: list[Path], db: Path, out: Path, log: Path) -> dict:
    """`claimcheck report PATHS --db DB --out OUT` in a fresh process, plus which heavy libraries it imported."""
    probe = log.with_suffix(".imports.json")
    probe.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "bench.cli_probe", "report", *map(str, paths), "--db", str(db), "--out", str(out)]
    result = timed_process_rss(argv, {"BENCH_PROBE_OUT": str(probe), "BENCH_LOG": str(log)})
    result["imported"] = json.loads(probe.read_text()) if probe.exists() else {}
    return result


def fresh_db(db: Path) -> None:
    """Delete a database and its FAISS cache."""
    for suffix in ("", "-wal", "-shm", ".faiss", ".faiss.json", ".faiss.recent", ".phrases.npz"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def copy_db(source: Path, target: Path) -> None:
    """Copy a database with its FAISS cache (the incremental run must not change the stage database)."""
    fresh_db(target)
    for suffix in ("", "-wal", ".faiss", ".faiss.json", ".faiss.recent", ".phrases.npz"):
        if Path(str(source) + suffix).exists():
            shutil.copyfile(str(source) + suffix, str(target) + suffix)
    # Written out before the timed run starts: otherwise the kernel flushes the 760 MB copy (100k claims) while
    # the run is measured, and the add is timed against its own benchmark's disk writes.
    os.sync()

"""Real news: `claimcheck report` on each topic of ../shared/realnews, scored by that folder's own score.py.

The scorer is imported from where it lies (never copied): it runs the installed `claimcheck` command on a copy
of each topic's .txt pages, reads `claimcheck flags --json` and matches flags to the hand-labelled gold.json.
This section adds what its summary leaves out: conflicts and updates counted apart, and every conflict flag the
gold does not judge, listed by values and page names for a person to read. No sentence of the pages is written
here: their licences forbid copying them into the project.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .common import Context, pct, table

REPO = Path(__file__).resolve().parents[1]
REALNEWS = REPO.parent / "shared" / "realnews"


def _scorer():
    spec = importlib.util.spec_from_file_location("realnews_score", REALNEWS / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _claimcheck() -> str:
    """The claimcheck command of this environment (the one `make eval` installed)."""
    return str(Path(sys.executable).with_name("claimcheck"))


def _verdict(score, flag: dict, gold: dict) -> str:
    """The scorer's judgement of one flag (the same rules as score.py's score_topic)."""
    conflict = flag.get("relation", "conflict") == "conflict"
    on = lambda key: any(score.matches(flag, d) for d in gold.get(key, []))  # noqa: E731
    if conflict and on("disagreements") or flag.get("relation") == "update" and on("evolving"):
        return "right"
    if on("traps") or (conflict and on("evolving")):
        return "wrong"
    if flag.get("relation") in ("update", "revision") and on("disagreements"):
        return "wrong"
    return "unjudged"


def score_topic(score, folder: Path) -> tuple[dict, list[tuple[dict, str]]]:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="cc-realnews-"))
    corpus = work / folder.name
    corpus.mkdir()
    for page in folder.glob("*.txt"):
        shutil.copy(page, corpus)
    db = str(work / "claimcheck.db")
    done = score.run(_claimcheck(), ["report", str(corpus), "--db", db, "--out", str(work / "report.md")], str(work))
    if done.returncode not in (0, 2):
        raise RuntimeError(f"report failed on {folder.name}: {(done.stderr or done.stdout)[-300:]}")
    flags = score.flags_of(_claimcheck(), db, str(work))
    wanted = [d for d in gold["disagreements"] if d.get("strength") in ("strong", "medium")]
    found = [d for d in wanted if any(f.get("relation", "conflict") == "conflict" and score.matches(f, d)
                                      for f in flags)]
    judged = [(f, _verdict(score, f, gold)) for f in flags]
    conflicts = [(f, v) for f, v in judged if f.get("relation", "conflict") == "conflict"]
    updates = [(f, v) for f, v in judged if f.get("relation") == "update"]
    shutil.rmtree(work, ignore_errors=True)
    row = {"topic": folder.name, "pages": len(list(folder.glob("*.txt"))), "gold": len(wanted), "found": len(found),
           "flags": len(flags), "right": sum(v == "right" for _, v in judged),
           "wrong": sum(v == "wrong" for _, v in judged), "conflicts": len(conflicts),
           "conflicts right": sum(v == "right" for _, v in conflicts),
           "conflicts wrong": sum(v == "wrong" for _, v in conflicts), "updates": len(updates),
           "updates right": sum(v == "right" for _, v in updates),
           "updates wrong": sum(v == "wrong" for _, v in updates)}
    return row, [(f, v) for f, v in conflicts if v != "right"]


def evaluate_realnews(ctx: Context) -> str:
    if not (REALNEWS / "score.py").is_file():
        return f"## Real news\n\nNot run: {REALNEWS} is not there."
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    score = _scorer()
    rows, unjudged = [], []
    for folder in sorted(p for p in REALNEWS.iterdir() if (p / "gold.json").is_file()):
        row, others = score_topic(score, folder)
        rows.append(row)
        unjudged += [(folder.name, f, v) for f, v in others]
    total = {key: sum(r[key] for r in rows) for key in rows[0] if key != "topic"}
    keys = ["pages", "gold", "found", "flags", "right", "wrong", "conflicts", "conflicts right", "conflicts wrong",
            "updates", "updates right", "updates wrong"]
    out = [
        "## Real news (../shared/realnews, scored by its score.py)", "",
        "90 real pages on three stories, labelled by hand. *found*: strong/medium gold disagreements matched by a "
        "conflict flag; *right*: a conflict on a labelled disagreement or an update on a labelled evolving figure; "
        "*wrong*: a conflict on a trap or an evolving figure, an update on a trap or a disagreement. The rest is "
        "unjudged (listed below for reading).", "",
        table(["topic", *keys], [[r["topic"], *(r[k] for k in keys)] for r in rows]
              + [["**total**", *(total[k] for k in keys)]]), "",
        f"Recall of strong/medium disagreements: **{pct(total['found'] / max(total['gold'], 1))} %**; conflict flags "
        f"matching a labelled disagreement: {total['conflicts right']} of {total['conflicts']}; wrong: "
        f"{total['conflicts wrong']} conflicts, {total['updates wrong']} updates.", "",
        "### Conflict flags the gold does not judge", "",
    ]
    for topic, flag, verdict in unjudged:
        out.append(f"- {topic} · {verdict} · **{flag.get('value_a')}** vs **{flag.get('value_b')}** "
                   f"({flag.get('kind')}) · {Path(str(flag.get('article_a'))).name} / "
                   f"{Path(str(flag.get('article_b'))).name}")
    return "\n".join(out)

"""Loaders for the shared labelled data (formats: ../shared/eval/README.md). Nothing here is copied into the repo."""

from __future__ import annotations

import csv
import json
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval"


def load_mrpc(data: Path) -> list[dict]:
    """MRPC train split: {"label": 0|1, "a", "b"}. TSV with a BOM; quotes are literal text, not CSV quoting."""
    rows = []
    with open(data / "mrpc" / "msr_paraphrase_train.txt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for fields in reader:
            rows.append({"label": int(fields[0]), "id_a": fields[1], "id_b": fields[2], "a": fields[3], "b": fields[4]})
    return rows


def load_rte3(data: Path) -> list[dict]:
    """RTE-3 dev with three-way labels: {"id", "label", "premise", "hypothesis", ...}."""
    with open(data / "rte3" / "rte3_dev_3way_en.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_equate(data: Path) -> list[dict]:
    """EQUATE subsets: {"subset", "label" (lower-cased answer), "a", "b"}."""
    rows = []
    for path in sorted((data / "equate").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                rows.append({"subset": item.get("EQUATE") or path.stem, "label": item["answer"].strip().lower(),
                             "a": item["statement1"], "b": item["statement2"]})
    return rows


def load_polnear_relations(data: Path, split: str = "dev") -> list[dict]:
    """PolNeAR relations of one split (one JSON object per relation, spans resolved against the .txt)."""
    relations = []
    with open(data / "polnear" / "attributions_flat.jsonl", encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if item.get("split") == split:
                relations.append(item)
    return relations


def read_polnear_text(data: Path, split: str, article: str) -> str:
    """An article exactly as annotated: bytes decoded as UTF-8 (no newline translation), so offsets hold."""
    return (data / "polnear" / "data" / split / "text" / f"{article}.txt").read_bytes().decode("utf-8")

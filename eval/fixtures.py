"""claimcheck's own hand-made fixtures, run through the real pipeline (ingest -> pair -> check) into a temp DB.

tests/data/conflicts/expected.json lists numeric/date conflicts and equivalences; tests/data/attribution/expected.json
lists speaker conflicts and agreements. A flag matches an expected item when it joins the same two files and each
expected sentence is contained in the flagged claim on its side (quotes and spaces normalised, either order).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from claimcheck import pipeline, store
from claimcheck.config import Settings

from .common import Context, pct, prf, shorten, table, timed

REPO = Path(__file__).resolve().parents[1]
FIXTURES = (("conflicts", ("numeric", "date")), ("attribution", ("attribution",)))
QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
EDGE = " \"',.:;!?"


def normalise(text: str) -> str:
    """Lower case, straight quotes and hyphens, single spaces, no quote/punctuation at the ends."""
    return " ".join(text.translate(QUOTES).split()).lower().strip(EDGE)


def same_sentence(expected: str, claim: str) -> bool:
    """The claim is the expected sentence, contains it, or is a piece of it (segmentation may split off a
    closing quote or a continuation)."""
    expected, claim = normalise(expected), normalise(claim)
    return expected in claim or (len(claim) >= 20 and claim in expected)


def matches(flag: dict, item: dict) -> bool:
    """Whether a stored flag (or agreement) is about the expected item's two sentences."""
    a, b, sa, sb = flag["text_a"], flag["text_b"], item["sentence_a"], item["sentence_b"]
    files = (Path(flag["article_a"]).name, Path(flag["article_b"]).name)
    same_order = files == (item["file_a"], item["file_b"]) and same_sentence(sa, a) and same_sentence(sb, b)
    swapped = files == (item["file_b"], item["file_a"]) and same_sentence(sa, b) and same_sentence(sb, a)
    kind_ok = "kind" not in item or flag["kind"] == item["kind"]
    return kind_ok and (same_order or swapped)


def run_folder(ctx: Context, folder: Path, tmp: Path) -> tuple[list[dict], list[dict]]:
    """Flags and agreements of one fixture folder after a full pipeline run."""
    db_path = tmp / f"{folder.name}.db"
    db = store.open_db(db_path)
    pipeline.run_report(db, Settings(db_path=db_path), [folder], tmp / f"{folder.name}.md", embedder=ctx.embedder)
    return store.flags(db), store.agreements(db)


def evaluate_fixtures(ctx: Context) -> str:
    out = ["## Hand-made fixtures (tests/data), full pipeline", "",
           "Precision = flags of the fixture's kinds that match an expected conflict / all such flags; recall = "
           "expected conflicts flagged / expected conflicts; equivalences wrongly flagged = expected `agree` items "
           "that got a flag; agreements recorded = expected `agree` items stored as agreements.", ""]
    rows, details = [], []
    with tempfile.TemporaryDirectory() as tmp_name, timed(ctx, "fixtures pipeline"):
        for name, kinds in FIXTURES:
            folder = REPO / "tests" / "data" / name
            expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
            flags, agreements = run_folder(ctx, folder, Path(tmp_name))
            relevant = [f for f in flags if f["kind"] in kinds]
            conflicts = [item for item in expected if item["verdict"] == "conflict"]
            equivalences = [item for item in expected if item["verdict"] != "conflict"]
            good_flags = [f for f in relevant if any(matches(f, item) for item in conflicts)]
            found = [item for item in conflicts if any(matches(f, item) for f in relevant)]
            wrong = [item for item in equivalences if any(matches(f, item) for f in relevant)]
            agreed = [item for item in equivalences if any(matches(a, item) for a in agreements)]
            p, r, f1 = prf(len(good_flags), len(relevant), len(conflicts))
            # Precision counts flags, recall counts expected items (one item may be flagged twice).
            rows.append([name, "/".join(kinds), len(expected), len(relevant), pct(p), f"{len(found)}/{len(conflicts)}",
                         pct(r), f"{len(wrong)}/{len(equivalences)}", f"{len(agreed)}/{len(equivalences)}",
                         len(flags) - len(relevant)])
            for item in conflicts:
                if item not in found:
                    details.append(f"- {name}: **missed** {item.get('kind', 'attribution')} "
                                   f"{item.get('value_a', item.get('speaker_a'))!r} vs "
                                   f"{item.get('value_b', item.get('speaker_b'))!r} "
                                   f"({item['file_a']} / {item['file_b']})")
            for item in wrong:
                details.append(f"- {name}: **equivalence flagged** {item.get('value_a', item.get('speaker_a'))!r} vs "
                               f"{item.get('value_b', item.get('speaker_b'))!r} ({item['file_a']} / {item['file_b']})")
            for flag in relevant:
                if flag not in good_flags:
                    details.append(f"- {name}: **unexpected flag** {flag['kind']} {flag['value_a']!r} vs "
                                   f"{flag['value_b']!r} ({flag['article_a']} / {flag['article_b']}): "
                                   f"{shorten(flag['text_a'], 90)} ‖ {shorten(flag['text_b'], 90)}")
    out.append(table(["fixture", "kinds", "expected items", "flags", "precision %", "conflicts found", "recall %",
                      "equivalences wrongly flagged", "agreements recorded", "flags of other kinds"], rows))
    out.append("")
    out += details or ["All expected conflicts found, no unexpected flags."]
    return "\n".join(out)

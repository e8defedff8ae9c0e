"""A finding said again in other sentences of the same two articles (a headline and its lead) is one finding: listed
once with where else it is said, and decided once for all its flags, in the report, the CLI and the review page."""

import re
import sqlite3
from pathlib import Path

from starlette.testclient import TestClient

from claimcheck import embed, report, repeats, store, web


def flag(id_, a=1, value_a="3,000", b=2, value_b="5,000", relation="conflict", kind="numeric"):
    return {"id": id_, "article_id_a": a, "value_a": value_a, "article_id_b": b, "value_b": value_b,
            "relation": relation, "kind": kind, "verdict": "conflict"}


def test_the_same_two_articles_and_values_either_way_round_are_one_finding():
    rows = [flag("first"), flag("swapped", a=2, value_a="5,000", b=1, value_b="3,000"), flag("other-value", value_b="6,000"),
            flag("an-update", relation="update"), flag("other-article", b=3), flag("a-date", kind="date"), flag("again")]
    folded = repeats.fold(rows)
    assert [row["id"] for row in folded] == ["first", "other-value", "an-update", "other-article", "a-date"]
    assert [row["id"] for row in folded[0]["repeats"]] == ["swapped", "again"]
    assert {row["id"]: row["repeat_of"] for row in rows}["again"] == "first"
    assert repeats.group_of(rows, "swapped") == ["swapped", "first", "again"]


def _add_repeat(db_path: Path, flag_id: str, new_id: str) -> None:
    """A copy of the flag whose side A is another sentence of the same article."""
    with sqlite3.connect(db_path) as conn:
        [claim_a] = conn.execute("SELECT claim_a FROM flags WHERE id = ?", [flag_id]).fetchone()
        [other] = conn.execute("SELECT id FROM claims WHERE article_id = (SELECT article_id FROM claims WHERE id = ?)"
                               " AND id != ? ORDER BY id LIMIT 1", [claim_a, claim_a]).fetchone()
        columns = ", ".join(row[1] for row in conn.execute("PRAGMA table_info(flags)"))
        conn.execute(f"INSERT INTO flags ({columns}) SELECT {columns.replace('id,', '?,', 1)} FROM flags WHERE id = ?",
                     [new_id, flag_id])
        conn.execute("UPDATE flags SET claim_a = ?, confidence = confidence - 0.01 WHERE id = ?", [other, new_id])


SANGATTE = "6a58d66241"  # 2002 vs 2003, the year Sangatte closed (tests/test_web.py)


def test_the_report_lists_a_finding_once_with_where_else_it_is_said(review_settings):
    _add_repeat(review_settings.db_path, SANGATTE, "repeat0001")
    db = store.open_db(review_settings.db_path)
    markdown = report.render(report.gather(db), review_settings.db_path.parent)
    assert f"**`{SANGATTE}`**" in markdown and "**`repeat0001`**" not in markdown
    block = markdown[markdown.index(f"**`{SANGATTE}`**"):].split("\n- ")[0]
    assert "Also said in:" in block


def test_a_decision_on_the_review_page_covers_the_flags_repeating_it(review_settings):
    _add_repeat(review_settings.db_path, SANGATTE, "repeat0001")
    http = TestClient(web.create_app(review_settings, embedder=embed.HashEmbedder()), base_url="http://127.0.0.1:8321")
    page = http.get(f"/flags/{SANGATTE}")
    assert 'id="repeats"' in page.text and "/flags/repeat0001" in page.text
    assert "repeat0001" not in {row["id"] for row in http.get("/?format=json").json()["flags"]}
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    response = http.post(f"/flags/{SANGATTE}/review?format=json", data={"csrf_token": csrf, "decision": "dismiss"})
    assert response.json()["status"] == "dismissed"
    db = store.open_db(review_settings.db_path)
    assert {row["id"]: row["status"] for row in store.flags(db, status="dismissed")} == {
        SANGATTE: "dismissed", "repeat0001": "dismissed"}


def test_exports_keep_every_flag_marked_and_one_claimreview_per_finding(review_settings):
    import csv
    import io
    import json

    from claimcheck import review

    _add_repeat(review_settings.db_path, SANGATTE, "repeat0001")
    db = store.open_db(review_settings.db_path)
    assert review.decide(db, "repeat0001", "confirmed", "closed in 2002") == 2
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(review.export(db, "flags", "csv")[1]))}
    assert (rows[SANGATTE]["repeats"], rows[SANGATTE]["repeat_of"]) == ("repeat0001", "")
    assert rows["repeat0001"]["repeat_of"] == SANGATTE
    reviews = json.loads(review.export(db, "flags", "claimreview")[1])  # one per side of the one finding
    assert sorted(r["identifier"] for r in reviews) == [f"claimcheck:{SANGATTE}:a", f"claimcheck:{SANGATTE}:b"]

"""Every command through typer's CliRunner: exit codes, database contents, output and error messages."""

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from claimcheck import store
from claimcheck.cli import app

runner = CliRunner()


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


@pytest.fixture
def reported(tmp_path, basic_dir, fake_model):
    """A database with the basic test articles reported; returns its path."""
    db = tmp_path / "cli.db"
    result = invoke("report", str(basic_dir), "--db", str(db), "--out", str(tmp_path / "out.md"))
    assert result.exit_code == 0, result.output
    return db


def test_report_prints_where_it_wrote_and_fills_the_database(tmp_path, basic_dir, fake_model):
    db, out = tmp_path / "x.db", tmp_path / "x.md"
    result = invoke("report", str(basic_dir), "--db", str(db), "--out", str(out))
    assert result.exit_code == 0
    assert f"Report written to {out}" in result.output
    assert "Articles: 4 new, 0 replaced, 0 unchanged." in result.output
    assert "## Conflicts" in out.read_text()
    assert store.counts(store.open_db(db))["articles"] == 4


def test_ingest_then_compare_equals_report(tmp_path, basic_dir, fake_model):
    db = tmp_path / "y.db"
    assert invoke("ingest", str(basic_dir), "--db", str(db)).exit_code == 0
    result = invoke("compare", "--db", str(db))
    assert result.exit_code == 0 and "pairs checked" in result.output
    assert store.counts(store.open_db(db))["pairs"] > 0


def test_query_json_follows_the_contract(reported):
    result = invoke("query", "When did the Sangatte camp close?", "-k", "3", "--json", "--db", str(reported))
    hits = json.loads(result.output)
    assert 1 <= len(hits) <= 3
    assert {"article", "text", "score"} <= set(hits[0])
    assert "Sangatte" in hits[0]["text"]
    assert hits == sorted(hits, key=lambda h: -h["score"])


def test_query_file_answers_each_line_in_order(reported, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("Sangatte closed in 2002\n\nHow many migrants are in Calais?\nOperation Stack on the M20\n")
    result = invoke("query", "--file", str(questions), "--json", "-k", "2", "--db", str(reported))
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert len(answers) == 3
    assert "Sangatte" in answers[0][0]["text"]
    assert "M20" in answers[2][0]["text"]


def test_query_filters_by_article_and_min_score(reported):
    result = invoke("query", "migrants living around Calais", "--article", "beta", "--json", "--db", str(reported))
    assert {hit["article"] for hit in json.loads(result.output)} == {"beta.txt"}
    result = invoke("query", "migrants living around Calais", "--min-score", "9", "--json", "--db", str(reported))
    assert json.loads(result.output) == []


def test_flags_table_names_each_flags_relation(reported):
    def relations() -> dict[str, str]:
        lines = invoke("flags", "--db", str(reported)).output.splitlines()
        assert lines[0].split()[:6] == ["ID", "KIND", "RELATION", "STATUS", "CONF", "VALUES"]
        return {line.split()[0]: line.split()[2] for line in lines[1:] if not line.startswith(" ")}

    [flag] = json.loads(invoke("flags", "--json", "--db", str(reported)).output)
    assert relations() == {flag["id"]: "conflict"}
    with sqlite3.connect(reported) as conn:  # the flag as the checks write a figure that changed between dates
        conn.execute("UPDATE flags SET relation = 'update', verdict = 'update' WHERE id = ?", [flag["id"]])
    assert relations() == {flag["id"]: "update"}


def test_flags_list_conflicts_before_updates_each_most_confident_first(reported):
    [flag] = json.loads(invoke("flags", "--json", "--db", str(reported)).output)
    with sqlite3.connect(reported) as conn:  # two more flags on the same pair: a surer update, a weaker conflict
        columns = [row[1] for row in conn.execute("PRAGMA table_info(flags)")]
        copy = ", ".join(columns)
        for new_id, relation, confidence in (("update-1", "update", 0.99), ("conflict-2", "conflict", 0.31)):
            conn.execute(f"INSERT INTO flags ({copy}) SELECT {copy.replace('id,', '?,', 1)} FROM flags WHERE id = ?",
                         [new_id, flag["id"]])
            conn.execute("UPDATE flags SET relation = ?, confidence = ? WHERE id = ?", [relation, confidence, new_id])
    listed = [row["id"] for row in json.loads(invoke("flags", "--json", "--repeats", "--db", str(reported)).output)]
    assert listed == [flag["id"], "conflict-2", "update-1"]  # conflict-2 repeats the first: listed with --repeats


def _repeat_flag(db_path, flag_id: str, new_id: str, claim_a: int) -> None:
    """A copy of a flag with another sentence of the same article on side A: the same finding said again."""
    with sqlite3.connect(db_path) as conn:
        columns = ", ".join(row[1] for row in conn.execute("PRAGMA table_info(flags)"))
        conn.execute(f"INSERT INTO flags ({columns}) SELECT {columns.replace('id,', '?,', 1)} FROM flags WHERE id = ?",
                     [new_id, flag_id])
        conn.execute("UPDATE flags SET claim_a = ?, confidence = confidence - 0.01 WHERE id = ?", [claim_a, new_id])


def test_a_finding_said_in_two_sentences_is_listed_once_and_decided_once(reported):
    """A headline and its lead giving the same two values: one finding, its repeat listed under it, one decision
    recorded for both."""
    [flag] = json.loads(invoke("flags", "--json", "--db", str(reported)).output)
    with sqlite3.connect(reported) as conn:
        [claim_a] = conn.execute("SELECT claim_a FROM flags WHERE id = ?", [flag["id"]]).fetchone()
        [other] = conn.execute("SELECT id FROM claims WHERE article_id = (SELECT article_id FROM claims WHERE id = ?)"
                               " AND id != ? LIMIT 1", [claim_a, claim_a]).fetchone()
    _repeat_flag(reported, flag["id"], "repeat-1", other)
    listed = json.loads(invoke("flags", "--json", "--db", str(reported)).output)
    assert [(row["id"], row["repeats"]) for row in listed] == [(flag["id"], ["repeat-1"])]
    every = json.loads(invoke("flags", "--json", "--repeats", "--db", str(reported)).output)
    assert [(row["id"], row["repeat_of"]) for row in every] == [(flag["id"], None), ("repeat-1", flag["id"])]
    assert "Also said in" in invoke("show", flag["id"], "--db", str(reported)).output
    result = invoke("review", "repeat-1", "--dismiss", "--note", "one figure, two outlets' rounding", "--db", str(reported))
    assert result.exit_code == 0 and "with the 1 flag(s) repeating it" in result.output
    dismissed = json.loads(invoke("flags", "--json", "--repeats", "--status", "dismissed", "--db", str(reported)).output)
    assert {(row["id"], row["note"]) for row in dismissed} == {(flag["id"], "one figure, two outlets' rounding"),
                                                               ("repeat-1", "one figure, two outlets' rounding")}
    assert json.loads(invoke("flags", "--json", "--status", "open", "--db", str(reported)).output) == []


def test_flags_json_follows_the_contract(reported):
    flags = json.loads(invoke("flags", "--json", "--db", str(reported)).output)
    assert flags
    required = {"id", "kind", "status", "article_a", "article_b", "text_a", "text_b", "value_a", "value_b", "similarity", "reason"}
    for flag in flags:
        assert required <= set(flag)
        assert flag["kind"] in {"numeric", "date", "attribution"}
        assert flag["status"] == "open"
    migrants = next(f for f in flags if {f["value_a"], f["value_b"]} == {"An estimated 3,000", "Around 5,000"})
    assert {migrants["article_a"], migrants["article_b"]} == {"alpha.md", "beta.txt"}


def test_show_prints_both_claims_in_context_with_the_reason(reported):
    flag = json.loads(invoke("flags", "--json", "--db", str(reported)).output)[0]
    result = invoke("show", flag["id"][:6], "--db", str(reported))
    assert result.exit_code == 0
    assert flag["reason"] in result.output
    assert flag["text_a"].split()[0] in result.output and "alpha.md" in result.output


def test_review_records_a_decision_that_filters_and_reports_see(reported, tmp_path):
    flag_id = json.loads(invoke("flags", "--json", "--db", str(reported)).output)[0]["id"]
    result = invoke("review", flag_id, "--dismiss", "--note", "different counts", "--by", "ana", "--db", str(reported))
    assert result.exit_code == 0 and "dismissed" in result.output
    dismissed = json.loads(invoke("flags", "--status", "dismissed", "--json", "--db", str(reported)).output)
    assert [f["id"] for f in dismissed] == [flag_id] and dismissed[0]["note"] == "different counts"
    assert json.loads(invoke("flags", "--status", "open", "--json", "--db", str(reported)).output) == [
        f for f in json.loads(invoke("flags", "--json", "--db", str(reported)).output) if f["id"] != flag_id
    ]
    out = tmp_path / "again.md"
    invoke("report", str(tmp_path / "basic"), "--db", str(reported), "--out", str(out))
    assert "dismissed flag(s) are not shown" in out.read_text()


def test_interactive_review_walks_open_flags_from_stdin(reported):
    n_open = len(json.loads(invoke("flags", "--status", "open", "--json", "--db", str(reported)).output))
    answers = "c\nreal conflict\n" + "s\n" * (n_open - 1)
    result = invoke("review", "--by", "bo", "--db", str(reported), input=answers)
    assert result.exit_code == 0, result.output
    confirmed = json.loads(invoke("flags", "--status", "confirmed", "--json", "--db", str(reported)).output)
    assert len(confirmed) == 1 and confirmed[0]["note"] == "real conflict" and confirmed[0]["reviewer"] == "bo"


def test_review_needs_exactly_one_decision(reported):
    result = invoke("review", "abc", "--db", str(reported))
    assert result.exit_code == 1 and "exactly one of --confirm or --dismiss" in result.output


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
@pytest.mark.parametrize("what", ["flags", "pairs", "claims"])
def test_export_every_format(reported, tmp_path, fmt, what):
    out = tmp_path / f"export.{fmt}"
    result = invoke("export", "--format", fmt, "--what", what, "--out", str(out), "--db", str(reported))
    assert result.exit_code == 0
    text = out.read_text()
    if fmt == "json":
        assert isinstance(json.loads(text), list) and json.loads(text)
    elif fmt == "jsonl":
        assert all(json.loads(line) for line in text.splitlines())
    else:
        assert text.splitlines()[0].startswith("id,")


def test_articles_and_stats(reported):
    listing = json.loads(invoke("articles", "--json", "--db", str(reported)).output)
    assert {row["name"] for row in listing} == {"alpha.md", "beta.txt", "articles.jsonl#g1", "articles.jsonl#g2"}
    alpha = next(row for row in listing if row["name"] == "alpha.md")
    assert alpha["outlet"] == "Channel Gazette" and alpha["n_flags"] >= 1
    info = json.loads(invoke("stats", "--json", "--db", str(reported)).output)
    assert info["counts"]["articles"] == 4 and info["models"] == {"hash-test": info["counts"]["embeddings"]}
    assert "exact" in info["index"]


# --- errors: one line, no traceback, non-zero exit ------------------------------------------------


def test_a_batch_with_bad_files_ingests_the_good_ones_and_exits_2(tmp_path, basic_dir, fake_model):
    (basic_dir / "broken.txt").write_bytes(b"%PDF-1.4 binary")
    result = invoke("ingest", str(basic_dir), str(tmp_path / "missing.txt"), "--db", str(tmp_path / "z.db"))
    assert result.exit_code == 2
    assert "binary file: this is a PDF" in result.output
    assert "missing.txt: no such file or folder" in result.output
    assert "Articles: 4 new" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "x", "-k", "0"], "-k must be at least 1"),
        (["ingest", "seeds", "--max-mb", "0"], "--max-mb must be more than 0"),
        (["query"], "give a TEXT to search for"),
        (["flags", "--kind", "money"], "unknown --kind 'money'"),
        (["flags", "--status", "maybe"], "unknown --status 'maybe'"),
        (["show", "nope"], "no flag with id 'nope'"),
        (["export", "--format", "xml"], "unknown --format 'xml'"),
        (["export", "--out", "/no/such/folder/x.json"], "the folder for --out does not exist"),
        (["report", "--out", "/no/such/folder/r.md"], "the folder for the report does not exist"),
    ],
)
def test_user_mistakes_get_one_clear_line(tmp_path, basic_dir, fake_model, args, message):
    db = tmp_path / "e.db"
    if args[0] == "report":
        args = [*args, str(basic_dir)]
    result = invoke(*args, "--db", str(db))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    result = invoke("stats", "--db", str(bogus))
    assert result.exit_code == 1 and "is not a usable claimcheck database" in result.output


def _write_sql(path, sql: str) -> None:
    """One statement written into a SQLite file behind claimcheck's back."""
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_a_database_from_a_newer_claimcheck_is_refused(tmp_path):
    path = tmp_path / "new.db"
    store.open_db(path).close()
    _write_sql(path, "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('claimcheck', 'm999_future', 'x')")
    result = invoke("stats", "--db", str(path))
    assert result.exit_code == 1 and "written by a newer claimcheck" in result.output


def test_another_apps_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    _write_sql(path, "CREATE TABLE recipes (name TEXT)")
    result = invoke("stats", "--db", str(path))
    assert result.exit_code == 1 and "not made by claimcheck" in result.output


def test_unknown_model_is_refused_without_a_download(tmp_path, basic_dir):
    db = tmp_path / "m.db"
    invoke("ingest", str(basic_dir), "--db", str(db))
    result = invoke("compare", "--db", str(db), "--model", "no-such-org/no-such-model")
    assert result.exit_code == 1
    assert "cannot load model 'no-such-org/no-such-model' offline" in result.output


def test_help_does_not_import_torch_or_spacy():
    import subprocess
    import sys

    code = "import sys; from claimcheck.cli import app; print('torch' in sys.modules, 'spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"


def test_a_decision_survives_a_full_rerun_with_a_changed_article(reported, tmp_path):
    basic = tmp_path / "basic"
    flag = next(f for f in json.loads(invoke("flags", "--json", "--db", str(reported)).output)
                if "alpha.md" in (f["article_a"], f["article_b"]))
    invoke("review", flag["id"], "--confirm", "--note", "checked with the council", "--db", str(reported))
    alpha = basic / "alpha.md"
    alpha.write_text(alpha.read_text().replace("Ferry workers went on strike on Monday", "Ferry staff walked out on Monday"))
    result = invoke("report", str(basic), "--db", str(reported), "--out", str(tmp_path / "r2.md"))
    assert "1 replaced" in result.output
    again = {f["id"]: f for f in json.loads(invoke("flags", "--json", "--db", str(reported)).output)}
    assert again[flag["id"]]["status"] == "confirmed"
    assert again[flag["id"]]["note"] == "checked with the council"
    assert f"`{flag['id']}`" in (tmp_path / "r2.md").read_text()


def test_check_flags_a_date_conflict_and_reports_both_sides(fake_model):
    result = invoke("check", "The camps at Sangatte were closed in 2002 after riots.",
                    "The French government closed the Sangatte camp near Calais in 2003.", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"similarity", "paired", "flags", "a", "b"} <= set(out)
    [flag] = out["flags"]
    assert (flag["kind"], flag["value_a"], flag["value_b"]) == ("date", "2002", "2003")
    assert {"reason", "confidence"} <= set(flag)
    assert [q["value"] for q in out["a"]["quantities"]] == [2002.0]
    assert out["a"]["speaker"] is None


def test_check_pairs_file_passes_extra_fields_through_one_line_each(fake_model, tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        json.dumps({"id": 1, "a": "Mrs May pledged £7m.", "b": "Mrs May pledged £7,000,000."}) + "\n"
        + json.dumps({"id": 2, "a": "Around 5,000 migrants are living in and around Calais.", "b": "An estimated 3,000 migrants are living in and around Calais."}) + "\n"
    )
    result = invoke("check", "--pairs", str(pairs))
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["id"] for line in lines] == [1, 2]
    assert lines[0]["flags"] == [] and lines[0]["agreements"][0]["kind"] == "numeric"
    assert [(f["value_a"], f["value_b"]) for f in lines[1]["flags"]] == [("Around 5,000", "An estimated 3,000")]


def test_check_pairs_file_with_a_bad_line_names_it(fake_model, tmp_path):
    pairs = tmp_path / "bad.jsonl"
    pairs.write_text('{"a": "x", "b": "y"}\n{"a": "only a"}\n')
    result = invoke("check", "--pairs", str(pairs))
    assert result.exit_code == 1 and 'line 2 needs "a" and "b" strings' in result.output


def test_extract_gives_offsets_into_the_text_as_read():
    text = 'Kent Police said 2,000 bottles of water were handed out.\nMrs May said: "We have had a very constructive meeting."'
    out = json.loads(invoke("extract", text, "--json").output)
    assert [c["text"] for c in out["claims"]][0].startswith("Kent Police said")
    [bottles] = [q for q in out["quantities"] if q["value"] == 2000.0]
    assert text[bottles["start"]:bottles["end"]] == bottles["text"] == "2,000"
    keys = {"speaker", "speaker_start", "speaker_end", "canonical", "cue", "content", "content_start", "content_end"}
    assert all(keys <= set(a) for a in out["attributions"])
    may = next(a for a in out["attributions"] if "constructive" in a["content"])
    assert text[may["speaker_start"]:may["speaker_end"]] == "Mrs May"
    assert text[may["content_start"]:may["content_end"]] == may["content"]


def test_extract_reads_a_file(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("The camp at Sangatte closed in 2002 after riots near Calais.")
    out = json.loads(invoke("extract", str(article), "--json").output)
    assert out["quantities"][0]["text"] == "2002" and out["quantities"][0]["kind"] == "year"


def test_flags_carry_relation_measure_times_and_sources(reported):
    flags = json.loads(invoke("flags", "--json", "--db", str(reported)).output)
    assert {f["relation"] for f in flags} == {"conflict"}
    assert all(f["measure"] == f["about"] for f in flags)
    migrants = next(f for f in flags if f["value_a"] == "An estimated 3,000")
    # alpha.md is dated in its front matter, beta.txt by its dateline; each figure cites its source
    assert (migrants["time_a"], migrants["time_b"]) == ("2015-06-24", "2015-06-24")
    assert (migrants["source_a"], migrants["source_b"]) == ("officials", "charities")
    assert json.loads(invoke("flags", "--relation", "update", "--json", "--db", str(reported)).output) == []
    assert json.loads(invoke("flags", "--relation", "conflict", "--json", "--db", str(reported)).output) == flags
    result = invoke("flags", "--relation", "argument", "--db", str(reported))
    assert result.exit_code == 1 and "unknown --relation 'argument'" in result.output


def test_an_update_with_times_and_sources_reaches_flags_show_and_the_report(reported, tmp_path):
    database = store.open_db(reported)
    flag_id = json.loads(invoke("flags", "--json", "--db", str(reported)).output)[0]["id"]
    with store.transaction(database):
        database["flags"].update(flag_id, {"relation": "update", "measure": "migrants camped in Calais",
                                           "time_a": "2015-07", "time_b": "2015-08-01", "source_a": "the Home Office",
                                           "source_b": None})
    [update] = json.loads(invoke("flags", "--relation", "update", "--json", "--db", str(reported)).output)
    assert (update["id"], update["time_a"], update["source_a"], update["source_b"]) == (
        flag_id, "2015-07", "the Home Office", None)
    shown = invoke("show", flag_id, "--db", str(reported)).output
    assert "Relation: update" in shown and "Measure: migrants camped in Calais" in shown
    assert "Times:  2015-07  vs  2015-08-01" in shown and "Sources: the Home Office  vs  —" in shown
    out = tmp_path / "update.md"
    invoke("report", str(tmp_path / "basic"), "--db", str(reported), "--out", str(out))
    assert "Update: migrants camped in Calais · When: 2015-07 vs 2015-08-01 · Cited: the Home Office vs —" in out.read_text()


def test_query_right_after_ingest_embeds_what_is_missing_and_answers(tmp_path, basic_dir, fake_model):
    db = tmp_path / "ingested.db"
    assert invoke("ingest", str(basic_dir), "--db", str(db)).exit_code == 0
    assert store.counts(store.open_db(db))["embeddings"] == 0
    result = invoke("query", "When did the Sangatte camp close?", "-k", "2", "--json", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "Sangatte" in json.loads(result.output)[0]["text"]
    distinct = store.open_db(db).execute("SELECT count(DISTINCT text_hash) FROM claims").fetchone()[0]
    assert store.counts(store.open_db(db))["embeddings"] == distinct
    texts = fake_model.texts
    assert invoke("query", "Sangatte", "--db", str(db)).exit_code == 0
    assert fake_model.texts == texts + 1  # the second query embeds only itself


def test_query_on_an_empty_database_says_what_to_do_first(tmp_path, fake_model):
    result = invoke("query", "Sangatte", "--db", str(tmp_path / "empty.db"))
    assert result.exit_code == 1 and "no claims to search yet: `claimcheck ingest PATH`" in result.output


@pytest.mark.parametrize("content, message", [
    (b"%PDF-1.7 not text", "binary file: this is a PDF"),
    (b"", "empty file"),
])
def test_extract_refuses_what_ingest_refuses(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = invoke("extract", str(path))
    assert result.exit_code == 1 and f"bad.txt: {message}" in result.output


def test_extract_refuses_a_file_over_the_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("The camp at Sangatte closed in 2002 after riots near Calais. " * 40_000)
    result = invoke("extract", str(path), "--max-mb", "1")
    assert result.exit_code == 1 and "big.txt: too large (2 MB > 1 MB limit)" in result.output


ONE_LINERS = [
    ("The French government closed the Sangatte camp near Calais in 2002 after riots.",
     "The French government closed the Sangatte camp near Calais in 2003 after riots."),
    ('"We will not let the port be blocked again," said Charlie Elphicke.',
     '"We will not let the port be blocked again," said Theresa May.'),
    ("An estimated 3,000 migrants are living in camps around Calais.",
     "Around 5,000 migrants are living in camps around Calais."),
]


@pytest.mark.parametrize("text_a, text_b", ONE_LINERS)
def test_check_and_a_corpus_of_two_one_line_articles_find_the_same(tmp_path, fake_model, text_a, text_b):
    direct = json.loads(invoke("check", text_a, text_b, "--json").output)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(text_a + "\n")
    (corpus / "b.txt").write_text(text_b + "\n")
    db = tmp_path / "two.db"
    assert invoke("report", str(corpus), "--db", str(db), "--out", str(tmp_path / "two.md")).exit_code == 0
    stored = json.loads(invoke("flags", "--json", "--db", str(db)).output)
    keys = ("kind", "value_a", "value_b", "about", "measure", "relation", "reason", "confidence")
    assert direct["flags"] and [{k: f[k] for k in keys} for f in direct["flags"]] == [{k: f[k] for k in keys} for f in stored]
    agreed = store.agreements(store.open_db(db))
    assert [(a["kind"], a["value_a"], a["value_b"]) for a in direct["agreements"]] == [
        (a["kind"], a["value_a"], a["value_b"]) for a in agreed]


def test_compare_on_a_database_from_an_older_extractor_says_what_it_redid(reported):
    _write_sql(reported, "UPDATE articles SET facts_version = NULL")
    result = invoke("compare", "--db", str(reported))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Re-extracted 4 articles: the extractor changed (0 claims got other facts).\n")
    assert "Re-extracted" not in invoke("compare", "--db", str(reported)).output


def test_articles_say_how_each_article_is_dated(reported):
    listing = {row["name"]: row for row in json.loads(invoke("articles", "--json", "--db", str(reported)).output)}
    assert (listing["alpha.md"]["dated"], listing["alpha.md"]["dated_by"]) == ("2015-06-24", "published")
    assert (listing["beta.txt"]["dated"], listing["beta.txt"]["dated_by"]) == ("2015-06-24", "dateline")
    assert "dated 2015-06-24 (dateline)" in invoke("articles", "--db", str(reported)).output


def test_the_console_command_closes_its_database_as_it_exits(tmp_path, basic_dir, fake_model, monkeypatch):
    import gc
    import sys
    from pathlib import Path

    from claimcheck import cli

    db = tmp_path / "exit.db"
    monkeypatch.setattr(sys, "argv", ["claimcheck", "ingest", str(basic_dir), "--db", str(db)])
    collecting = gc.isenabled()
    gc.disable()  # or a collection might close a database the command left open, and hide it
    try:
        with pytest.raises(SystemExit) as exit_:
            cli.main()
        assert gc.get_freeze_count() > 0  # the exit's last look for cycles is skipped
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()
    assert exit_.value.code == 0
    assert not Path(f"{db}-wal").exists()  # closed: the WAL folded into the file
    assert store.counts(store.open_db(db))["articles"] == 4

"""Bad input, faults and hostile text, end to end: what tests/test_ingest.py's table of bad files does not cover.

| input                                   | expected                                                           |
|-----------------------------------------|--------------------------------------------------------------------|
| a 200 MB file (sparse)                  | skipped unread: "too large (200 MB > 20 MB limit) ... --max-mb", exit 2 |
| one 1 MB line with no full stop         | ingested; every claim ≤ 1500 characters with exact offsets          |
| an article longer than spaCy's chunk    | parsed in chunks; offsets and line numbers of the whole article    |
| UTF-8 with a byte-order mark            | no BOM in the text or the first claim                              |
| cp1252 / latin-1 bytes                  | decoded: "£7m" and curly quotes survive into claims and quantities |
| HTML with scripts and styles            | article text only; script/style text never becomes a claim         |
| ANSI escapes / control characters       | dropped from text, titles and names                                |
| the same text under two names           | stored once, both names remembered, across runs                    |
| --max-mb 0 or negative, -k 0 / -1       | one clear line, exit 1                                             |
| negative thresholds in Settings         | InputError naming the setting                                      |
| --db in a missing folder                | one clear line, exit 1                                             |
| an unknown model folder                 | "model not found", no download                                     |
| a title like x'); DROP TABLE claims; -- | stored verbatim, every table intact                                |
"""

import ast
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations
from typer.testing import CliRunner

from claimcheck import index, measure_pairs, pipeline, search, segment, store
from claimcheck.cli import app
from claimcheck.config import Settings
from claimcheck.errors import DatabaseError, InputError
from claimcheck.ingest import read_file

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def run(db, settings, paths, embedder, tmp_path):
    return pipeline.run_report(db, settings, paths, tmp_path / "report.md", embedder=embedder)


def claim_texts(db) -> list[str]:
    return [claim["text"] for claim in store.claims(db)]


def assert_offsets(db) -> None:
    for claim in store.claims(db):
        assert store.article(db, claim["article_id"])["text"][claim["start"] : claim["end"]] == claim["text"]


# --- files ------------------------------------------------------------------------------------


def test_a_200_mb_file_is_refused_by_size_before_reading(tmp_path, basic_dir, fake_model):
    huge = basic_dir / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(200_000_000)  # sparse: costs no disk, and would fail as NUL bytes if it were read
    result = invoke("ingest", str(basic_dir), "--db", str(tmp_path / "h.db"))
    assert result.exit_code == 2
    assert "huge.txt: too large (200 MB > 20 MB limit); split it or raise --max-mb" in result.output
    assert "Articles: 4 new" in result.output
    assert "Traceback" not in result.output


def test_a_1_mb_line_without_a_full_stop_is_cut_into_bounded_claims(db, settings, embedder, tmp_path):
    unit = "antidisestablishmentarianism " * 20 + "and 3,000 counterrevolutionaries gathered "
    line = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    (tmp_path / "runon.txt").write_text(line)
    started = time.monotonic()
    result = run(db, settings, [tmp_path / "runon.txt"], embedder, tmp_path)
    assert result.ingested.added == ["runon.txt"]
    lengths = [len(text) for text in claim_texts(db)]
    assert len(lengths) > 600 and max(lengths) <= segment.MAX_CLAIM_CHARS
    assert_offsets(db)
    assert time.monotonic() - started < 120  # linear: ~12 s on a slow 2-core machine


def test_a_long_article_is_parsed_in_chunks_with_whole_article_offsets(db, settings, embedder, tmp_path, monkeypatch):
    paragraphs = [f"Paragraph {n} says that {n * 100} migrants reached the port of Dover." for n in range(1, 40)]
    (tmp_path / "long.txt").write_text("\n\n".join(paragraphs) + "\n")
    monkeypatch.setattr(segment, "NLP_CHUNK_CHARS", 300)
    run(db, settings, [tmp_path / "long.txt"], embedder, tmp_path)
    claims = store.claims(db)
    assert [c["text"] for c in claims] == paragraphs
    assert [c["line"] for c in claims] == [2 * n + 1 for n in range(len(paragraphs))]
    assert [c["idx"] for c in claims] == list(range(len(paragraphs)))
    assert_offsets(db)


def test_a_byte_order_mark_never_reaches_a_claim(db, settings, embedder, tmp_path):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfThe port of Calais closed for six hours on Tuesday.\n")
    run(db, settings, [tmp_path], embedder, tmp_path)
    assert claim_texts(db) == ["The port of Calais closed for six hours on Tuesday."]
    assert "\ufeff" not in store.article(db, store.articles(db)[0]["id"])["text"]


def test_cp1252_text_is_decoded_end_to_end(db, settings, embedder, tmp_path):
    text = "The council said the scheme cost \u00a37m \u2013 \u201cfar too much\u201d for the caf\u00e9 owners.\n"
    (tmp_path / "old.txt").write_bytes(text.encode("cp1252"))
    run(db, settings, [tmp_path], embedder, tmp_path)
    [claim] = store.claims(db)
    assert claim["text"] == text.strip()
    assert [q["text"] for q in json.loads(claim["quantities"])] == ["\u00a37m"]


def test_html_scripts_and_styles_never_become_claims(db, settings, embedder, tmp_path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>Calais</title><style>.story { content: 'The style sheet says 9,999 people left'; }</style>"
        "<script>var claim = 'The script says that 8,888 migrants arrived at the port';</script></head><body>"
        "<article><p>Almost 2,100 migrants stormed the tunnel terminal on Monday night.</p>"
        "<script>document.write('Injected text says 7,777 lorries were stopped');</script>"
        "<noscript>Enable scripts to read that 6,666 people waited.</noscript>"
        "<p>The camp at Sangatte closed in 2002 after riots.</p></article></body></html>"
    )
    result = run(db, settings, [tmp_path], embedder, tmp_path)
    assert claim_texts(db) == ["Almost 2,100 migrants stormed the tunnel terminal on Monday night.",
                               "The camp at Sangatte closed in 2002 after riots."]
    markdown = result.path.read_text()
    assert not any(marker in markdown for marker in ("9,999", "8,888", "7,777", "6,666", "<script", "<style"))


def test_terminal_escapes_are_dropped_from_text_titles_and_names(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a\x1b[2J\nb", "title": "Red\x1b[31m alert\x07", "outlet": "Wire\r\nDaily",
                                "text": "The minister\x1b[0m said \u202e3,000 people\u202c came.\x1b]0;x\x07"}) + "\n")
    [article] = read_file(feed)
    assert (article.name, article.title, article.outlet) == ("feed.jsonl#a[2J b", "Red[31m alert", "Wire Daily")
    assert not any(ch in article.text for ch in "\x1b\x07\u202e\u202c")


def test_duplicates_across_runs_are_stored_once_with_both_names(tmp_path, basic_dir, fake_model):
    db = tmp_path / "d.db"
    assert invoke("ingest", str(basic_dir), "--db", str(db)).exit_code == 0
    copy = tmp_path / "copy-of-beta.txt"
    shutil.copy(basic_dir / "beta.txt", copy)
    result = invoke("ingest", str(copy), "--db", str(db))
    assert result.exit_code == 0
    assert "copy-of-beta.txt has the same text as beta.txt: stored once, both names remembered." in result.output
    database = store.open_db(db)
    assert store.counts(database)["articles"] == 4
    beta = next(a for a in store.articles(database) if a["name"] == "beta.txt")
    assert set(beta["names"].split(", ")) == {"beta.txt", "copy-of-beta.txt"}


# --- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "{basic}", "--max-mb", "-5"], "--max-mb must be more than 0"),
        (["report", "{basic}", "--max-mb", "-0.5", "--out", "{tmp}/r.md"], "--max-mb must be more than 0"),
        (["query", "x", "-k", "-1"], "-k must be at least 1"),
        (["report", "{basic}", "--db", "{tmp}/no/x.db", "--out", "{tmp}/r.md"], "the folder for the database does not"),
        (["compare", "--model", "{tmp}/no-such-model-folder"], "model not found"),
    ],
)
def test_bad_options_get_one_clear_line(tmp_path, basic_dir, args, message, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    args = [a.format(basic=basic_dir, tmp=tmp_path) for a in args]
    if "--db" not in args:
        args += ["--db", str(tmp_path / "o.db")]
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_file_bytes": 0}, "--max-mb must be more than 0"),
        ({"neighbours": 0}, "neighbours must be at least 1"),
        ({"batch_size": -1}, "batch_size must be at least 1"),
        ({"min_cosine": -0.1}, "min_cosine must be between 0 and 1"),
        ({"pair_threshold": -1.0}, "pair_threshold must be 0 or more"),
        ({"lexical_weight": float("nan")}, "lexical_weight must be 0 or more"),
        ({"copy_share": 1.5}, "copy_share must be between 0 and 1"),
    ],
)
def test_settings_no_run_can_use_are_refused_before_any_work(db, tmp_path, embedder, basic_dir, change, message):
    from dataclasses import replace

    settings = replace(Settings(db_path=tmp_path / "s.db", model="hash-test"), **change)
    with pytest.raises(InputError, match=message):
        pipeline.run_report(db, settings, [basic_dir], tmp_path / "r.md", embedder=embedder)
    assert store.counts(db)["articles"] == 0


# --- hostile text and the code that handles it --------------------------------------------------


def test_sql_and_markup_in_articles_are_stored_verbatim_and_rendered_inert(db, settings, embedder, tmp_path):
    title = "x'); DROP TABLE claims; --"
    (tmp_path / "evil.md").write_text(
        f'---\ntitle: "{title}"\noutlet: "<script>alert(1)</script>"\n---\n'
        "Robert'); DROP TABLE articles; -- Officials said: “3,000 migrants reached the port of Dover on Monday"
        " night” <!-- hidden --> [see](javascript:x).\n"
    )
    evil_name = tmp_path / "a name) with <b>.txt"
    evil_name.write_text("# Forged: officials said that 5,000 migrants reached the port of Dover on Monday | x |.")
    result = run(db, settings, [tmp_path], embedder, tmp_path)
    assert {a["name"]: a["title"] for a in store.articles(db)}["evil.md"] == title
    assert {"articles", "claims", "pairs", "flags"} <= set(db.table_names())
    assert store.counts(db)["claims"] == 2
    markdown = result.path.read_text()
    assert "<script" not in markdown and "<!--" not in markdown and "<b>" not in markdown
    assert "\n# Forged" not in markdown and "](javascript" not in markdown
    assert store.counts(db)["flags"] + store.counts(db)["agreements"] >= 1  # so both claims are quoted with links
    assert "(<a%20name%29%20with%20%3Cb%3E.txt#L1>)" in markdown


# `from_where` is store.claim_vectors' FROM clause around a package-written `where`.
ALLOWED_SQL_FRAGMENTS = {"where", "marks", "table", "FLAG_SELECT", "chunk_marks", "from_where", "new_claims", "has", "remove", "_PAIR_SELECT", "_CLAIM_SELECT", "_CLAIMS_WITH_VECTORS",
                         "_NEW_FIGURES", "_FIGURE_COLUMNS", "_HAS_PHRASE", "waiting"}


def test_sql_is_parameterised_and_nothing_is_unpickled_or_fetched():
    """Only fragments written by the package are formatted into SQL; no pickle, remote code or download."""
    for module in sorted((ROOT / "claimcheck").rglob("*.py")):
        source = module.read_text()
        for node in ast.walk(ast.parse(source)):
            name = getattr(node.func, "attr", getattr(node.func, "id", "")) if isinstance(node, ast.Call) else ""
            if name in {"execute", "executemany", "_all", "_one"} and len(node.args) > (name in {"_all", "_one"}):
                sql = node.args[1 if name in {"_all", "_one"} else 0]
                if isinstance(sql, ast.JoinedStr):
                    names = {n.id for part in sql.values if isinstance(part, ast.FormattedValue)
                             for n in ast.walk(part.value) if isinstance(n, ast.Name)}
                    assert names <= ALLOWED_SQL_FRAGMENTS | {"chunk", "len"}, (module.name, node.lineno, names)
        for banned in ("import pickle", "pickle.load", "torch.load(", "allow_pickle=True", "trust_remote_code=True",
                       "urlopen", "requests.", "snapshot_download", "hf_hub_download"):
            assert banned not in source, (module.name, banned)
    assert "trust_remote_code=False" in (ROOT / "claimcheck" / "embed.py").read_text()


# --- the index cache --------------------------------------------------------------------------


def test_a_missing_or_stale_index_is_rebuilt_from_sqlite(db, settings, embedder, basic_dir, tmp_path):
    run(db, settings, [basic_dir], embedder, tmp_path)
    settings.index_path.unlink()
    hits = search.query(db, settings, ["Sangatte closed in 2002"], k=1, embedder=embedder)
    assert "Sangatte" in hits[0][0]["text"]
    pipeline.compare(db, settings, embedder)
    with store.transaction(db):
        db.execute("UPDATE articles SET paired_at = NULL WHERE id = 1")
    pipeline.compare(db, settings, embedder)  # the missing file is written again
    ids, _ = store.claim_vectors(db, embedder.name)
    assert index.load(settings.index_path, embedder.name, ids) is not None
    # Another process adds an article and its claims but never rewrites the index file.
    other = store.open_db(settings.db_path)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "gamma.txt").write_text("Volcanic ash grounded 412 flights at Gatwick on Friday.\n")
    pipeline.ingest(other, [tmp_path / "new"], settings)
    pipeline.embed_missing(other, embedder)
    ids, _ = store.claim_vectors(db, embedder.name)
    assert index.load(settings.index_path, embedder.name, ids) is None  # stale: another set of ids
    hits = search.query(db, settings, ["ash grounded flights at Gatwick"], k=1, embedder=embedder)
    assert "Gatwick" in hits[0][0]["text"]
    settings.index_path.with_name(settings.index_path.name + ".json").write_text("[]")
    assert index.load(settings.index_path, embedder.name, ids) is None  # a sidecar that is not an object


# --- schema versions --------------------------------------------------------------------------


def test_an_empty_or_half_made_database_is_migrated(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    assert "claims" in store.open_db(empty).table_names()
    half = tmp_path / "half.db"
    Migrations("claimcheck").ensure_migrations_table(Database(half))  # the bookkeeping table, no migration yet
    database = store.open_db(half)
    assert "claims" in database.table_names()
    assert [m.name for m in store.migrations.applied(database)] == sorted(store.known_migrations())


def test_the_reports_same_claim_pairs_and_the_cache_size_come_from_open_db(tmp_path):
    database = store.open_db(tmp_path / "plan.db")
    plan = database.execute("EXPLAIN QUERY PLAN SELECT claim_a, claim_b, score FROM pairs WHERE score >= 0.99").fetchall()
    assert "COVERING INDEX pairs_score_claims" in plan[0][-1]  # read from the index alone, no row visits
    assert "pairs_score" not in {index.name for index in database["pairs"].indexes}  # replaced, not kept beside it
    assert database.execute("PRAGMA cache_size").fetchone()[0] == -store.schema.CACHE_KIB


def test_a_lock_refused_at_once_while_another_process_creates_the_database_is_asked_again(tmp_path, monkeypatch):
    # SQLite refuses a lock upgrade that would deadlock at once, without the busy timeout: open_db asks again.
    real, calls = store.schema._open, []

    def refused_once(path, schema):  # noqa: ANN001, ANN202
        calls.append(path)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real(path, schema)

    monkeypatch.setattr(store.schema, "_open", refused_once)
    assert "claims" in store.open_db(tmp_path / "new.db").table_names() and len(calls) == 2

    def always_refused(path, schema):  # noqa: ANN001, ANN202
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store.schema, "_open", always_refused)
    monkeypatch.setattr(store.schema, "BUSY_TIMEOUT_S", 0)  # past the wait: one clear error
    with pytest.raises(DatabaseError, match="stayed locked"):
        store.open_db(tmp_path / "other.db")


def _figures_in_the_json(db):
    """What the figures table must hold: every figure with a phrase, parsed from the claims' quantities."""
    return sorted((claim, article, q["kind"], q["measure"])
                  for claim, article, raw in db.execute("SELECT id, article_id, quantities FROM claims")
                  for q in json.loads(raw) if q.get("measure"))


def test_the_figures_table_follows_every_write_of_a_claims_quantities(tmp_path):
    from claimcheck.config import SEEDS_DIR

    settings = Settings(db_path=tmp_path / "figures.db", model="hash-test")
    db = store.open_db(settings.db_path)
    pipeline.ingest(db, [SEEDS_DIR], settings)
    assert sorted(store.measure_figures(db)) == _figures_in_the_json(db) and len(_figures_in_the_json(db)) > 20
    claim, article, _, _ = store.measure_figures(db)[0]
    terms, attribution, speaker = db.execute("SELECT terms, attribution, speaker FROM claims WHERE id = ?",
                                             [claim]).fetchone()
    with store.transaction(db):  # facts re-extracted: this claim now states no figure
        store.update_claim_facts(db, claim, {"terms": terms, "quantities": "[]", "attribution": attribution,
                                             "speaker": speaker})
    assert claim not in {row[0] for row in store.measure_figures(db)}
    assert sorted(store.measure_figures(db)) == _figures_in_the_json(db)
    with store.transaction(db):  # an article replaced by a version without claims
        store.replace_claims(db, article, [])
    assert article not in {row[1] for row in store.measure_figures(db)}
    assert sorted(store.measure_figures(db)) == _figures_in_the_json(db)


def test_the_figures_table_is_filled_from_the_claims_of_an_older_database(tmp_path):
    path = tmp_path / "older.db"
    older = Migrations("claimcheck")
    for migration in store.migrations._migrations:
        if migration.name != "m009_figures":
            older()(migration.fn)
    database = Database(path)
    older.apply(database)
    figures = [{"kind": "count", "measure": "migrants in calais"}, {"kind": "year", "measure": ""}]
    store.insert_article(database, {"name": "a.txt", "content_hash": "h", "text": "t", "aliases": "[]", "title": None,
                                     "outlet": None, "url": None, "published": None}, [
        {"idx": 0, "start": 0, "end": 1, "line": 1, "text": "t", "text_hash": "x", "terms": [], "quantities": figures,
         "attribution": None, "speaker": None}])
    database.conn.commit()
    database.close()
    db = store.open_db(path)
    assert store.measure_figures(db) == [(1, 1, "count", "migrants in calais")] == _figures_in_the_json(db)


def test_a_future_migration_is_applied_to_a_database_and_then_refused_by_this_version(tmp_path):
    path = tmp_path / "old.db"
    old = store.open_db(path)
    old["articles"].insert({"name": "a.txt", "content_hash": "h", "text": "t", "ingested_at": "now"})
    old.close()
    future = Migrations("claimcheck")
    for migration in store.migrations._migrations:
        future()(migration.fn)

    @future()
    def m999_article_language(db):  # noqa: ANN001
        db.execute("ALTER TABLE articles ADD COLUMN language TEXT NOT NULL DEFAULT 'en'")

    upgraded = store.open_db(path, schema=future)
    assert upgraded.execute("SELECT name, language FROM articles").fetchall() == [("a.txt", "en")]
    upgraded.close()
    with pytest.raises(DatabaseError, match="newer claimcheck"):
        store.open_db(path)


# --- faults: kill and resume, two writers, a reader during a write --------------------------------

DRIVER = textwrap.dedent(
    """
    import json, os, signal, socket, sys, time
    from pathlib import Path

    def no_network(*args, **kwargs):
        raise RuntimeError("claimcheck tried to use the network")

    socket.socket.connect = no_network
    from claimcheck import embed, pipeline, store
    from claimcheck.config import Settings

    db_path, corpus, out, stage = sys.argv[1:5]
    barrier = Path(sys.argv[5]) if len(sys.argv) > 5 else None

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    class Embedder(embed.HashEmbedder):
        batches = 0

        def embed_batch(self, texts, progress=None):
            if stage == "embed" and self.batches == 1:
                die()  # one chunk of 256 committed, the second being computed
            self.batches += 1
            return super().embed_batch(texts, progress)

    if stage == "pair":  # inside the transaction that stores pairs, after they are inserted
        store.mark_paired = die
    if stage == "checks":  # inside the transaction that stores findings, after the old ones are deleted
        real = store.save_check_results
        store.save_check_results = lambda db, check, version, ids, flags, agreements: (
            real(db, check, version, ids, [], []), die())
    if barrier:  # start together: each says it is ready, then waits for the other
        from claimcheck import segment
        segment.load_nlp()
        (barrier / str(os.getpid())).touch()
        deadline = time.time() + 120
        while len(list(barrier.iterdir())) < 2 and time.time() < deadline:
            time.sleep(0.005)
    settings = Settings(db_path=Path(db_path), model="hash-test")
    result = pipeline.run_report(store.open_db(settings.db_path), settings, [corpus], Path(out), embedder=Embedder())
    print(json.dumps({"embedded": result.compared.embedded, "added": result.ingested.added}))
    """
)


NOUNS = ("ferries lorries coaches tractors caravans tankers barges trawlers yachts dinghies cyclists hikers pilgrims "
         "students nurses farmers miners dockers pilots drivers bakers tailors cobblers weavers potters masons "
         "glaziers plumbers roofers welders joiners fitters riggers divers rowers skaters bowlers golfers archers "
         "fencers boxers wrestlers sprinters jugglers acrobats clowns magicians puppeteers singers drummers pipers "
         "fiddlers harpists organists cellists violinists trumpeters").split()
PLACES = "Dover Calais Folkestone Ashford Boulogne Dunkirk Margate Ramsgate Deal Hythe Rye Sandwich".split()


def write_corpus(folder: Path, articles: int, sentences: int, seed: int = 0) -> Path:
    """Articles telling one story, sentence by sentence, with other numbers on odd lines: pairs, flags, agreements.

    Each sentence has words of its own, so counterparts pair clearly and nothing else comes close.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for a in range(articles):
        lines = []
        for s in range(sentences):
            count = 100 + s * 7 + (a if s % 2 else 0)
            noun, other = NOUNS[s % len(NOUNS)], NOUNS[(s * 7 + 3) % len(NOUNS)]
            place = PLACES[s % len(PLACES)]
            lines.append(f"In {place}, {count} {noun} met {other} at junction {s + seed * 100} on {s % 28 + 1} May.")
        (folder / f"story{seed}_{a:02d}.txt").write_text("\n".join(lines) + "\n")
    return folder


def snapshot(db) -> dict:
    """What a run leaves, independent of row ids."""
    pairs = {(p["text_a"], p["text_b"], p["article_a"], p["article_b"]) for p in store.pairs(db)}
    return {
        "counts": store.counts(db),
        "pairs": pairs,
        "flags": {f["id"] for f in store.flags(db)},
        "agreements": {(a["id"], a["independent"]) for a in store.agreements(db)},
        "unpaired": store.unpaired_article_ids(db),
        "copies": len(store.copy_links(db)),
    }


def assert_no_duplicates(db) -> None:
    assert db.execute("SELECT count(*) - count(DISTINCT claim_a || '-' || claim_b) FROM pairs").fetchone()[0] == 0
    assert db.execute("SELECT count(*) - count(DISTINCT content_hash) FROM articles").fetchone()[0] == 0
    unembedded = "SELECT count(*) FROM claims WHERE text_hash NOT IN (SELECT text_hash FROM embeddings)"
    assert db.execute(unembedded).fetchone()[0] == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not db.execute("PRAGMA foreign_key_check").fetchall()


def run_driver(tmp_path: Path, db: Path, corpus: Path, stage: str, *extra: str, wait: bool = True):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, str(driver), str(db), str(corpus), str(tmp_path / f"{stage}.md"), stage, *extra]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process.communicate(timeout=300) + (process.returncode,) if wait else process


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """12 articles (600 claims, 325 distinct texts) ingested but not compared, and what a clean run makes of them."""
    folder = tmp_path_factory.mktemp("resume")
    corpus = write_corpus(folder / "corpus", articles=12, sentences=50)
    settings = Settings(db_path=folder / "ingested.db", model="hash-test")
    database = store.open_db(settings.db_path)
    pipeline.ingest(database, [corpus], settings)
    database.close()
    clean = Settings(db_path=folder / "clean.db", model="hash-test")
    shutil.copy(settings.db_path, clean.db_path)
    from claimcheck.embed import HashEmbedder

    clean_db = store.open_db(clean.db_path)
    pipeline.run_report(clean_db, clean, [corpus], folder / "clean.md", embedder=HashEmbedder())
    return settings.db_path, corpus, snapshot(clean_db)


@pytest.mark.parametrize("stage", ["embed", "pair", "checks"])
def test_a_run_killed_mid_way_is_completed_by_the_next_without_redoing_work(tmp_path, ingested, embedder, stage):
    source, corpus, clean = ingested
    path = tmp_path / "killed.db"
    shutil.copy(source, path)
    out, err, code = run_driver(tmp_path, path, corpus, stage)
    assert code == -9, err  # SIGKILL: no cleanup ran
    db = store.open_db(path)
    # What is embedded: each distinct claim text, and each distinct measure phrase of their figures.
    phrases = {measure_pairs.phrase_key(phrase) for _, _, _, phrase in store.measure_figures(db)}
    claim_hashes = {row[0] for row in db.execute("SELECT DISTINCT text_hash FROM claims")}
    distinct = len(claim_hashes | phrases)
    stored = store.counts(db)["embeddings"]
    if stage == "embed":
        assert stored == 256 and store.counts(db)["pairs"] == 0  # the committed chunk, nothing half-written
    elif stage == "pair":
        assert stored == distinct and store.counts(db)["pairs"] == 0 and len(store.unpaired_article_ids(db)) == 12
    else:
        assert store.counts(db)["pairs"] == len(clean["pairs"]) and not store.unpaired_article_ids(db)
        assert store.counts(db)["flags"] == 0  # the findings transaction never committed: the run before had none
    settings = Settings(db_path=path, model="hash-test")
    result = pipeline.run_report(db, settings, [corpus], tmp_path / "resumed.md", embedder=embedder)
    assert embedder.texts == distinct - stored  # every sentence embedded once over both runs
    assert result.ingested.unchanged and not result.ingested.added
    assert snapshot(db) == clean
    assert_no_duplicates(db)


def test_two_writers_and_a_reader_on_one_new_database(tmp_path, embedder):
    """Two processes create one database and report different articles into it at once; both finish, nothing lost."""
    first = write_corpus(tmp_path / "first", articles=3, sentences=12, seed=0)
    second = write_corpus(tmp_path / "second", articles=3, sentences=12, seed=0)
    for n, path in enumerate(sorted(second.iterdir())):  # the same story from other outlets, with other numbers
        path.rename(second / f"other{n}.txt")
        text = path.with_name(f"other{n}.txt").read_text().replace(" met ", " greeted ").replace("1", "2")
        path.with_name(f"other{n}.txt").write_text(text)
    shared = tmp_path / "shared.db"
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    processes = [run_driver(tmp_path, shared, corpus, "none", str(barrier), wait=False) for corpus in (first, second)]
    results = [process.communicate(timeout=300) + (process.returncode,) for process in processes]
    for out, err, code in results:
        assert code == 0, err
    db = store.open_db(shared)
    assert store.counts(db)["articles"] == 6 and not store.unpaired_article_ids(db)
    assert_no_duplicates(db)
    # Nothing lost: every claim of each set is paired with its counterpart in the other set.
    cross = [p for p in store.pairs(db) if p["article_a"].startswith("story") != p["article_b"].startswith("story")]
    claims = {c["id"] for c in store.claims(db)}
    assert {p["claim_a"] for p in cross} | {p["claim_b"] for p in cross} == claims
    assert store.counts(db)["flags"] > 0
    # What every sequential order finds is found. (Not more than that is promised: which side searches first,
    # and how common a term is at that moment, decide which weak neighbours pair; k nearest is not symmetric.)
    orders = []
    for n, order in enumerate([(first, second), (second, first)]):
        settings = Settings(db_path=tmp_path / f"sequential{n}.db", model="hash-test")
        seq_db = store.open_db(settings.db_path)
        for m, corpus in enumerate(order):
            pipeline.run_report(seq_db, settings, [corpus], tmp_path / f"s{n}{m}.md", embedder=embedder)
        orders.append(snapshot(seq_db))
    found = snapshot(db)
    for key in ("pairs", "flags", "agreements"):
        assert orders[0][key] & orders[1][key] <= found[key], key
    assert found["counts"]["claims"] == orders[0]["counts"]["claims"]
    assert found["counts"]["embeddings"] == orders[0]["counts"]["embeddings"]

    # A reader while a writer holds the write lock: WAL lets it read the last committed state at once.
    writer = sqlite3.connect(shared, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM flags")
    try:
        started = time.monotonic()
        flags = invoke("flags", "--revisions", "--json", "--db", str(shared))
        stats = invoke("stats", "--json", "--db", str(shared))
        assert flags.exit_code == 0 and stats.exit_code == 0, flags.output + stats.output
        assert json.loads(flags.output)
        assert json.loads(stats.output)["counts"]["articles"] == 6
        assert time.monotonic() - started < 10  # no waiting on the writer's lock
    finally:
        writer.rollback()
        writer.close()


def test_an_extractor_failure_skips_that_sentence_and_is_reported(db, settings, embedder, tmp_path, monkeypatch):
    from claimcheck import quantities as quantities_module

    original = quantities_module.extract_quantities

    def fragile(span):
        if "2002" in span.text:
            raise ValueError("unforeseen text")
        return original(span)

    monkeypatch.setattr(quantities_module, "extract_quantities", fragile)
    article = tmp_path / "a.txt"
    article.write_text("The camp at Sangatte closed in 2002 after riots.\nAround 5,000 migrants are living in Calais.\n")
    result = pipeline.ingest(db, [article], settings)
    assert result.added == ["a.txt"]
    assert [p.reason for p in result.problems] == [
        "numbers of the sentence at line 1 not extracted (ValueError: unforeseen text)"]
    assert len(store.claims(db)) == 2


def test_a_failure_reading_an_articles_named_things_is_reported_and_keeps_its_claims(db, settings, tmp_path,
                                                                                    monkeypatch):
    from claimcheck import named_things

    monkeypatch.setattr(named_things, "names_by_kind", lambda doc: 1 / 0)
    article = tmp_path / "a.txt"
    article.write_text("The ship, which is 5 years old, ran aground.\nAround 5,000 migrants are living in Calais.\n")
    result = pipeline.ingest(db, [article], settings)
    assert [p.reason for p in result.problems] == [
        "named things of this article not extracted (ZeroDivisionError: division by zero)"]
    assert [q["measure"] for c in store.claims(db) for q in json.loads(c["quantities"]) if q["kind"] == "age"] == [
        "age of the ship #"]


def test_flags_of_an_m001_database_get_a_relation_and_a_measure(tmp_path):
    old_schema = Migrations("claimcheck")
    old_schema()(store.m001_initial)
    path = tmp_path / "m001.db"
    old = store.open_db(path, schema=old_schema)
    old["articles"].insert({"id": 1, "name": "a.txt", "content_hash": "h", "text": "t", "ingested_at": "now"})
    old["claims"].insert_all([{"id": n, "article_id": 1, "idx": n, "start": 0, "end": 1, "line": 1, "text": "t",
                               "text_hash": str(n), "terms": "[]", "quantities": "[]"} for n in (1, 2)])
    old["pairs"].insert({"id": 1, "claim_a": 1, "claim_b": 2, "similarity": 1, "lexical": 0, "score": 1})
    common = {"pair_id": 1, "claim_a": 1, "claim_b": 2, "value_a": "1", "value_b": "2", "about": "migrants in Calais",
              "similarity": 1, "confidence": 1, "reason": "r", "kind": "numeric"}
    old["flags"].insert_all([{**common, "id": "c", "verdict": "conflict"}, {**common, "id": "r", "verdict": "revision"}])
    old.close()
    rows = store.open_db(path).execute("SELECT id, relation, measure FROM flags ORDER BY id").fetchall()
    assert rows == [("c", "conflict", "migrants in Calais"), ("r", "revision", "migrants in Calais")]

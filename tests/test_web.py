"""The review app over HTTP (Starlette's test client): every route's status codes, JSON, errors and guards."""

import json
import re
import sqlite3

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from claimcheck import embed, store, web
from claimcheck.cli import app as cli_app

SANGATTE = "6a58d66241"  # 2002 vs 2003, year Sangatte closed (a copy of a seed vs kent_courier.txt)


def client(settings, **options):
    app = web.create_app(settings, embedder=embed.HashEmbedder(), **options)
    return TestClient(app, base_url="http://127.0.0.1:8321")


@pytest.fixture
def http(review_settings):
    return client(review_settings)


def token(page_html):
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html)[1]


def cli_flags(settings, *args):
    result = CliRunner().invoke(cli_app, ["flags", "--json", "--db", str(settings.db_path), *args])
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.stdout)}


@pytest.mark.parametrize("path", ["/", "/flags/" + SANGATTE, "/articles", "/measures", "/query?q=Sangatte+closed",
                                  "/query", "/static/app.js", "/static/style.css"])
def test_every_page_answers_200_with_a_strict_content_security_policy(http, path):
    response = http.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_flags_page_filters_and_counts_worst_first(http, review_settings):
    every = http.get("/?format=json&status=all").json()
    assert every["count"] == len(cli_flags(review_settings, "--revisions"))
    confidences = [row["confidence"] for row in every["flags"]]
    assert confidences == sorted(confidences, reverse=True)
    dates = http.get("/?format=json&kind=date&min_confidence=0.85").json()
    assert dates["count"] > 0 and {row["kind"] for row in dates["flags"]} == {"date"}
    assert all(row["confidence"] >= 0.85 and row["relation"] == "conflict" for row in dates["flags"])
    assert dates["counts"]["status"]["open"] == dates["count"]
    one = http.get("/?format=json&article=kent_courier.txt").json()["flags"]
    assert one and all("kent_courier.txt" in (row["article_a"], row["article_b"]) for row in one)
    by_outlet = http.get("/?format=json&outlet=Nobody").json()
    assert by_outlet["count"] == 0
    assert http.get("/?format=json&relation=update").json()["count"] == 0


@pytest.mark.parametrize("query, message", [("kind=colour", "unknown kind"), ("status=maybe", "unknown status"),
                                            ("relation=x", "unknown relation"), ("min_confidence=high", "number"),
                                            ("min_confidence=nan", "number"), ("min_confidence=2", "number")])
def test_bad_filters_get_a_400_page_naming_the_mistake(http, query, message):
    response = http.get(f"/?{query}")
    assert response.status_code == 400 and message in response.text and "Traceback" not in response.text
    assert http.get(f"/?{query}&format=json").json()["status"] == 400


def test_one_flag_shows_both_claims_in_context_with_the_values_marked(http):
    response = http.get(f"/flags/{SANGATTE}")
    assert "the original camp that was closed in <mark>2002</mark>." in response.text
    assert "Red Cross camp near Calais in <mark>2003</mark> after riots." in response.text
    data = http.get(f"/flags/{SANGATTE}?format=json").json()
    assert data["flag"]["id"] == SANGATTE and data["flag"]["about"] == "year Sangatte closed"
    assert [side["article"]["name"] for side in data["sides"]] == ["000_9f8486816fdba1ea.txt", "kent_courier.txt"]
    assert len(data["sides"][0]["context"]) == 3 and data["next"]


def test_unknown_flag_and_unknown_page_are_404_pages(http):
    response = http.get("/flags/0000000000")
    assert response.status_code == 404 and "no flag with id" in response.text
    assert http.get("/flags/0000000000", params={"format": "json"}).json()["status"] == 404
    assert http.post("/flags/0000000000/review", data={"csrf_token": token(http.get(f"/flags/{SANGATTE}").text),
                                                       "decision": "confirm"}).status_code == 404
    assert http.get("/no/such/page").status_code == 404
    assert http.get("/static/..%2Fweb.py").status_code == 404
    assert http.get(f"/flags/{SANGATTE}/review").status_code == 405


def test_a_decision_posted_is_the_row_claimcheck_review_writes(http, review_settings):
    page = http.get(f"/flags/{SANGATTE}?kind=date")
    response = http.post(f"/flags/{SANGATTE}/review", follow_redirects=False, data={
        "csrf_token": token(page.text), "decision": "confirm", "note": "Sangatte closed in 2002", "reviewer": "ana",
        "filters": "kind=date"})
    assert response.status_code == 303
    assert re.fullmatch(r"/flags/[0-9a-f]{10}\?kind=date", response.headers["location"])
    assert response.cookies.get(web.REVIEWER_COOKIE) == "ana"
    row = cli_flags(review_settings)[SANGATTE]
    assert (row["status"], row["note"], row["reviewer"]) == ("confirmed", "Sangatte closed in 2002", "ana")
    assert SANGATTE not in {row["id"] for row in http.get("/?format=json").json()["flags"]}  # no longer open
    dismissed = http.post(f"/flags/{SANGATTE}/review?format=json", data={"csrf_token": token(page.text),
                                                                          "decision": "dismiss"}).json()
    assert dismissed["status"] == "dismissed" and cli_flags(review_settings)[SANGATTE]["status"] == "dismissed"


def test_any_reviewer_name_is_saved_and_remembered(http, review_settings):
    name = 'Łukasz "the checker"; desk=2'
    form = {"csrf_token": token(http.get(f"/flags/{SANGATTE}").text), "decision": "confirm", "reviewer": name}
    assert http.post(f"/flags/{SANGATTE}/review", data=form, follow_redirects=False).status_code == 303
    assert cli_flags(review_settings)[SANGATTE]["reviewer"] == name
    other = next(row["id"] for row in http.get("/?format=json").json()["flags"])
    assert 'value="Łukasz &#34;the checker&#34;; desk=2"' in http.get(f"/flags/{other}").text


@pytest.mark.parametrize("form, status, message", [
    ({"decision": "confirm", "note": "kept"}, 403, "CSRF"),
    ({"decision": "confirm", "csrf_token": "forged"}, 403, "CSRF"),
    ({"decision": "maybe", "csrf_token": None, "note": "my careful note"}, 400, "confirm or dismiss"),
    ({"decision": "confirm", "csrf_token": None, "note": "x" * 10_001}, 400, "limited"),
])
def test_a_refused_post_changes_nothing_and_shows_the_note_back(http, review_settings, form, status, message):
    if "csrf_token" in form and form["csrf_token"] is None:
        form["csrf_token"] = token(http.get(f"/flags/{SANGATTE}").text)
    response = http.post(f"/flags/{SANGATTE}/review", data=form)
    assert response.status_code == status and message in response.text
    if form.get("note") and len(form["note"]) < 100:
        assert form["note"] in response.text
    assert cli_flags(review_settings)[SANGATTE]["status"] == "open"


def test_a_post_from_another_site_is_refused_even_with_the_token(http, review_settings):
    form = {"csrf_token": token(http.get(f"/flags/{SANGATTE}").text), "decision": "confirm"}
    response = http.post(f"/flags/{SANGATTE}/review", data=form, headers={"origin": "http://evil.example"})
    assert response.status_code == 403 and cli_flags(review_settings)[SANGATTE]["status"] == "open"


def test_a_request_for_another_host_name_is_refused(review_settings):
    evil = TestClient(web.create_app(review_settings), base_url="http://rebound.evil.example")
    assert evil.get("/").status_code == 400


def test_read_only_serves_pages_but_no_writes(review_settings):
    http = client(review_settings, read_only=True)
    page = http.get(f"/flags/{SANGATTE}")
    assert page.status_code == 200 and 'id="review"' not in page.text and "read-only" in page.text
    response = http.post(f"/flags/{SANGATTE}/review", data={"decision": "confirm", "csrf_token": "x"})
    assert response.status_code == 403 and "read-only" in response.text
    assert cli_flags(review_settings)[SANGATTE]["status"] == "open"


def test_a_database_locked_by_a_running_report_gets_a_503_and_loses_nothing(review_settings):
    http = client(review_settings, busy_ms=100)
    form = {"csrf_token": token(http.get(f"/flags/{SANGATTE}").text), "decision": "confirm", "note": "wait for me"}
    writer = sqlite3.connect(review_settings.db_path, timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # what a report holds while it stores its results
    try:
        response = http.post(f"/flags/{SANGATTE}/review", data=form)
        assert response.status_code == 503 and "busy" in response.text and "wait for me" in response.text
        assert http.get("/").status_code == 200  # reading goes on meanwhile (WAL)
    finally:
        writer.rollback()
        writer.close()
    assert cli_flags(review_settings)[SANGATTE]["status"] == "open"
    assert http.post(f"/flags/{SANGATTE}/review", data=form, follow_redirects=False).status_code == 303


def test_a_file_that_is_not_a_claimcheck_database_is_a_503_page(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"not sqlite at all" * 100)
    from claimcheck.config import Settings

    response = client(Settings(db_path=bad)).get("/")
    assert response.status_code == 503 and "not a usable claimcheck database" in response.text


def test_articles_query_and_measures_as_json(http, review_settings):
    articles = http.get("/articles?format=json").json()["articles"]
    assert len(articles) == 11 and {"name", "title", "outlet", "published", "n_claims", "n_flags"} <= set(articles[0])
    hits = http.get("/query", params={"q": "When did the Sangatte camp close?", "k": 3, "format": "json"}).json()["hits"]
    assert len(hits) == 3 and all("Sangatte" in hit["text"] for hit in hits)
    assert http.get("/query?q=x&k=0").status_code == 400
    measures = http.get("/measures?format=json").json()["measures"]
    sangatte = next(m for m in measures if m["measure"] == "year Sangatte closed")
    assert {p["value"] for p in sangatte["points"]} >= {"2002", "2003"} and sangatte["has_conflict"]
    assert "<svg" in http.get("/measures").text


def test_claimreview_export_from_the_page_and_the_cli_are_the_same(http, review_settings, tmp_path):
    assert http.get("/export/claimreview.json").json() == []
    form = {"csrf_token": token(http.get(f"/flags/{SANGATTE}").text), "decision": "confirm",
            "note": "Sangatte closed in December 2002", "reviewer": "ana"}
    http.post(f"/flags/{SANGATTE}/review", data=form)
    download = http.get("/export/claimreview.json")
    assert download.headers["content-type"].startswith("application/ld+json")
    assert "attachment" in download.headers["content-disposition"]
    reviews = download.json()
    assert [r["@type"] for r in reviews] == ["ClaimReview", "ClaimReview"]
    assert {r["reviewBody"] for r in reviews} == {"Sangatte closed in December 2002"}
    assert reviews[1]["claimReviewed"].startswith("The French government closed the Sangatte Red Cross camp")
    out = tmp_path / "claimreview.json"
    result = CliRunner().invoke(cli_app, ["export", "--format", "claimreview", "--db", str(review_settings.db_path),
                                          "--out", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text()) == reviews


def test_hostile_article_text_is_escaped_in_every_page(http):
    hostile = [row for row in http.get("/?format=json").json()["flags"] if "hostile.md" in (row["article_a"], row["article_b"])]
    assert hostile
    pages = [http.get(f"/flags/{row['id']}").text for row in hostile] + [http.get(p).text for p in ("/", "/articles", "/measures")]
    for page in pages:
        assert "<script>window" not in page and "<img src=x" not in page and 'href="javascript:' not in page
        assert "<h1 id=\"forged\">" not in page
    assert any("&lt;script&gt;window.__injected" in page for page in pages)


def test_serve_refuses_a_database_it_cannot_open_with_one_line(tmp_path):
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "missing" / "x.db")])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_serve_says_where_it_listens(monkeypatch, review_settings):
    calls = []
    monkeypatch.setattr(web, "serve", lambda settings, host, port, read_only: calls.append((host, port, read_only)))
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(review_settings.db_path), "--read-only"])
    assert result.exit_code == 0 and calls == [("127.0.0.1", 8321, True)]
    assert "http://127.0.0.1:8321/" in result.output and "this machine only" in result.output
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(review_settings.db_path), "--host", "0.0.0.0"])
    assert "ANYONE" in result.output


def test_query_ranks_like_the_cli(http, review_settings, fake_model):
    question = "How many migrants are living in and around Calais?"
    result = CliRunner().invoke(cli_app, ["query", question, "-k", "4", "--json", "--db", str(review_settings.db_path)])
    assert result.exit_code == 0, result.output
    page = http.get("/query", params={"q": question, "k": 4, "format": "json"}).json()["hits"]
    assert [(h["article"], h["line"], h["score"]) for h in page] == [
        (h["article"], h["line"], h["score"]) for h in json.loads(result.stdout)]


def test_an_unexpected_failure_is_a_500_page_without_a_traceback(review_settings, monkeypatch):
    def broken(db):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(web.store, "articles", broken)
    http = TestClient(web.create_app(review_settings), base_url="http://127.0.0.1", raise_server_exceptions=False)
    response = http.get("/articles")
    assert response.status_code == 500 and "went wrong" in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_an_update_is_filtered_shown_with_its_times_and_sources_and_charted_as_a_line(http, review_settings):
    database = store.open_db(review_settings.db_path)
    with store.transaction(database):  # what the relation check writes for a figure that changed between dates
        for flag in store.flags(database):  # both articles that say 29,000 against the one that says 39,000
            if {flag["value_a"], flag["value_b"]} == {"29,000", "39,000"}:
                first = flag["value_a"] == "39,000"
                database["flags"].update(flag["id"], {
                    "relation": "update", "measure": "attempts to cross the Channel",
                    "time_a": "2015-04-30" if first else "2014-04-30", "time_b": "2014-04-30" if first else "2015-04-30",
                    "source_a": "the Home Office" if first else None, "source_b": None if first else "the Home Office"})
    database.close()
    updates = http.get("/?format=json&relation=update").json()["flags"]
    assert {update["id"] for update in updates} == {"770f4cd539", "01436a60b0"}
    page = http.get("/flags/770f4cd539").text
    assert "attempts to cross the Channel" in page and "2015-04-30" in page and "the Home Office" in page
    first = http.get("/measures?format=json").json()["measures"][0]
    assert first["measure"] == "attempts to cross the Channel"
    # Points joined by any flag of the measure belong to it; the dated ones are the update's two ends.
    assert [(p["date"], p["value"], p["source"]) for p in first["points"] if p["date"]] == [
        ("2014-04-30", "29,000", None), ("2015-04-30", "39,000", "the Home Office"),
        ("2015-04-30", "39,000", "the Home Office")]  # two articles give 39,000: two points
    assert re.search(r'<path d="M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+"', http.get("/measures").text)


def test_a_malformed_form_body_is_a_400_page(http, review_settings):
    response = http.post(f"/flags/{SANGATTE}/review", content=b"--zz\r\nnot a part\r\n",
                         headers={"content-type": "multipart/form-data; boundary=zz"})
    assert response.status_code == 400 and "could not be read" in response.text
    assert cli_flags(review_settings)[SANGATTE]["status"] == "open"


def test_an_update_that_skips_a_date_is_listed_only_when_every_update_is_asked_for(http, review_settings):
    """29,000 (2014) -> 39,000 (2015) in one article -> 39,000 (2016) in another: the step 2014 -> 2016 skips 2015.
    The flags page, `claimcheck flags` and the review walk list the steps; the measures page keeps every point."""
    database = store.open_db(review_settings.db_path)
    with store.transaction(database):
        later = None
        for flag in store.flags(database):
            if {flag["value_a"], flag["value_b"]} == {"29,000", "39,000"}:
                first = flag["value_a"] == "39,000"
                year = "2016" if later is None else "2015"
                later = later or flag["id"]
                database["flags"].update(flag["id"], {
                    "relation": "update", "measure": "attempts to cross the Channel",
                    "time_a": f"{year}-04-30" if first else "2014-04-30", "time_b": "2014-04-30" if first else f"{year}-04-30"})
    database.close()
    steps = {row["id"] for row in http.get("/?format=json&relation=update").json()["flags"]}
    every = {row["id"] for row in http.get("/?format=json&relation=update&every_update=1").json()["flags"]}
    assert every == {"770f4cd539", "01436a60b0"} and steps == every - {later}
    assert set(cli_flags(review_settings, "--relation", "update")) == steps
    assert set(cli_flags(review_settings, "--relation", "update", "--every-update")) == every
    assert 'name="every_update" value="1" checked' in http.get("/?every_update=1").text
    [line] = [m for m in http.get("/measures?format=json").json()["measures"] if m["measure"] == "attempts to cross the Channel"]
    assert sorted(p["date"] for p in line["points"] if p["date"]) == ["2014-04-30", "2015-04-30", "2016-04-30"]

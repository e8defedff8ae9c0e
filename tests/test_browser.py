"""The review page in a real browser: Debian's headless Chromium driven by chromedriver through selenium.

One browser and one server (uvicorn in a thread, on a free port of 127.0.0.1) for the module. With
CLAIMCHECK_SCREENSHOTS=docs (`make screenshots`) the pictures in the README are written there.
"""

import json
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait
from typer.testing import CliRunner

from claimcheck import embed, web
from claimcheck.cli import app as cli_app
from claimcheck.config import Settings

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,1000"]
INJECTED = ("[onerror], [onmouseover], [onclick], a[href^='javascript:'], #forged, iframe, object, embed,"
            " script:not([src='/static/app.js'])")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(review_corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    shutil.copy(review_corpus, folder / "review.db")
    settings = Settings(db_path=folder / "review.db", model="hash-test")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(web.create_app(settings, embedder=embed.HashEmbedder()),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield settings, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def press(browser, *keys):
    ActionChains(browser).send_keys(*keys).perform()


def wait_for(browser, condition, timeout=10):
    return WebDriverWait(browser, timeout).until(lambda driver: condition(driver))


def cli_flags(settings):
    result = CliRunner().invoke(cli_app, ["flags", "--json", "--revisions", "--db", str(settings.db_path)])
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.stdout)}


def test_filter_open_a_flag_and_confirm_it_with_a_note_by_keyboard(browser, served):
    settings, base = served
    browser.get(base + "/")
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.flag-row")) == len(cli_flags(settings))
    Select(browser.find_element(By.NAME, "kind")).select_by_value("date")
    browser.find_element(By.ID, "apply").click()
    wait_for(browser, lambda d: "kind=date" in d.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.flag-row")
    assert rows and {row.find_elements(By.TAG_NAME, "td")[1].text for row in rows} == {"date"}
    assert browser.find_element(By.ID, "count").text == str(len(rows))
    press(browser, "j", "j", "k")  # down twice, up once: the second row is current
    current = browser.find_element(By.CSS_SELECTOR, "tr.flag-row.current")
    flag_id = current.get_attribute("data-id")
    assert flag_id == rows[1].get_attribute("data-id")
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: f"/flags/{flag_id}" in d.current_url)
    assert "kind=date" in browser.current_url
    following = browser.find_element(By.ID, "next").get_attribute("href")
    press(browser, "j")  # on to the next flag of the filtered list, and back
    wait_for(browser, lambda d: d.current_url == following)
    press(browser, "k")
    wait_for(browser, lambda d: f"/flags/{flag_id}" in d.current_url)
    press(browser, "n")
    assert browser.switch_to.active_element.get_attribute("id") == "note"
    press(browser, "Closed in December 2002, as the prefecture says", Keys.TAB, "ana")
    press(browser, Keys.ESCAPE, "c")
    wait_for(browser, lambda d: f"/flags/{flag_id}" not in d.current_url)
    assert "/flags/" in browser.current_url and "kind=date" in browser.current_url  # on to the next date flag
    row = cli_flags(settings)[flag_id]
    assert (row["status"], row["note"], row["reviewer"]) == ("confirmed", "Closed in December 2002, as the prefecture says", "ana")
    # The reviewer's name is remembered for the next decision.
    assert browser.find_element(By.ID, "reviewer").get_attribute("value") == "ana"


def test_a_hostile_article_renders_inert(browser, served):
    settings, base = served
    hostile = [row["id"] for row in cli_flags(settings).values() if "hostile.md" in (row["article_a"], row["article_b"])]
    assert hostile
    for path in [f"/flags/{flag_id}" for flag_id in hostile] + ["/?status=all&article=hostile.md", "/articles", "/measures"]:
        browser.get(base + path)
        # Hover and load-error events on every element: an injected handler would fire now.
        browser.execute_script("document.querySelectorAll('body *').forEach(e => ['mouseover', 'error']"
                               ".forEach(t => e.dispatchEvent(new Event(t))))")
        assert browser.execute_script("return typeof window.__injected") == "undefined", path
        assert browser.execute_script(f"return document.querySelectorAll({INJECTED!r}).length") == 0, path
        assert not [h.text for h in browser.find_elements(By.TAG_NAME, "h1") if "Forged" in h.text], path
    browser.get(base + f"/flags/{hostile[0]}")
    assert "<script>window.__injected" in browser.find_element(By.TAG_NAME, "main").text  # shown as text


def test_a_post_without_the_csrf_token_is_refused_in_the_browser(browser, served):
    settings, base = served
    flag_id = next(row["id"] for row in cli_flags(settings).values() if row["status"] == "open")
    browser.get(base + f"/flags/{flag_id}")
    browser.execute_script("document.querySelector('input[name=csrf_token]').remove()")
    browser.find_element(By.ID, "note").send_keys("this must not be lost")
    browser.find_element(By.ID, "confirm").click()
    wait_for(browser, lambda d: d.find_elements(By.ID, "error"))
    assert "CSRF" in browser.find_element(By.ID, "error").text
    assert "this must not be lost" in browser.find_element(By.CSS_SELECTOR, ".kept").text
    assert cli_flags(settings)[flag_id]["status"] == "open"


def test_screenshots_of_the_flags_page_one_flag_and_the_measures(browser, served, tmp_path):
    _, base = served
    folder = Path(os.environ.get("CLAIMCHECK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in [("flags", "/?status=all"), ("flag", "/flags/7b0cf99edd"), ("measures", "/measures")]:
        browser.get(base + path)
        if name == "measures":  # the charts are drawn by the server as inline SVG: one dot per value
            assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart circle")) >= 6
        target = folder / f"serve-{name}.png"
        assert browser.save_screenshot(str(target))
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000

"""Work run on the other core in a forked child: the same answer as here, and here when the child cannot help."""

from __future__ import annotations

import os

import pytest

from claimcheck import forked, pipeline, report, store


def test_the_work_runs_in_a_child_process_and_its_result_comes_back():
    assert forked.can_fork()  # Linux, two cores: what CI and the bench machines are
    assert forked.Pending(os.getpid).result() != os.getpid()


def test_work_that_fails_in_the_child_is_done_here():
    parent = os.getpid()

    def only_here() -> str:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return "done here"

    assert forked.Pending(only_here).result() == "done here"


def test_a_child_that_dies_without_answering_leaves_the_work_to_this_process():
    parent = os.getpid()

    def dies_in_the_child() -> int:
        if os.getpid() != parent:
            os._exit(3)  # killed: no result, no exception
        return 42

    assert forked.Pending(dies_in_the_child).result() == 42


def test_without_fork_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    assert forked.Pending(os.getpid).result() == os.getpid()


def _body(markdown: str) -> str:
    return "\n".join(line for line in markdown.splitlines() if not line.startswith("Generated "))


def test_a_report_read_in_two_processes_is_the_report_read_in_one(review_settings, tmp_path, monkeypatch):
    db = store.open_db(review_settings.db_path)
    one = pipeline.write_report(db, tmp_path / "one.md", review_settings).read_text(encoding="utf-8")
    pid_file = tmp_path / "child.pid"
    in_child = report._corroboration_of_file

    def recorded(*args):  # noqa: ANN002, ANN202
        pid_file.write_text(str(os.getpid()))
        return in_child(*args)

    monkeypatch.setattr(report, "_corroboration_of_file", recorded)
    monkeypatch.setattr(report, "HALVES_MIN_CLAIMS", 0)
    two = pipeline.write_report(db, tmp_path / "two.md", review_settings).read_text(encoding="utf-8")
    assert int(pid_file.read_text()) != os.getpid()  # the corroboration half was read in a child
    assert _body(two) == _body(one)
    assert "agree\n" in one and "## Claims shared across articles\n\nSentences" in one  # both halves have content

"""The code's shape that the style guide promises: SQL only in the store, no module past 400 lines."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "claimcheck"
SQL = re.compile(r"\.execute(many)?\(|\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")


def test_sql_is_written_only_in_the_store():
    outside = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
               if path.parent.name != "store" and SQL.search(path.read_text())]
    assert outside == []


def test_no_module_is_over_400_lines():
    long = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text().splitlines())) > 400}
    assert long == {}

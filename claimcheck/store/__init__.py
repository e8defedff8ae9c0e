"""The SQLite store: open a database, apply the schema's migrations, and every query (the only package with SQL).

SQLite is the single source of truth. `schema` declares the tables as migrations; `corpus` reads and
writes articles, claims and embeddings; `results` pairs, checks' findings and reviews. Callers use
named functions (`store.flags(db, status="open")`), never SQL of their own.
"""

from .corpus import *  # noqa: F401,F403
from .results import *  # noqa: F401,F403
from .schema import *  # noqa: F401,F403
from .schema import _execute_script  # noqa: F401 - for migrations written in tests

"""Defaults in one place: a frozen Settings, overridable by CLAIMCHECK_DB and CLAIMCHECK_MODEL."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import InputError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
REPORTS_DIR = Path("reports")


@dataclass(frozen=True)
class Settings:
    """Everything a run can tune; the CLI builds one from its options."""

    db_path: Path = Path("claimcheck.db")
    model: str = DEFAULT_MODEL
    batch_size: int = 32
    # Pairing: FAISS neighbours per claim, the cosine floor for a candidate, and the
    # hybrid score (cosine + shared rare terms) a candidate needs to become a pair.
    neighbours: int = 10
    min_cosine: float = 0.30
    pair_threshold: float = 0.62
    lexical_weight: float = 0.55
    # A pair scoring this much states the *same* claim (tuned for F1 on MRPC's development
    # split); lower-scoring pairs are related claims that the checks still examine.
    same_claim_threshold: float = 0.99
    # A term rarer than this (claims containing it) proposes candidates by itself.
    rare_term_max_df: int = 50
    # Articles whose claims are mostly near-identical are copies of one source.
    copy_cosine: float = 0.95
    copy_share: float = 0.5
    # Above this many claims pairing uses an approximate (HNSW) index: measured here, a self-join
    # of 100k claims takes 128 s exact and 14 s with HNSW (M=32, efSearch 64), which still finds
    # 99.94 % of the pairs with cosine >= 0.8; at 10k HNSW finds all of them and is already faster.
    # (Measured with M=32 / efSearch 64; index.py now uses 16 / 32, faster still: see bench/results.md.)
    exact_search_limit: int = 20_000
    max_file_bytes: int = 20_000_000

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Defaults, then CLAIMCHECK_DB / CLAIMCHECK_MODEL, then explicit overrides (None = keep)."""
        settings = cls()
        if os.environ.get("CLAIMCHECK_DB"):
            settings = replace(settings, db_path=Path(os.environ["CLAIMCHECK_DB"]))
        if os.environ.get("CLAIMCHECK_MODEL"):
            settings = replace(settings, model=os.environ["CLAIMCHECK_MODEL"])
        given = {key: value for key, value in overrides.items() if value is not None}
        if "db_path" in given:
            given["db_path"] = Path(given["db_path"])  # type: ignore[arg-type]
        return replace(settings, **given)  # type: ignore[arg-type]

    @property
    def index_path(self) -> Path:
        """The FAISS cache lives beside the database it was built from."""
        return self.db_path.with_name(self.db_path.name + ".faiss")

    @property
    def phrase_cache_path(self) -> Path:
        """The measure phrases' vectors, read in one go (measure_pairs.phrase_matrix), beside the database too."""
        return self.db_path.with_name(self.db_path.name + ".phrases.npz")


# Settings a run cannot use, and the most each may be (None: no upper bound).
_AT_LEAST_ONE = ("batch_size", "neighbours", "rare_term_max_df", "max_file_bytes")
_FRACTIONS = {"min_cosine": 1.0, "copy_cosine": 1.0, "copy_share": 1.0, "pair_threshold": None, "lexical_weight": None}


def check_settings(settings: Settings) -> None:
    """Refuse zero or negative sizes and negative thresholds with one clear line, before any work."""
    if settings.max_file_bytes <= 0:
        raise InputError("--max-mb must be more than 0")
    for name in _AT_LEAST_ONE:
        if getattr(settings, name) < 1:
            raise InputError(f"{name} must be at least 1, not {getattr(settings, name)}")
    for name, most in _FRACTIONS.items():
        value = getattr(settings, name)
        if not value >= 0 or (most is not None and value > most):  # `not >=` also refuses NaN
            bounds = f"between 0 and {most:g}" if most is not None else "0 or more"
            raise InputError(f"{name} must be {bounds}, not {value}")

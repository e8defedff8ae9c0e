"""Shared fixtures: a temporary database per test, a deterministic embedder, the real model once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.pop("CLAIMCHECK_DB", None)
os.environ.pop("CLAIMCHECK_MODEL", None)
os.environ.pop("CLAIMCHECK_PRECISION", None)

from claimcheck import embed, pipeline, store  # noqa: E402
from claimcheck.config import SEEDS_DIR, Settings  # noqa: E402

DATA = Path(__file__).parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    """ONNX exports and the measured path go to pytest's cache folder, never the user's cache: kept between
    runs (measuring takes ~15 s), gone with `pytest --cache-clear` or on a clean clone."""
    os.environ["CLAIMCHECK_CACHE"] = str(config.cache.mkdir("claimcheck") if config.cache else DATA.parent / ".cache")


class CountingEmbedder(embed.HashEmbedder):
    """The hash embedder, counting how many texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.texts = 0

    def embed_batch(self, texts, progress=None):  # noqa: ANN001, ANN201
        self.calls += 1
        self.texts += len(texts)
        return super().embed_batch(texts, progress)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "test.db", model="hash-test")


@pytest.fixture
def db(settings: Settings):
    database = store.open_db(settings.db_path)
    yield database
    database.close()


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch, embedder: CountingEmbedder) -> CountingEmbedder:
    """Make every command use the deterministic embedder (for CLI tests that cannot pass one in)."""
    monkeypatch.setattr(embed, "load_embedder", lambda model, batch_size=32: embedder)
    return embedder


@pytest.fixture
def basic_dir(tmp_path: Path) -> Path:
    """A private copy of tests/data/basic that a test may change."""
    target = tmp_path / "basic"
    shutil.copytree(DATA / "basic", target)
    return target


@pytest.fixture(scope="session")
def seeds_run(tmp_path_factory: pytest.TempPathFactory):
    """The real pipeline with the real model on the five seeds, run once for the session."""
    folder = tmp_path_factory.mktemp("seeds_run")
    settings = Settings(db_path=folder / "seeds.db")
    database = store.open_db(settings.db_path)
    real = embed.load_embedder(settings.model)
    result = pipeline.run_report(database, settings, [SEEDS_DIR], folder / "report.md", embedder=real)
    return settings, database, result, real


@pytest.fixture(scope="session")
def review_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds + tests/data/conflicts + a hostile article, built once with the deterministic embedder (copied per test)."""
    folder = tmp_path_factory.mktemp("review")
    settings = Settings(db_path=folder / "review.db", model="hash-test")
    database = store.open_db(settings.db_path)
    paths = [SEEDS_DIR, DATA / "conflicts", DATA / "hostile"]
    pipeline.run_report(database, settings, paths, folder / "report.md", embedder=embed.HashEmbedder())
    database.close()  # the last connection closing folds the WAL into the file, so one file copies
    return settings.db_path


@pytest.fixture
def review_settings(review_corpus: Path, tmp_path: Path) -> Settings:
    """A private copy of the review corpus that a test may change."""
    target = tmp_path / "review.db"
    shutil.copy(review_corpus, target)
    return Settings(db_path=target, model="hash-test")

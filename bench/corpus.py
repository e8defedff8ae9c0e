"""Benchmark corpora built from the BBC News articles in ../shared/eval/bbc_news (never copied into the repo).

A corpus of N claims is a folder under bench/out/ of BBC articles, taken in a fixed shuffled order (all five
topics mixed) until an estimate of their claims reaches N; the exact claim count is the one claimcheck stores
and the benchmark reports that one. BBC holds only ~40-45k claims, so larger corpora add *perturbed variants*
of BBC articles: every number changed by a random factor, sentences rotated within each paragraph and
paragraphs shuffled, people's surnames after a title replaced, and common news words swapped for synonyms
(so nearly every sentence differs from the original and is embedded afresh). The variants read like other
outlets' versions of the same story: they create real cross-article pairs and numeric disagreements.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from claimcheck.ingest import decode

BBC_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "bbc_news" / "bbc"
SEED = 20240607
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z0-9])")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
_TITLED_NAME = re.compile(r"\b(Mr|Mrs|Ms|Dr|Sir|Lord|Prof)\.? ([A-Z][a-z]{2,})\b")
_SURNAMES = ["Adams", "Baker", "Carter", "Dalton", "Ellis", "Fletcher", "Grant", "Hughes", "Irving", "Jarvis",
             "Kerr", "Lowe", "Marsh", "Nash", "Osborne", "Palmer", "Quinn", "Reid", "Shaw", "Turner"]
_SYNONYMS = {"said": "stated", "says": "states", "told": "informed", "year": "twelve months", "years": "seasons",
             "also": "additionally", "company": "firm", "firms": "companies", "government": "administration",
             "people": "individuals", "new": "fresh", "will": "is set to", "would": "could", "but": "however",
             "added": "continued", "expected": "forecast", "increase": "rise", "big": "large", "show": "reveal",
             "because": "as", "about": "around", "more than": "over", "the first": "the opening", "market": "sector",
             "number": "total", "game": "match", "film": "movie", "told the": "informed the", "last": "previous",
             "against": "versus", "which": "that", "many": "numerous", "help": "assist", "make": "create"}
_SYNONYM_RE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _SYNONYMS), key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class CorpusInfo:
    """What a generated corpus holds."""

    folder: Path
    target_claims: int
    articles: int
    bbc_articles: int
    perturbed_articles: int
    estimated_claims: int


def bbc_files() -> list[Path]:
    """Every BBC article file, in a fixed shuffled order that mixes the topics."""
    files = sorted(BBC_DIR.glob("*/*.txt"))
    if not files:
        raise SystemExit(f"BBC News corpus not found under {BBC_DIR}")
    random.Random(SEED).shuffle(files)
    return files


def read_article(path: Path) -> str:
    """An article's text; one BBC file is not UTF-8, so decode as claimcheck does."""
    return decode(path.read_bytes())


def estimate_claims(text: str) -> int:
    """A cheap stand-in for segmentation: sentences of four words or more, a line break ending each."""
    count = 0
    for line in text.splitlines():
        count += sum(1 for sentence in _SENTENCE_END.split(line) if len(sentence.split()) >= 4)
    return count


def perturb(text: str, variant: int) -> str:
    """Another outlet's version of a story: other numbers, order, names and wording (deterministic)."""
    rng = random.Random(f"{SEED}-{variant}-{len(text)}")
    lines = text.splitlines()
    headline, body = lines[0], [line for line in lines[1:] if line.strip()]
    paragraphs = []
    for paragraph in body:
        sentences = _SENTENCE_END.split(paragraph)
        if len(sentences) > 1:
            shift = rng.randrange(len(sentences))
            sentences = sentences[shift:] + sentences[:shift]
        paragraphs.append(" ".join(sentences))
    if len(paragraphs) > 2:
        rest = paragraphs[1:]
        rng.shuffle(rest)
        paragraphs = paragraphs[:1] + rest
    names = {}

    def new_name(match: re.Match) -> str:
        names.setdefault(match.group(2), rng.choice(_SURNAMES))
        return f"{match.group(1)} {names[match.group(2)]}"

    def new_number(match: re.Match) -> str:
        whole, fraction = match.group(1), match.group(2) or ""
        value = int(whole.replace(",", ""))
        if 1900 <= value <= 2030 and not fraction and rng.random() < 0.7:
            return str(value + rng.choice([-1, 0, 1]))  # years move little
        changed = max(1, round(value * rng.uniform(0.6, 1.6)))
        formatted = f"{changed:,}" if "," in whole else str(changed)
        return formatted + (f".{rng.randrange(10)}" if fraction else "")

    def synonym(match: re.Match) -> str:
        return _SYNONYMS[match.group(1)] if rng.random() < 0.8 else match.group(1)

    out = "\n\n".join([headline, *paragraphs])
    out = _TITLED_NAME.sub(new_name, out)
    out = _NUMBER.sub(new_number, out)
    return _SYNONYM_RE.sub(synonym, out) + "\n"


def build_corpus(out_dir: Path, target_claims: int) -> CorpusInfo:
    """Write (or reuse) a folder of articles holding about `target_claims` claims."""
    folder = out_dir / "corpus" / f"claims_{target_claims}"
    marker = folder / ".complete"
    files = bbc_files()
    texts = [(f"bbc_{p.parent.name}_{p.stem}", read_article(p)) for p in files]
    chosen: list[tuple[str, str]] = []
    estimated = 0
    variant = 0
    bbc_count = 0
    while estimated < target_claims:
        position = len(chosen) % len(texts)
        round_ = len(chosen) // len(texts)
        name, text = texts[position]
        if round_ == 0:
            bbc_count += 1
        else:
            variant += 1
            name, text = f"{name}_v{round_}", perturb(text, round_)
        chosen.append((name, text))
        estimated += estimate_claims(text)
    if not marker.exists():
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in chosen:
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        marker.write_text(str(len(chosen)))
    return CorpusInfo(folder, target_claims, len(chosen), bbc_count, variant, estimated)


def extra_article(out_dir: Path) -> Path:
    """One article in no corpus (a fresh variant of a BBC story) for the incremental-add measure."""
    folder = out_dir / "incremental"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "new_article.txt"
    path.write_text(perturb(read_article(bbc_files()[0]), 999), encoding="utf-8")
    return path

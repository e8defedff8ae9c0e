"""Vectors + claim metadata -> candidate pairs across articles. Pure maths: no model, no database.

How a pair is chosen (the README says the same):
1. Candidates come from two places: each claim's nearest neighbours by cosine (FAISS), and the claims
   sharing the most *rare* terms with it (a name, a number, an unusual word: "Sangatte", "2002").
   Sentence cosine alone misses restatements that word the same fact differently.
2. Each candidate gets `score = cosine + lexical_weight × lexical`. `lexical` grows with the IDF
   mass of the terms both claims contain (content lemmas, names, numbers; IDF normalised to [0, 1]),
   saturating towards 1: `shared / (shared + 1.2)`. A shared "Sangatte … 2002" counts for far more than a shared
   "migrants", and a long sentence is not penalised for saying more than the short one.
3. A candidate becomes a pair when both claims come from different articles and its score reaches
   the threshold. Pairs are kept once, in canonical order (a < b).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pair:
    """Two claims from different articles that may state the same thing."""

    a: int
    b: int
    similarity: float
    lexical: float
    score: float


def idf_weights(document_frequency: Mapping[str, int], n_claims: int) -> dict[str, float]:
    """Smoothed inverse document frequency of each term, divided by its corpus maximum (so in [0, 1]).

    Normalising keeps scores comparable across corpus sizes: a term found in 3 of 150 claims weighs
    about what a term found in 3 of 100,000 weighs relative to the rarest term possible.
    """
    top = math.log(n_claims + 2)
    return {term: max(0.0, math.log((n_claims + 1) / (df + 0.5)) / top) for term, df in document_frequency.items()}


def lexical_overlap(
    terms_a: Iterable[str], terms_b: Iterable[str], idf: Mapping[str, float], half: float = 1.2,
    unseen: float | None = None,
) -> float:
    """How much rare vocabulary two claims share, in [0, 1): IDF mass of shared terms, saturating at `half`.

    A term missing from `idf` weighs `unseen` (default: as much as the rarest known term).
    """
    shared_terms = set(terms_a) & set(terms_b)
    if not shared_terms:
        return 0.0
    if unseen is None:
        unseen = max(idf.values(), default=1.0)
    shared = sum(max(0.0, idf.get(term, unseen)) for term in shared_terms)
    return shared / (shared + half)


def hybrid_score(similarity: float, lexical: float, lexical_weight: float) -> float:
    """What pairing and querying rank on: meaning plus shared rare terms."""
    return similarity + lexical_weight * lexical


def neighbour_candidates(
    query_ids: np.ndarray, similarities: np.ndarray, neighbour_ids: np.ndarray, min_cosine: float
) -> dict[tuple[int, int], float]:
    """Canonical (a < b) candidate pairs from a k-NN search result, with their cosine."""
    found: dict[tuple[int, int], float] = {}
    for query, sims, neighbours in zip(query_ids.tolist(), similarities.tolist(), neighbour_ids.tolist()):
        for sim, other in zip(sims, neighbours):
            if other < 0 or other == query or sim < min_cosine:
                continue
            key = (query, other) if query < other else (other, query)
            found[key] = max(found.get(key, -1.0), sim)
    return found


def rare_term_candidates(
    query_terms: Mapping[int, Sequence[str]], postings: Mapping[str, Sequence[int]], per_claim: int = 30
) -> set[tuple[int, int]]:
    """Canonical pairs of claims that share rare terms (postings hold only rare terms).

    Each claim keeps the `per_claim` others sharing the most rare terms with it: in a large corpus of
    near-copies, every claim shares one rare word with hundreds of others, and scoring them all costs
    more than the whole search while adding pairs that the score would reject anyway.
    """
    found: set[tuple[int, int]] = set()
    for query, terms in query_terms.items():
        shared = Counter(other for term in set(terms) for other in postings.get(term, ()) if other != query)
        # Ties broken by id, not by set order (string hashing differs between processes).
        for other, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:per_claim]:
            found.add((query, other) if query < other else (other, query))
    return found


def score_pairs(
    keys: Iterable[tuple[int, int]],
    cosine_of: Mapping[tuple[int, int], float],
    vectors: Mapping[int, np.ndarray],
    terms: Mapping[int, Sequence[str]],
    article_of: Mapping[int, int],
    idf: Mapping[str, float],
    lexical_weight: float,
    threshold: float,
) -> list[Pair]:
    """The candidates from different articles whose hybrid score reaches the threshold, best first."""
    pairs = []
    unseen = max(idf.values(), default=1.0)  # once, not per candidate: the vocabulary is large
    for a, b in keys:
        if article_of[a] == article_of[b]:
            continue
        similarity = cosine_of.get((a, b))
        if similarity is None:
            similarity = float(np.dot(vectors[a], vectors[b]))
        lexical = lexical_overlap(terms[a], terms[b], idf, unseen=unseen)
        score = hybrid_score(similarity, lexical, lexical_weight)
        if score >= threshold:
            pairs.append(Pair(a, b, round(similarity, 4), round(lexical, 4), round(score, 4)))
    return sorted(pairs, key=lambda pair: -pair.score)


def copied_articles(
    pairs: Iterable[Pair], article_of: Mapping[int, int], claims_per_article: Mapping[int, int],
    copy_cosine: float, copy_share: float,
) -> dict[tuple[int, int], float]:
    """Article pairs that are copies of one source: most of the shorter one's claims reappear near-verbatim."""
    matched: dict[tuple[int, int], set[int]] = {}
    for pair in pairs:
        if pair.similarity < copy_cosine:
            continue
        article_a, article_b = article_of[pair.a], article_of[pair.b]
        key = (min(article_a, article_b), max(article_a, article_b))
        # Count the claims of the shorter article that found a near-verbatim twin.
        shorter = key[0] if claims_per_article[key[0]] <= claims_per_article[key[1]] else key[1]
        matched.setdefault(key, set()).add(pair.a if article_of[pair.a] == shorter else pair.b)
    copies = {}
    for key, claims in matched.items():
        share = len(claims) / max(1, min(claims_per_article[key[0]], claims_per_article[key[1]]))
        if share >= copy_share:
            copies[key] = round(share, 3)
    return copies

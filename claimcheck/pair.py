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

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np


class Pair(NamedTuple):
    """Two claims from different articles that may state the same thing (a tuple: a 100k-claim corpus makes
    over a million candidates, and a frozen dataclass took 2 s of pairing just to construct them)."""

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


LEXICAL_HALF = 1.2  # the shared IDF mass at which `lexical` reaches 0.5


def lexical_overlap(
    terms_a: Iterable[str], terms_b: Iterable[str], idf: Mapping[str, float], half: float = LEXICAL_HALF,
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
    return saturated(sum(max(0.0, idf.get(term, unseen)) for term in shared_terms), half)


def saturated(shared, half: float = LEXICAL_HALF):  # noqa: ANN001, ANN201 - a float or an array of them
    """Shared IDF mass -> [0, 1): 0.5 at `half`, approaching 1 as more rare terms are shared."""
    return shared / (shared + half)


def hybrid_score(similarity, lexical, lexical_weight: float):  # noqa: ANN001, ANN201 - floats or arrays of them
    """What pairing and querying rank on: meaning plus shared rare terms."""
    return similarity + lexical_weight * lexical


# A candidate pair is one int64, a << 32 | b (a < b): a 100k-claim corpus makes ~1.5M candidates, and sets and dicts
# of tuples took 8-10 s of pairing's set unions and lookups.
CODE_BITS = 32


def encode(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Canonical codes of the pairs (a[i], b[i]), whichever end is smaller first."""
    a, b = _fitting(a), _fitting(b)
    return (np.minimum(a, b) << CODE_BITS) | np.maximum(a, b)


def _fitting(ids: np.ndarray) -> np.ndarray:
    """Claim ids as int64, checked to fit one half of a pair code."""
    ids = np.asarray(ids, dtype=np.int64)
    if len(ids) and int(ids.max()) >> (CODE_BITS - 1):
        raise ValueError(f"claim ids past 2**{CODE_BITS - 1} do not fit a pair code")
    return ids


def decode(codes: np.ndarray) -> np.ndarray:
    """The (n, 2) array of the claim ids of these pair codes."""
    return np.stack([codes >> CODE_BITS, codes & ((1 << CODE_BITS) - 1)], axis=1)


def neighbour_candidates(
    query_ids: np.ndarray, similarities: np.ndarray, neighbour_ids: np.ndarray, min_cosine: float
) -> tuple[np.ndarray, np.ndarray]:
    """(sorted codes, cosine) of the candidate pairs of a k-NN search result; a pair found twice keeps its best."""
    queries = np.repeat(np.asarray(query_ids, dtype=np.int64), neighbour_ids.shape[1])
    others = neighbour_ids.ravel().astype(np.int64)
    cosine = similarities.ravel().astype(np.float64)
    keep = (others >= 0) & (others != queries) & (cosine >= min_cosine)
    codes, cosine = encode(queries[keep], others[keep]), cosine[keep]
    order = np.lexsort((-cosine, codes))  # by code, best cosine first
    codes, first = np.unique(codes[order], return_index=True)
    return codes, cosine[order][first]


def rare_term_candidates(
    query_terms: Mapping[int, Sequence[str]], postings: Mapping[str, Sequence[int]], per_claim: int = 30
) -> np.ndarray:
    """Sorted codes of the pairs of claims that share rare terms (postings hold only rare terms).

    Each claim keeps the `per_claim` others sharing the most rare terms with it: in a large corpus of
    near-copies, every claim shares one rare word with hundreds of others, and scoring them all costs
    more than the whole search while adding pairs that the score would reject anyway.
    """
    term_row = {term: row for row, term in enumerate(postings)}
    lengths = np.array([len(postings[term]) for term in term_row], dtype=np.int64)
    flat = np.fromiter(itertools.chain.from_iterable(postings.values()), dtype=np.int64, count=int(lengths.sum()))
    asked = [(query, term_row[term]) for query, terms in query_terms.items() for term in set(terms) if term in term_row]
    if not asked:
        return np.zeros(0, dtype=np.int64)
    query, row = np.array(asked, dtype=np.int64).T
    query, flat = _fitting(query), _fitting(flat)
    # Every (query, other) for each posting of each of the query's rare terms, as CSR rows gathered.
    queries, others = query.repeat(lengths[row]), flat[_gathered(row, lengths)]
    keep = others != queries
    directed, shared = np.unique((queries[keep] << CODE_BITS) | others[keep], return_counts=True)
    queries, others = directed >> CODE_BITS, directed & ((1 << CODE_BITS) - 1)
    # Per query, most shared terms first, ties broken by the other claim's id (not by set order).
    order = np.lexsort((others, -shared, queries))
    ranked = queries[order]
    rank = np.arange(len(order)) - np.searchsorted(ranked, ranked)
    chosen = order[rank < per_claim]
    return np.unique(encode(queries[chosen], others[chosen]))


def _gathered(rows: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The flat positions of CSR rows `rows` (row lengths `lengths`), one row after the other."""
    starts = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    counts = lengths[rows]
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts[rows], counts) + within


def with_candidates(codes: np.ndarray, cosine: np.ndarray, more: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The union of scored candidates (`codes`, `cosine`) and unscored ones (`more`, cosine NaN), sorted."""
    extra = np.setdiff1d(more, codes, assume_unique=True)
    union = np.concatenate([codes, extra])
    order = np.argsort(union, kind="stable")
    return union[order], np.concatenate([cosine, np.full(len(extra), np.nan)])[order]


def score_pairs(
    codes: np.ndarray,
    cosine: np.ndarray,
    vectors: Mapping[int, np.ndarray],
    terms: Mapping[int, Sequence[str]],
    article_of: Mapping[int, int],
    idf: Mapping[str, float],
    lexical_weight: float,
    threshold: float,
) -> list[Pair]:
    """The candidates (pair codes, with the search's cosine or NaN) from different articles whose hybrid score
    reaches the threshold, best first (ties in code order).

    `hybrid_score(cosine, lexical_overlap(...))` of every candidate, computed on arrays: a 100k-claim corpus has
    ~2M candidates, and the loop of calls took 27 s of find_pairs' 51 s.
    """
    if not len(codes):
        return []
    ends = decode(np.asarray(codes, dtype=np.int64))
    claims = np.unique(ends)
    rows_a, rows_b = np.searchsorted(claims, ends[:, 0]), np.searchsorted(claims, ends[:, 1])
    article = np.array([article_of[c] for c in claims.tolist()], dtype=np.int64)
    apart = np.flatnonzero(article[rows_a] != article[rows_b])
    similarity = _similarities(ends[apart], np.asarray(cosine, dtype=np.float64)[apart], vectors)
    lexical = _lexical_overlaps(claims, rows_a[apart], rows_b[apart], terms, idf)
    score = hybrid_score(similarity, lexical, lexical_weight)
    kept = np.flatnonzero(score >= threshold)
    similarity, lexical, score = (np.round(values[kept], 4) for values in (similarity, lexical, score))
    order = np.argsort(-score, kind="stable")  # best first; ties in code order
    chosen = ends[apart[kept][order]]
    new = tuple.__new__  # Pair(...) runs NamedTuple's Python __new__: 3 s for 700k pairs
    return [new(Pair, row) for row in zip(chosen[:, 0].tolist(), chosen[:, 1].tolist(), similarity[order].tolist(),
                                          lexical[order].tolist(), score[order].tolist())]


def _similarities(ends: np.ndarray, cosine: np.ndarray, vectors: Mapping[int, np.ndarray],
                  block: int = 10_000) -> np.ndarray:
    """Each candidate's cosine: from the search where it has one, else the dot product of its claims' vectors.

    `block` candidates at a time: their two gathered matrices take 30 MB (100,000 took 600 MB at 10k claims)."""
    similarity = cosine.copy()
    missing = np.flatnonzero(np.isnan(similarity))
    if not len(missing):
        return similarity
    ends = ends[missing]
    ids = np.unique(ends)
    matrix = np.stack([vectors[c] for c in ids.tolist()]).astype(np.float32)
    for start in range(0, len(missing), block):
        part = ends[start : start + block]
        a, b = matrix[np.searchsorted(ids, part[:, 0])], matrix[np.searchsorted(ids, part[:, 1])]
        similarity[missing[start : start + block]] = np.einsum("ij,ij->i", a, b)
    return similarity


def _lexical_overlaps(claims: np.ndarray, rows_a: np.ndarray, rows_b: np.ndarray, terms: Mapping[int, Sequence[str]],
                      idf: Mapping[str, float], block: int = 200_000) -> np.ndarray:
    """`lexical_overlap` of claims[rows_a[i]] and claims[rows_b[i]] for every i.

    Each claim's distinct terms become ids; a term the two claims of candidate i share is the key i * V + term
    found on both sides (np.intersect1d), and its weight is summed per candidate (np.bincount)."""
    unseen = max(idf.values(), default=1.0)
    vocabulary: dict[str, int] = {}
    weights: list[float] = []
    term_ids, lengths = [], []
    for claim in claims.tolist():
        ids = set()
        for term in terms.get(claim, ()):
            if term not in vocabulary:
                vocabulary[term] = len(weights)
                weights.append(max(0.0, idf.get(term, unseen)))
            ids.add(vocabulary[term])
        term_ids.extend(ids)
        lengths.append(len(ids))
    flat, weight = np.array(term_ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    lengths = np.array(lengths, dtype=np.int64)
    size = max(1, len(weights))
    shared = np.zeros(len(rows_a), dtype=np.float64)
    for start in range(0, len(rows_a), block):
        a, b = rows_a[start : start + block], rows_b[start : start + block]
        common = np.intersect1d(_term_keys(a, flat, lengths, size), _term_keys(b, flat, lengths, size),
                                assume_unique=True)
        shared[start : start + len(a)] = np.bincount(common // size, weights=weight[common % size], minlength=len(a))
    return saturated(shared)


def _term_keys(rows: np.ndarray, flat: np.ndarray, lengths: np.ndarray, size: int) -> np.ndarray:
    """candidate * size + term id, for every term of each candidate's claim at `rows` (CSR rows gathered)."""
    candidate = np.repeat(np.arange(len(rows), dtype=np.int64), lengths[rows])
    return candidate * size + flat[_gathered(rows, lengths)]


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

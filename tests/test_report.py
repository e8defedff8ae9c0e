"""The report's ordering: what a reader compares between two runs of the same corpus."""

from __future__ import annotations

from claimcheck import report, same_claims


def test_shared_claims_of_as_many_articles_come_in_corpus_order_whatever_their_scores():
    article_of = {1: 10, 2: 11, 5: 10, 6: 12, 7: 11, 8: 13}
    # Group {5, 6} scores higher than group {1, 2}, both span two articles; with claim 9, group {7, 8, 9} spans three.
    pairs = [(5, 6, 0.999), (1, 2, 0.995), (7, 8, 0.991)]
    assert same_claims.shared_claim_groups(pairs, article_of, []) == [[1, 2], [5, 6], [7, 8]]
    article_of[9] = 14
    three = pairs + [(7, 9, 0.993), (8, 9, 0.992)]
    assert same_claims.shared_claim_groups(three, article_of, []) == [[7, 8, 9], [1, 2], [5, 6]]

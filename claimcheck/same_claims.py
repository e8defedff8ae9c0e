"""Claims that several articles make in near-identical meaning: pairs scoring as the same claim -> groups."""

from __future__ import annotations


def shared_claim_groups(pairs: list[tuple[int, int, float]], article_of: dict[int, int],
                        copies: list[tuple[int, int, float]]) -> list[list[int]]:
    """Claims that several articles make in near-identical meaning, most articles first (then by their first claim's
    id, where they come in the corpus): groups in which every two
    sentences were paired as the same claim (so a group never chains two different claims through a third).
    `pairs` are (claim a, claim b, score); pairs between copies of one source are left out."""
    copy_links = {(a, b) for a, b, _ in copies}
    same = set()
    ranked_pairs = []
    for a, b, score in pairs:  # ~100k pairs at 100k claims: no min()/max() calls in this loop
        x, y = article_of[a], article_of[b]
        if copy_links and ((x, y) if x < y else (y, x)) in copy_links:
            continue
        same.add((a, b) if a < b else (b, a))
        ranked_pairs.append((-score, a, b))
    ranked_pairs.sort()  # the closest pairs seed the groups
    group_of: dict[int, list[int]] = {}
    for _, a, b in ranked_pairs:
        if a not in group_of and b not in group_of:
            group_of[a] = group_of[b] = [a, b]
            continue
        for inside, outside in ((a, b), (b, a)):
            group = group_of.get(inside)
            if group is not None and outside not in group_of and \
                    all(((outside, m) if outside < m else (m, outside)) in same for m in group):
                group.append(outside)
                group_of[outside] = group
    groups = {id(g): sorted(g) for g in group_of.values()}.values()
    shared = [g for g in groups if len({article_of[m] for m in g}) >= 2]
    # Ties in order of the claims, not of the scores that seeded them: int8 vectors differ a little between CPUs,
    # and two near-tied groups swapped places in the seeds' report from one machine to the next.
    return sorted(shared, key=lambda g: (-len({article_of[m] for m in g}), g[0]))

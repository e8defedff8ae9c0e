"""Confirmed flags as schema.org ClaimReview JSON-LD, the format fact-checkers publish in (a pure function).

A confirmed flag says two articles cannot both be right. claimcheck does not know which one is wrong (the
reviewer's note may say), so each of the two claims gets its own ClaimReview, rated "Disputed", naming the
other article's value as the contradiction and carrying the reviewer's note as the review text.
"""

from __future__ import annotations

SCHEMA = "https://schema.org"
RATING = "Disputed"


def claim_reviews(flags: list[dict], articles: dict[str, dict]) -> list[dict]:
    """One ClaimReview per claim of each confirmed flag; `articles` maps article names to their rows."""
    reviews = []
    for flag in flags:
        if flag.get("status") != "confirmed":
            continue
        for side, other in (("a", "b"), ("b", "a")):
            reviews.append(_review(flag, side, other, articles))
    return reviews


def _review(flag: dict, side: str, other: str, articles: dict[str, dict]) -> dict:
    article = articles.get(flag[f"article_{side}"], {})
    other_article = articles.get(flag[f"article_{other}"], {})
    review: dict = {
        "@context": SCHEMA,
        "@type": "ClaimReview",
        "identifier": f"claimcheck:{flag['id']}:{side}",
        "claimReviewed": flag[f"text_{side}"],
        "itemReviewed": {"@type": "Claim", "appearance": _appearance(article, flag[f"article_{side}"])},
        "reviewRating": {
            "@type": "Rating",
            "alternateName": RATING,
            "ratingExplanation": (
                f"{flag[f'value_{side}']} here, {flag[f'value_{other}']} in "
                f"{other_article.get('outlet') or flag[f'article_{other}']} ({flag['about']}): {flag['reason']}"
            ),
        },
        "reviewBody": flag.get("note") or "",
    }
    if article.get("published"):
        review["itemReviewed"]["datePublished"] = article["published"]
    if flag.get("decided_at"):
        review["datePublished"] = flag["decided_at"][:10]
    if flag.get("reviewer"):
        review["author"] = {"@type": "Person", "name": flag["reviewer"]}
    return review


def _appearance(article: dict, name: str) -> dict:
    appearance: dict = {"@type": "NewsArticle", "name": article.get("title") or name}
    if article.get("url") and article["url"].strip().lower().startswith(("http://", "https://")):
        appearance["url"] = article["url"].strip()
    if article.get("published"):
        appearance["datePublished"] = article["published"]
    if article.get("outlet"):
        appearance["publisher"] = {"@type": "Organization", "name": article["outlet"]}
    return appearance

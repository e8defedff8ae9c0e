"""The attribution check: two claims that say the same thing, credited to different people."""

from __future__ import annotations

from collections.abc import Iterator

from . import attribution, checks


class SpeakerCheck:
    """Whether two outlets credit the same words to the same speaker, after aliasing (attribution.compare_speakers)."""

    name = "attribution"
    version = "2"  # 2: distinctive shared spans, surnames, person and body compatible
    reads = ("attribution", "aliases")

    def compare(self, a: checks.Side, b: checks.Side, context: checks.Context) -> Iterator[checks.Outcome]:
        comparison = attribution.compare_speakers(a.text, a.attribution, b.text, b.attribution, context.aliases)
        if comparison is None:
            return
        yield checks.Outcome(
            kind="attribution", verdict=comparison.verdict, value_a=comparison.speaker_a,
            value_b=comparison.speaker_b, norm_a=comparison.canonical_a, norm_b=comparison.canonical_b,
            about=f"who said it: {' '.join(comparison.shared_words[:6])}".strip(),
            confidence=comparison.confidence, reason=comparison.reason, shared=tuple(comparison.shared_words),
        )


checks.register(SpeakerCheck())

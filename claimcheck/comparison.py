"""The currency of comparison: what two quantities' comparison says, and what it knows beyond the sentences."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from . import units as U
from .inflect import past, plural
from .quantities import Quantity


@dataclass(frozen=True)
class QuantityComparison:
    """The verdict on two quantities that measure the same thing.

    ``verdict``: "agree", "conflict" (same measure, same time, incompatible values) or "update" (same measure at
    two times: a figure that changed). ``time_a``/``time_b`` are the ISO day or interval each value refers to.
    """

    a: Quantity
    b: Quantity
    verdict: str
    kind: str
    confidence: float
    reason: str
    about: str
    time_a: str | None = None
    time_b: str | None = None

    @property
    def measure(self) -> str:
        return self.about

    @property
    def relation(self) -> str:
        return "update" if self.verdict == "update" else "conflict"

    @property
    def source_a(self) -> str | None:
        return self.a.source or None

    @property
    def source_b(self) -> str | None:
        return self.b.source or None


@dataclass(frozen=True)
class Setting:
    """What a comparison knows beyond the two sentences: when each article was written, how alike two measure
    phrases are in meaning (cosine of their embeddings; None when unknown)."""

    anchor_a: date | None = None
    anchor_b: date | None = None
    similarity: Callable[[Quantity, Quantity], float | None] | None = None
    # The two sentences restate a telling figure alike: an undated one reports the dated one's moment.
    same_moment: bool = False


NO_SETTING = Setting()


NO_FRAME: frozenset[str] = frozenset()


def frame(q: Quantity, prefix: str) -> frozenset[str]:
    """The values of a figure's context entries with this prefix ("where:Calais" -> "Calais")."""
    return frames_of(q).get(prefix, NO_FRAME)


def frames_of(q: Quantity) -> dict[str, frozenset[str]]:
    """A figure's context grouped by prefix. The checks ask each figure for its frames in every pair it is in:
    scanning the context each time was a fifth of checking a batch of measure pairs."""
    return once(q, "_frames", _grouped_context)


def once(q: Quantity, name: str, make: Callable[[Quantity], object]):  # noqa: ANN201 - whatever `make` returns
    """`make(q)`, made once per figure and kept on it under `name`, as functools.cached_property keeps a value:
    in the frozen figure's instance dict, derived from its fields (so never serialised: to_dict uses asdict)."""
    value = q.__dict__.get(name)
    if value is None:
        value = q.__dict__[name] = make(q)
    return value


def _grouped_context(q: Quantity) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for entry in q.context:
        prefix, colon, value = entry.partition(":")
        if colon:
            found.setdefault(prefix, set()).add(value)
    return {prefix: frozenset(values) for prefix, values in found.items()}



def as_written(lemma: str, text: str) -> str:
    """The lemma with the capitalisation the text gives it ("calais" -> "Calais")."""
    at = text.lower().find(lemma)
    return text[at:at + len(lemma)] if at >= 0 else lemma


# --- what two figures measure, in words (a flag's `about`) ---


def phrase_about(a: Quantity, b: Quantity) -> str:
    """What both figures measure, in words: the shorter of the two phrases, figure masked."""
    return min((a.measure, b.measure), key=lambda p: (len(p.split()), p)).replace("#", "…").strip() or "figure"


def numeric_about(a: Quantity, b: Quantity, texts: str) -> str:
    """What two figures of one measure by structure count, in words: "people in Calais (this year)", "sum pledged"."""
    places = sorted(frame(a, "where") & frame(b, "where")) or sorted(frame(a, "where") | frame(b, "where"))
    where = f" in {as_written(places[0], texts)}" if places else ""
    when = sorted(frame(a, "when"))
    when = f" ({when[0]})" if when else ""
    event = sorted(frame(a, "event") & frame(b, "event"))[0]
    if a.kind == "money":
        return f"sum {'pledged' if event == 'fund' else past(event)}{where}{when}"
    if a.kind == "percent":
        return f"{event} in {a.noun or 'figure'}{where}{when}"
    if a.kind == "measure":
        return f"{as_written(a.noun, texts)} {U.unit_interval(a.unit)[0]}".strip() + f"{where}{when}"
    noun = plural(a.noun) if a.noun == b.noun else "people"
    return f"{noun}{where}{when}"

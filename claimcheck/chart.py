"""The geometry of a measure's chart, drawn by the page as inline SVG (no script, so the CSP stays strict)."""

from __future__ import annotations

from dataclasses import dataclass

from .timeline import Timeline

WIDTH, HEIGHT = 640, 220
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 80, 20, 30, 40
# Dots stay this far inside the axes so that their labels are not cut at the edges.
INSET = 70


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    value: str
    label: str  # date and outlet, under the x axis
    relation: str
    flag_id: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    dots: tuple[Dot, ...]
    line: str  # SVG path through the updates in date order (conflicting values are not a trend)
    ticks: tuple[tuple[float, str], ...]  # (y, label) on the value axis
    baseline: float


def chart(timeline: Timeline, width: int = WIDTH, height: int = HEIGHT) -> Chart | None:
    """Dots evenly spaced in date order (undated last), heights by value; None when no value is a number.

    Only updates are joined by a line: two outlets disagreeing about one moment are not a trend.
    """
    points = [p for p in timeline.points if p.number is not None]
    if not points:
        return None
    low, high = min(p.number for p in points), max(p.number for p in points)
    if low == high:
        low, high = low - 1, high + 1
    bottom = height - MARGIN_BOTTOM
    span_x = width - MARGIN_LEFT - MARGIN_RIGHT - 2 * INSET

    def y_of(value: float) -> float:
        return round(bottom - (value - low) / (high - low) * (bottom - MARGIN_TOP), 1)

    step = span_x / max(len(points) - 1, 1)
    dots = tuple(
        Dot(x=round(MARGIN_LEFT + INSET + (i * step if len(points) > 1 else span_x / 2), 1), y=y_of(p.number),
            value=p.value, label=f"{p.date or 'undated'} · {p.outlet or p.article}", relation=p.relation,
            flag_id=p.flag_id)
        for i, p in enumerate(points)
    )
    updates = [d for d in dots if d.relation == "update"]
    line = " ".join(f"{'M' if i == 0 else 'L'}{d.x},{d.y}" for i, d in enumerate(updates))
    ticks = tuple((y_of(v), _tick_label(v, timeline.kind)) for v in (low, (low + high) / 2, high))
    return Chart(width, height, dots, line, ticks, bottom)


def _tick_label(value: float, kind: str) -> str:
    if kind == "date":
        return f"{value:.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"

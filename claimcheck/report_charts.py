"""A measure's timeline as a PNG chart for the Markdown report (matplotlib, drawn off-screen)."""
from __future__ import annotations

from datetime import date
from pathlib import Path


def draw(measure, path: Path) -> Path:  # noqa: ANN001 - timeline.Timeline
    """Values over dates: updates joined by a line, conflicting values as red crosses; written atomically."""
    import matplotlib

    matplotlib.use("Agg")  # no screen: the report is a file
    import matplotlib.pyplot as plt

    dated = [p for p in measure.points if p.number is not None and p.date]
    xs = [date.fromisoformat(p.date[:10]) for p in dated]
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    updates = [(x, p.number) for x, p in zip(xs, dated) if p.relation == "update"]
    if updates:
        ax.plot(*zip(*sorted(updates)), marker="o", color="#1f5fa8", label="reported value")
    conflicts = [(x, p.number) for x, p in zip(xs, dated) if p.relation == "conflict"]
    if conflicts:
        ax.scatter(*zip(*conflicts), marker="x", color="#c0392b", zorder=3, label="disputed value")
    ax.set_title(measure.measure[:80], fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.autofmt_xdate()
    fig.tight_layout()
    tmp = path.with_name(path.name + ".tmp.png")
    fig.savefig(tmp)
    plt.close(fig)
    tmp.replace(path)
    return path

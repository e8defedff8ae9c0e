"""Wall time and peak resident memory of one stage, measured inside the process doing the work.

Method: Linux keeps the process's peak resident set size in /proc/self/status (VmHWM). Writing "5" to
/proc/self/clear_refs resets that peak to the current RSS, so resetting it when a stage starts and reading
it when the stage ends gives the stage's own peak RSS (everything resident at that moment: Python, libraries,
models and data already loaded by earlier stages included). Where clear_refs is not writable the figure is
the process's peak so far (ru_maxrss), and `peak_method` says so.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    """Current resident set size in MB."""
    return _status_kb("VmRSS") / 1024


def reset_peak() -> bool:
    """Reset the kernel's peak-RSS counter to the current RSS; False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    """Peak resident set size since the last reset (or since the process started) in MB."""
    hwm = _status_kb("VmHWM")
    return (hwm or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


@dataclass
class StageTiming:
    """One measured stage: how long, over how many items, and the memory it needed."""

    stage: str
    seconds: float = 0.0
    items: int = 0
    rss_before_mb: float = 0.0
    peak_mb: float = 0.0
    peak_method: str = "VmHWM reset per stage"
    load_before: float = 0.0  # 1-minute load average: other processes share these 2 cores
    extra: dict = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "per_second": self.per_second}


@contextmanager
def measure(stage: str, timings: list[StageTiming], items: int = 0) -> Iterator[StageTiming]:
    """Time the block and record its peak RSS; set `.items` inside the block when known only at the end."""
    timing = StageTiming(stage, items=items, rss_before_mb=rss_mb(), load_before=os.getloadavg()[0])
    if not reset_peak():
        timing.peak_method = "ru_maxrss (process peak so far)"
    start = time.perf_counter()
    try:
        yield timing
    finally:
        timing.seconds = time.perf_counter() - start
        timing.peak_mb = peak_mb()
        timings.append(timing)
        print(f"  {stage:<22} {timing.seconds:9.2f} s  items {timing.items:>9,}  peak {timing.peak_mb:8.0f} MB",
              flush=True)

"""Work for the other core: a function run in a forked child process while this process goes on with its own.

Used where one step splits into two halves that read the database on their own (the report's flag half and its
shared-claims half). A child starts at once with this process' modules and data (fork), opens what it needs
itself, and sends back a small picklable result. Where fork cannot be had, or the child fails, the work runs
here instead: the answer is the same, only later.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Fork is Linux's default and safe here; on macOS and Windows processes are spawned, which re-imports
    everything and would cost more than the work saves."""
    start = multiprocessing.get_start_method(allow_none=True)
    return sys.platform == "linux" and start in (None, "fork") and (os.cpu_count() or 1) >= 2


class Pending(Generic[T]):
    """A result on its way from a child process (or, without one, computed when asked for)."""

    def __init__(self, work: Callable[[], T]):
        self._work, self._process, self._receiver = work, None, None
        if can_fork():
            context = multiprocessing.get_context("fork")
            self._receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=_send_result, args=(work, sender), daemon=True,
                                            name="claimcheck-forked")
            self._process.start()
            sender.close()  # the child holds its own end: EOF here if it dies without sending

    def result(self) -> T:
        """The child's result; the work done here if the child failed or could not be started."""
        if self._process is None:
            return self._work()
        try:
            ok, value = self._receiver.recv()
        except (EOFError, OSError):
            ok, value = False, None
        finally:
            self._receiver.close()
            self._process.join()
        return value if ok else self._work()


def _send_result(work: Callable[[], object], sender) -> None:  # noqa: ANN001 - a multiprocessing Connection
    try:
        result = (True, work())
    except BaseException:  # noqa: BLE001 - the parent does the work again, and meets the error itself
        result = (False, None)
    sender.send(result)
    sender.close()

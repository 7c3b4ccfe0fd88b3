"""Two threads for the calls into C that let go of the GIL while they work (zlib, SQLite): on
two cores, a build deflates on both, or inflates the previous deck while it works out what to
render. Python code holds the GIL: a thread waiting for it may wait a switch interval (5 ms)
while the other runs Python, so the work handed to a thread is long calls, not many short ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def in_parallel(work: Callable[[T], bytes], items: Sequence[T]) -> list[bytes]:
    """`[work(item) for item in items]`, on two threads when there is enough to do."""
    if len(items) < 4:  # a thread costs more than it saves
        return [work(item) for item in items]
    return Parallel(work, items).start().results()


class Background(Generic[R]):
    """`work()` on a second thread, from now until `result()`: for a long call into C that
    lets go of the GIL (zlib, SQLite), so that it runs beside the caller's Python work. The
    thread's first and last steps need the GIL, so `work` should be one call, not a loop."""

    def __init__(self, work: Callable[[], R]) -> None:
        self._work = work
        self._outcome: tuple[R] | BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._outcome = (self._work(),)
        except BaseException as error:  # handed to the caller's thread
            self._outcome = error

    def result(self) -> R:
        self._thread.join()
        outcome = self._outcome
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        return outcome[0]


class Parallel(Generic[T]):
    """`work(item)` for each item, on a helper thread from `start()` on, and on the caller's
    thread too once it asks for the `results()`: zlib lets go of the GIL while it works, so
    two cores deflate at once. The helper first runs `first`, if given: another long call that
    lets go of the GIL (SQLite building indexes, say)."""

    def __init__(
        self,
        work: Callable[[T], bytes],
        items: Sequence[T],
        first: Callable[[], object] | None = None,
    ) -> None:
        self._work, self._items, self._first = work, items, first
        self._results: list[bytes] = [b""] * len(items)
        self._claimed = iter(range(len(items)))
        self._lock = threading.Lock()
        self._failed: list[BaseException] = []
        self._helper: threading.Thread | None = None

    def start(self) -> Self:
        if self._first is not None or len(self._items) > 1:
            self._helper = threading.Thread(target=self._help, daemon=True)
            self._helper.start()
        return self

    def _help(self) -> None:
        try:
            if self._first is not None:
                self._first()
            self._run()
        except BaseException as error:  # handed to the caller's thread
            self._failed.append(error)

    def _run(self) -> None:
        while True:
            with self._lock:
                index = next(self._claimed, None)
            if index is None:
                return
            self._results[index] = self._work(self._items[index])

    def results(self) -> list[bytes]:
        try:
            self._run()
        finally:
            if self._helper is not None:
                self._helper.join()
                self._helper = None
        if self._failed:
            raise self._failed[0]
        return self._results

"""One piece of work on the second core: `Forked(work)` runs `work()` in a forked child while the
caller goes on, and `result()` hands back what it returned (or raises what it raised).

A build renders the decks and the site from the same records, independently of each other but
for the decks' sizes that two pages show; Python runs one thread of Python code at a time, so
only a second process puts the second core to work. A forked child starts with the parent's
records, memo and imported modules as they are, with nothing to send over; it sends back its
result, pickled, through a pipe. It never touches the output folder or the terminal: it renders
in memory, like the rest of the build, and the parent writes. So a child that is killed, or
whose parent is killed, leaves nothing behind: the child of a killed parent is ended by the
kernel (`PR_SET_PDEATHSIG`), or by the broken pipe at the latest.

Forking is for Linux, in a process with no other thread (a thread holding a lock at the fork
would leave that lock held forever in the child: `palace serve` renders in order instead), and
not under a profiler or coverage tool, which would not see the child's work.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

from builder.console import flush_streams

R = TypeVar("R")
_PR_SET_PDEATHSIG = 1


def can_fork() -> bool:
    """Whether `Forked` may be used here and now (see the module docstring)."""
    return (
        sys.platform == "linux"
        and threading.active_count() == 1
        and sys.gettrace() is None
        and sys.getprofile() is None
        and os.environ.get("PALACE_NO_FORK", "") == ""
    )


class ChildFailed(RuntimeError):
    """The child ended without a result: killed, or out of memory."""


class Forked(Generic[R]):
    """`work()` in a forked child from now until `result()`; use it as a context manager, so
    that a child whose result is not wanted (the caller failed, Ctrl-C) is ended and reaped."""

    def __init__(self, work: Callable[[], R]) -> None:
        flush_streams()  # or the child's copy of a buffer prints twice
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            _child(work, write)
        os.close(write)
        self.pid = pid
        self._pid: int | None = pid  # None once reaped
        self._pipe = read
        self._outcome: tuple[bool, object] | None = None

    def result(self) -> R:
        """What `work()` returned; what it raised is raised here, in the caller."""
        if self._outcome is None:
            self._outcome = self._collect()
        ok, value = self._outcome
        if ok:
            return value  # type: ignore[return-value]
        assert isinstance(value, BaseException)
        raise value

    def _collect(self) -> tuple[bool, object]:
        chunks = []
        with open(self._pipe, "rb", closefd=True) as pipe:
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        status = self._reap()
        if not chunks:
            code = os.waitstatus_to_exitcode(status)
            how = f"by signal {-code}" if code < 0 else f"with exit code {code}"
            raise ChildFailed(f"the process rendering beside this one ended {how}")
        import pickle  # here: most builds never fork

        outcome = pickle.loads(b"".join(chunks))
        assert isinstance(outcome, tuple)
        return outcome

    def _reap(self) -> int:
        pid, self._pid = self._pid, None
        if pid is None:
            return 0
        while True:
            try:
                return os.waitpid(pid, 0)[1]
            except InterruptedError:
                continue

    def __enter__(self) -> Forked[R]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pid is not None:  # not collected: the caller failed or was interrupted
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            self._reap()
            with contextlib.suppress(OSError):
                os.close(self._pipe)


def _child(work: Callable[[], object], pipe: int) -> None:
    """Run `work` and send its outcome; end without running the parent's exit handlers or
    flushing its buffers (`os._exit`), whatever happens."""
    try:
        import pickle

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent answers, and ends us
        _die_with_parent()
        try:
            outcome: tuple[bool, object] = (True, work())
        except BaseException as error:  # handed to the parent, which raises it
            outcome = (False, error)
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an exception that does not pickle: say what it was
            failure = RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({error})")
            data = pickle.dumps((False, failure))
        with open(pipe, "wb", closefd=True) as out:
            out.write(data)
    except BaseException:  # the parent is gone (broken pipe): nobody to tell
        os._exit(1)
    os._exit(0)


def _die_with_parent() -> None:
    """Ask the kernel to end this process when its parent ends (e.g. `kill -9`)."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before we asked
        os._exit(1)

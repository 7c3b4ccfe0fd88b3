"""`fork.Forked`: work on the second core, with real forked processes."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from builder.build import fork
from builder.build.fork import ChildFailed, Forked

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Palace forks on Linux only")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_result_comes_back_whole_through_the_pipe() -> None:
    big = bytes(range(256)) * 20_000  # 5 MB: many times a pipe's buffer
    with Forked(lambda: {"deck.apkg": big, "pid": os.getpid()}) as child:
        result = child.result()
    assert result["deck.apkg"] == big
    assert result["pid"] != os.getpid(), "it ran in another process"
    assert child.result() is result, "asked again, the same result"


def test_what_the_child_raises_is_raised_in_the_caller() -> None:
    def fails() -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/out/deck.apkg")

    with Forked(fails) as child, pytest.raises(OSError) as raised:
        child.result()
    assert (raised.value.errno, raised.value.strerror, raised.value.filename) == (
        errno.ENOSPC,
        "No space left on device",
        "/out/deck.apkg",
    )


def test_an_exception_that_does_not_pickle_is_still_told() -> None:
    class Local(Exception):  # a class pickle cannot find by name
        pass

    def fails() -> None:
        raise Local("the deck is odd")

    with Forked(fails) as child, pytest.raises(RuntimeError) as raised:
        child.result()
    assert str(raised.value).startswith("Local: the deck is odd (")


def test_a_child_killed_without_a_result_is_a_clear_failure() -> None:
    def killed() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with Forked(killed) as child, pytest.raises(ChildFailed) as raised:
        child.result()
    assert str(raised.value) == "the process rendering beside this one ended by signal 9"


def test_a_result_not_asked_for_ends_the_child(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"

    def slow() -> None:
        pid_file.write_text(str(os.getpid()))
        time.sleep(60)

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), Forked(slow):
        while not pid_file.exists():
            time.sleep(0.01)
        raise KeyboardInterrupt  # the caller is interrupted while the child works
    assert time.monotonic() - started < 10
    assert gone(int(pid_file.read_text())), "ended and reaped, no zombie left"


def test_ctrl_c_is_answered_by_the_caller_not_the_child(tmp_path: Path) -> None:
    ready = tmp_path / "ready"

    def works() -> str:
        ready.write_text("")
        time.sleep(0.5)
        return "done"

    with Forked(works) as child:
        while not ready.exists():
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGINT)  # as the terminal sends it to the process group
        assert child.result() == "done"


def test_the_child_of_a_killed_build_ends_with_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "child"
    script = textwrap.dedent(
        f"""
        import os, time
        from pathlib import Path
        from builder.build.fork import Forked

        def slow():
            Path({str(pid_file)!r}).write_text(str(os.getpid()))
            time.sleep(60)

        with Forked(slow) as child:
            child.result()
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 20
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.02)
        child = int(pid_file.read_text())
        parent.kill()  # kill -9
        parent.wait()
        deadline = time.monotonic() + 5
        while not gone(child):
            assert time.monotonic() < deadline, "the child outlived its killed parent"
            time.sleep(0.02)
    finally:
        parent.kill()
        parent.wait()


def test_no_fork_beside_another_thread_or_when_asked_not_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PALACE_NO_FORK", raising=False)
    if sys.gettrace() is not None:
        pytest.skip("under a tracer (coverage) Palace never forks")
    assert fork.can_fork() is True
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert fork.can_fork() is False, "a thread could hold a lock the child would inherit"
    finally:
        stop.set()
        other.join()
    monkeypatch.setenv("PALACE_NO_FORK", "1")
    assert fork.can_fork() is False

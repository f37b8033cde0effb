"""Functions for tests whose tasks run in worker processes (tests/dask): values that
log where they are unpickled and freed, tasks that kill their worker, outputs that
cannot travel. Called through the python_function component; workers import this
module from the PYTHONPATH the tests set (tests/conftest.py)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any


def _log(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


class Tracked:
    """A value that appends ``unpickled <tag> <pid>`` to ``log`` in every process where
    it is unpickled, and ``freed <tag> <pid>`` where a copy of it is freed."""

    def __init__(self, tag: str, log: str) -> None:
        self.tag = tag
        self.log = log

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickled, (self.tag, self.log))

    def __del__(self) -> None:
        _log(self.log, f"freed {self.tag} {os.getpid()}")


def _unpickled(tag: str, log: str) -> Tracked:
    _log(log, f"unpickled {tag} {os.getpid()}")
    return Tracked(tag, log)


def tracked(tag: str, log: str, **_: Any) -> Tracked:
    """A new :class:`Tracked` value (its inputs only order the task)."""
    return Tracked(tag, log)


def relay(value: Any, tag: str | None = None, log: str | None = None, **_: Any) -> Any:
    """``value`` itself, or a new tracked value that depends on it."""
    return value if tag is None or log is None else Tracked(tag, log)


def wait_until_freed(log: str, tag: str, timeout: float = 60, **_: Any) -> bool:
    """Return once every copy of the tracked value ``tag`` (the original and each one
    unpickled somewhere) has been freed, as ``log`` records it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        words = [line.split()[:2] for line in Path(log).read_text().splitlines()]
        if words.count(["freed", tag]) >= 1 + words.count(["unpickled", tag]):
            return True
        time.sleep(0.05)
    raise TimeoutError(f"tracked value '{tag}' was still alive after {timeout} s")


def finish_later(marker: str, seconds: float, **_: Any) -> None:
    """Take ``seconds``, then write ``finished`` to ``marker``."""
    time.sleep(seconds)
    _log(marker, "finished")


def expect_line(path: str, line: str, **_: Any) -> None:
    """Fail unless the file ``path`` already holds ``line``."""
    if not os.path.exists(path) or line not in Path(path).read_text().splitlines():
        raise AssertionError(f"'{line}' is not in {path} yet")


def die_once(marker: str, **_: Any) -> int:
    """First call: write this process's id to ``marker`` and wait to be killed; any later
    call (on another worker): return the number of calls made."""
    path = Path(marker)
    if not path.exists():
        path.write_text(f"{os.getpid()}\n")
        time.sleep(300)  # the test kills this process long before
        raise AssertionError("this worker was expected to be killed")
    calls = len(path.read_text().split()) + 1
    _log(marker, str(os.getpid()))
    return calls


def kill_own_worker(marker: str | None = None, **_: Any) -> None:
    """End this process at once, as a crash in native code or the OOM killer would."""
    if marker is not None:
        _log(marker, str(os.getpid()))
    os.kill(os.getpid(), signal.SIGKILL)


def lock(**_: Any) -> threading.Lock:
    """An output that cannot be pickled."""
    return threading.Lock()


def pid(**_: Any) -> int:
    return os.getpid()


def finish_once_cancelled(marker: str, value: Any = None, timeout: float = 120, **_: Any) -> Any:
    """Write ``started`` to ``marker``; return ``value`` (writing ``finished``) once no
    client wants any task that reads this one's output: a running task that outlives
    the cancellation of what follows it, however long the client takes to cancel."""
    from distributed import get_client, get_worker

    key = get_worker().get_current_task()
    client = get_client()
    _log(marker, "started")
    deadline = time.monotonic() + timeout
    while client.run_on_scheduler(_wanted_dependents, key=key):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the tasks after {key} were not cancelled within {timeout} s")
        time.sleep(0.05)
    _log(marker, "finished")
    return value


def _wanted_dependents(dask_scheduler: Any, key: Any) -> int:
    task = dask_scheduler.tasks.get(key)
    return 0 if task is None else sum(1 for dependent in task.dependents if dependent.who_wants)


class TwoPartError(Exception):
    """An exception that pickles but cannot be unpickled (``cls(message)`` fails)."""

    def __init__(self, part: str, other: str) -> None:
        super().__init__(f"{part} and {other}")


def fail_oddly(**_: Any) -> None:
    raise TwoPartError("bad", "worse")


def mark_then_wait(marker: str, go: str, timeout: float = 120, **_: Any) -> bool:
    """Write ``started`` to ``marker``, then return once the file ``go`` exists (fail
    after ``timeout`` seconds): a task that runs for as long as a test wants."""
    _log(marker, "started")
    deadline = time.monotonic() + timeout
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{go} did not appear within {timeout} s")
        time.sleep(0.05)
    return True

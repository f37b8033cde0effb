"""Plain functions that test workflows call through the python_function component."""

from __future__ import annotations

import builtins
import os
import threading
import time
from collections import Counter
from typing import Any

_calls: Counter[str] = Counter()


def const(value: Any) -> Any:
    return value


def inc(x: int) -> int:
    return x + 1


def add(a: int, b: int) -> int:
    return a + b


def pair() -> tuple[int, int]:
    return 1, 2


def as_mapping() -> dict[str, int]:
    return {"left": 1, "right": 2}


def fail(**_: Any) -> None:
    raise ValueError("boom: the input was bad")


def fail_with(message: str, **_: Any) -> None:
    raise ValueError(message)


def exit_process(**_: Any) -> None:
    raise SystemExit(3)


def append_line(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def sleep_then(seconds: float, value: Any = None, **_: Any) -> Any:
    time.sleep(seconds)
    return value


def wait_for_file(path: str, value: Any = None, timeout: float = 60, **_: Any) -> Any:
    """Return ``value`` once the file ``path`` exists: a task that runs until the test
    says so, instead of for a time that a loaded machine may not respect."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear within {timeout} s")
        time.sleep(0.01)
    return value


_barrier = threading.Barrier(2, timeout=10)


def meet(**_: Any) -> str:
    """Returns only when two tasks call it at the same time (proves concurrency)."""
    _barrier.wait()
    return "met"


NOT_CALLABLE = 42


def flaky(key: str, failures: int, error: str = "ConnectionError") -> int:
    """Fail the first ``failures`` calls for ``key`` with the builtin ``error``; then
    return how many calls it took."""
    _calls[key] += 1
    if _calls[key] <= failures:
        raise getattr(builtins, error)(f"attempt {_calls[key]} failed")
    return _calls[key]


def logged(log: str, label: str, value: Any = None, **inputs: Any) -> Any:
    """Append ``label`` to the file ``log`` (to count executions); return ``value`` plus
    the sum of any numeric inputs."""
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(label + "\n")
    return (value or 0) + sum(v for v in inputs.values() if isinstance(v, int | float))


def fail_if_exists(path: str, **inputs: Any) -> Any:
    """Fail while the file ``path`` exists (an outside condition a re-run can fix)."""
    if os.path.exists(path):
        raise RuntimeError(f"{path} exists")
    return sum(v for v in inputs.values() if isinstance(v, int | float))


def environment(name: str, **_: Any) -> str | None:
    """The value of an environment variable as the task sees it."""
    return os.environ.get(name)


def native_thread_counts(**_: Any) -> list[int]:
    """The thread counts of the native pools loaded in this process (threadpoolctl)."""
    from threadpoolctl import threadpool_info

    return sorted({int(pool["num_threads"]) for pool in threadpool_info()})


def chatty(label: str, fail: bool = False, **_: Any) -> str:
    """Print a line, log at INFO and DEBUG (logger 'chatty'), then return or fail."""
    import logging

    print(f"print from {label}")
    logging.getLogger("chatty").info("info from %s", label)
    logging.getLogger("chatty").debug("debug from %s", label)
    if fail:
        raise RuntimeError(f"{label} gave up")
    return label


def shout(times: int, **_: Any) -> int:
    """Print ``times`` lines of 100 characters."""
    for number in range(times):
        print(f"{number:>10}" + "x" * 89)
    return times


class PinMeWarning(UserWarning):
    """A warning with attributes a run record keeps (like wfe_ml.UnpinnedModelWarning)."""

    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        self.pin = f"sha256: {sha256}"
        super().__init__(f"loaded unpinned; pin it with {self.pin}")


def warn_then(label: str, **_: Any) -> str:
    """Emit a PinMeWarning naming ``label``, then return ``label``."""
    import warnings

    warnings.warn(PinMeWarning(f"{label}-digest"), stacklevel=1)
    return label

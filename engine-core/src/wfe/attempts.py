"""How a task with options is attempted: retries with backoff, and a deadline.

``retries`` extra attempts follow a failure whose exception (or one of its base
classes) is named in ``retry_on`` (default: any error except definition errors, a
component returning the wrong outputs, and timeouts), after ``retry_delay`` seconds,
doubled for each further retry and jittered by ±50% so that parallel retries spread.
The wait never exceeds :data:`MAX_WAIT_SECONDS` (nor overflows), whatever the options
say: validation bounds them, but the engine does not rely on that.

``timeout`` runs the attempt in its own thread and stops waiting at the deadline: the
task fails then and the run schedules nothing new. Python cannot stop a thread, so the
component's code keeps running in the background until it returns (its result is
thrown away); the process exits without waiting for it.
"""

from __future__ import annotations

import contextvars
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from wfe.errors import OutputMismatchError, TaskTimeoutError, WorkflowError

__all__ = ["MAX_WAIT_SECONDS", "attempt_with_options", "backoff"]

_NEVER_RETRIED = (OutputMismatchError, TaskTimeoutError, WorkflowError)
#: The longest wait between two attempts (one day); also the largest ``retry_delay``.
MAX_WAIT_SECONDS = 24 * 3600.0
# Past this many doublings every delay >= 1 ms is over the cap anyway.
_MAX_DOUBLINGS = 40


def backoff(delay: float, retry: int) -> float:
    """Seconds to wait before retry number ``retry`` (1, 2, ...): ``delay`` doubled for
    each retry after the first, jittered by ±50%, at most :data:`MAX_WAIT_SECONDS`."""
    doubled = delay * 2.0 ** min(retry - 1, _MAX_DOUBLINGS)
    return min(doubled * random.uniform(0.5, 1.5), MAX_WAIT_SECONDS)


def _retryable(error: BaseException, retry_on: list[str] | None) -> bool:
    if isinstance(error, _NEVER_RETRIED):
        return False
    if retry_on is None:
        return isinstance(error, Exception)
    return any(cls.__name__ in retry_on for cls in type(error).__mro__)


def _with_deadline(call: Callable[[], Any], seconds: float, task: str) -> Any:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = call()
        except BaseException as exc:  # handed to the waiting thread
            box["error"] = exc

    # The attempt runs in the task's context (its log, see wfe.tasklog), in a new thread.
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(target,), name=f"wfe-timeout-{task}", daemon=True
    )
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TaskTimeoutError(
            f"did not finish within its timeout of {seconds:g} s; its code keeps running in "
            "the background until it returns (Python cannot stop a thread), and no new task starts"
        )
    if "error" in box:
        raise box["error"]
    return box["result"]


def attempt_with_options(
    attempt: Callable[[], Any], task: str, options: Mapping[str, Any]
) -> tuple[Any, BaseException | None, int]:
    """Call ``attempt`` as the task's options say; ``(result, error, attempts made)``."""
    retries = options.get("retries", 0)
    delay = options.get("retry_delay", 1.0)
    retry_on = options.get("retry_on")
    timeout = options.get("timeout")
    for number in range(1, retries + 2):
        try:
            if timeout is None:
                return attempt(), None, number
            return _with_deadline(attempt, timeout, task), None, number
        except (Exception, SystemExit) as exc:
            if number > retries or not _retryable(exc, retry_on):
                return None, exc, number
            time.sleep(backoff(delay, number))
    raise AssertionError("unreachable: the loop returns on its last attempt")

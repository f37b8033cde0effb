"""The client's view of a run on the cluster: which submitted tasks have completed.

Three things arrive, from two threads of the Dask client, into one queue:

- a task's *report*, published by the task itself on the run's event topic
  (:func:`wfe_dask.remote.run_task`);
- its future being *done* (finished, failed in Dask, or cancelled);
- a *worker death*, from the scheduler's ``all`` topic, naming the tasks that were on
  that worker (Dask reruns them elsewhere: each is an extra attempt).

:meth:`Completions.wait` takes them out in the engine's thread, so no state is shared
between threads, and returns as soon as a task is complete: its future is done and,
unless it failed in Dask, its report has arrived. Nothing is polled.
"""

from __future__ import annotations

import pickle
import time
from collections import Counter
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING, Any

from wfe.errors import TaskError
from wfe.report import TaskReport, TaskStatus
from wfe.taskcall import TaskCall, task_error

if TYPE_CHECKING:
    from distributed import Future

__all__ = ["Completions"]

_REPORT, _DONE, _DIED = "report", "done", "died"


class Completions:
    """Tracks the tasks of one run (keys ``(task name, run id)``) until each completes."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self._queue: SimpleQueue[tuple[str, Any]] = SimpleQueue()
        #: submitted tasks that have not completed: their call and future
        self._pending: dict[str, tuple[TaskCall, Future[Any]]] = {}
        #: reports that arrived before their task's future was done
        self._reports: dict[str, bytes] = {}
        #: tasks whose future finished before their report arrived
        self._finished: set[str] = set()
        self._deaths: Counter[str] = Counter()
        #: reports made in this thread (a task that could not be submitted)
        self._ready: list[TaskReport] = []

    # -- fed from the Dask client's threads ----------------------------------------------

    def on_report(self, event: tuple[float, dict[str, Any]]) -> None:
        """Handler of the run's topic (called in the client's event loop)."""
        self._queue.put((_REPORT, event[1]))

    def on_cluster_event(self, event: tuple[float, dict[str, Any]]) -> None:
        """Handler of the scheduler's ``all`` topic: keep worker deaths only."""
        message = event[1]
        if message.get("action") == "remove-worker" and not message.get("expected"):
            self._queue.put((_DIED, message.get("processing-tasks", ())))

    # -- the engine's thread ---------------------------------------------------------------

    def watch(self, call: TaskCall, future: Future[Any]) -> None:
        name = call.task.name
        self._pending[name] = (call, future)
        queue = self._queue

        def on_done(done: Future[Any]) -> None:  # in Dask's callback thread
            # As it was when it became done: the data of a finished future may be
            # "lost" later, and Dask then recomputes it.
            status = done.status
            queue.put((_DONE, (name, status, done.exception() if status == "error" else None)))

        future.add_done_callback(on_done)

    def fail_now(self, call: TaskCall, error: BaseException, message: str) -> None:
        """A task that never reached the cluster."""
        self._ready.append(_failed(call, task_error(call.task, error, message), 1))

    def pending(self) -> dict[str, Future[Any]]:
        """The futures of the tasks that have not completed."""
        return {name: future for name, (_, future) in self._pending.items()}

    def wait(self, timeout: float | None) -> list[TaskReport]:
        """The reports of the tasks complete since the last call, waiting up to
        ``timeout`` seconds (``None``: for ever) for the first one."""
        done, self._ready = self._ready, []
        deadline = None if timeout is None else time.monotonic() + timeout
        queue = self._queue
        while not done:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                item = queue.get(timeout=left) if left != 0.0 else queue.get_nowait()
            except Empty:
                break
            self._take(item, done)
            while not queue.empty():
                self._take(queue.get_nowait(), done)
        return done

    def _take(self, item: tuple[str, Any], done: list[TaskReport]) -> None:
        kind, payload = item
        if kind == _REPORT:
            name = payload["task"]
            if name not in self._pending:
                return  # a rerun of a task that already completed (its data was lost)
            self._reports[name] = payload["report"]
            if name in self._finished:
                done.append(self._complete(name))
        elif kind == _DONE:
            name, status, error = payload
            if name not in self._pending:
                return
            if status != "finished":
                done.append(self._complete(name, status, error))
            elif name in self._reports:
                done.append(self._complete(name))
            else:
                self._finished.add(name)
        else:
            for key in payload:  # tasks of any client; ours are (task name, run id)
                if isinstance(key, tuple) and key[1:] == (self.run_id,) and key[0] in self._pending:
                    self._deaths[key[0]] += 1

    def _complete(
        self, name: str, status: str = "finished", error: BaseException | None = None
    ) -> TaskReport:
        """``name`` is complete: its future's Dask ``status`` and ``error``, and the
        report it published (none when Dask failed it, or cancelled it unstarted)."""
        call, _ = self._pending.pop(name)
        self._finished.discard(name)
        packed = self._reports.pop(name, None)
        deaths = self._deaths.pop(name, 0)
        if status == "error" or packed is None:
            return _dask_failure(call, (name, self.run_id), error, deaths)
        report = _unpacked(call, packed)
        report.attempts += deaths
        return report


def _failed(call: TaskCall, error: TaskError, attempts: int) -> TaskReport:
    task = call.task
    return TaskReport(task.name, task.component_name, TaskStatus.FAILED, 0.0, error, attempts)


def _unpacked(call: TaskCall, packed: bytes) -> TaskReport:
    try:
        report: TaskReport = pickle.loads(packed)
    except Exception as exc:  # its error's class exists on the worker only
        message = f"failed on a Dask worker; its error cannot be read here: {exc}"
        return _failed(call, task_error(call.task, exc, message), 1)
    return report


def _dask_failure(
    call: TaskCall, key: tuple[str, str], exc: BaseException | None, deaths: int
) -> TaskReport:
    """The report of a task whose future Dask failed or cancelled (a task's own
    failures are in its report): its workers kept dying, a worker could not load it, or
    either happened upstream (Dask fails the dependents with the same error: not run)."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError

    from wfe_dask.remote import TaskNotLoadable

    task = call.task
    not_run = TaskReport(task.name, task.component_name, TaskStatus.NOT_RUN)
    if exc is None or isinstance(exc, FutureCancelledError):
        return not_run
    origin = exc.task if isinstance(exc, KilledWorker) else getattr(exc, "key", key)
    if isinstance(exc, KilledWorker | TaskNotLoadable) and origin != key:
        return not_run
    if isinstance(exc, KilledWorker):
        attempts = exc.allowed_failures + 1
        message = (
            f"its Dask worker died {attempts} times while running it (out of memory, a crash "
            f"in native code, or the task ended the process?); the scheduler gives up after "
            f"allowed_failures={exc.allowed_failures} reruns"
        )
        return _failed(call, task_error(task, exc, message), attempts)
    message = f"{type(exc).__name__}: {exc}"
    distribution = call.component.distribution
    if isinstance(exc, TaskNotLoadable) and distribution:
        message = f"{exc}; its component comes from {distribution}: install it on every worker"
    return _failed(call, task_error(task, exc, message), 1 + deaths)

"""wfe's own executors, which run tasks in this process: ``sequential`` and ``threads``.

Both hold every output as the very object its task returned, so data passes between
tasks by reference and is never copied or serialised. ``sequential`` runs each task in
the calling thread as it is submitted (no thread hand-off: the fastest for chains and
the simplest to debug); ``threads`` runs up to ``workers`` tasks at once in a pool, for
I/O-bound branches (the GIL keeps CPU-bound Python to one core: use a process-based
executor such as ``dask`` for those).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING, Any

from wfe.component import Param
from wfe.executor import Executor
from wfe.native_threads import NativeThreadLimit, available_cores
from wfe.report import TaskReport, TaskStatus
from wfe.taskcall import TaskCall, task_error

if TYPE_CHECKING:
    from wfe.run import Run

__all__ = ["InProcessExecutor", "SequentialExecutor", "ThreadsExecutor"]

_Result = tuple[TaskReport, dict[str, Any] | None]


class InProcessExecutor(Executor):
    """Holds outputs as plain objects in this process (the base of both executors)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.values: dict[str, Any] = {}

    def release(self, output: str) -> None:
        self.values.pop(output, None)

    def gather(self, outputs: Iterable[str]) -> dict[str, Any]:
        values = self.values
        return {name: values[name] for name in outputs if name in values}

    def close(self) -> None:
        self.values.clear()


class SequentialExecutor(InProcessExecutor):
    """One task at a time, in the thread that called ``run()``."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._done: list[TaskReport] = []

    @property
    def slots(self) -> int:
        return 1

    def describe(self) -> str:
        return "sequential"

    def submit(self, call: TaskCall) -> None:
        report, outputs = call(self.values)
        if outputs is not None:
            self.values.update(outputs)
        self._done.append(report)

    def wait(self, timeout: float | None) -> list[TaskReport]:
        done, self._done = self._done, []
        return done


def _default_workers() -> int:
    return min(32, available_cores() + 4)  # concurrent.futures' own default


class ThreadsExecutor(InProcessExecutor):
    """Up to ``workers`` tasks at once in a thread pool."""

    options_schema = {
        "workers": Param(
            int,
            default=_default_workers(),
            minimum=1,
            doc="tasks that run at once (default: the cores + 4, at most 32)",
        ),
        "limit_native_threads": Param(
            bool,
            default=True,
            doc="cap each task's native thread pools (BLAS, OpenMP) at cores / workers, "
            "so that tasks running at once do not oversubscribe the cores",
        ),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.workers: int = self.options["workers"]
        self._pool: ThreadPoolExecutor | None = None
        self._finished: SimpleQueue[_Result] = SimpleQueue()
        self._limit: NativeThreadLimit | None = None

    @property
    def slots(self) -> int:
        return self.workers

    def describe(self) -> str:
        return f"{self.workers} threads"

    def start(self, run: Run) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="wfe-task")
        if self.options["limit_native_threads"]:
            self._limit = NativeThreadLimit.for_parallel_tasks(self.workers)
            if self._limit is not None:
                self._limit.start()

    def submit(self, call: TaskCall) -> None:
        assert self._pool is not None, "start() first"
        task = call.task
        values = self.values  # only what the task reads: the store changes meanwhile
        reads = {ref: values[ref] for ref in task.inputs.values()} if not call.load else {}
        self._pool.submit(self._work, call, reads)

    def _work(self, call: TaskCall, inputs: dict[str, Any]) -> None:
        try:
            if self._limit is not None:
                self._limit.apply()
            result = call(inputs)
        except BaseException as exc:  # anything else still ends as a task failure, never a hang
            task = call.task
            failed = TaskReport(task.name, task.component_name, TaskStatus.FAILED)
            failed.error = task_error(task, exc)
            result = failed, None
        del inputs
        self._finished.put(result)

    def wait(self, timeout: float | None) -> list[TaskReport]:
        finished = self._finished
        try:
            items = [finished.get(timeout=timeout)]
        except Empty:
            return []
        while not finished.empty():
            items.append(finished.get_nowait())
        values = self.values
        for _, outputs in items:
            if outputs is not None:
                values.update(outputs)
        return [report for report, _ in items]

    def close(self) -> None:
        if self._pool is not None:
            # Tasks still running (a run interrupted by an exception) are not waited for.
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if self._limit is not None:
            self._limit.stop()
            self._limit = None
        super().close()

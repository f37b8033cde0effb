"""An executor for the tests: each task runs in a spawned worker process.

It exists to prove the executor contract from outside the engine: every TaskCall must
pickle, run in a process that shares nothing with the client, and bring back an outcome
that means the same as in-process. It holds outputs in the client (a real distributed
executor keeps them on the workers; see executor-dask).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from queue import Empty, SimpleQueue
from typing import Any

from wfe import Executor, Param, TaskCall, TaskReport, TaskStatus, hookimpl
from wfe.plugins import ExecutorRef
from wfe.taskcall import task_error


class SpawnedProcessesExecutor(Executor):
    """Up to ``workers`` tasks at once, each in a spawned worker process."""

    options_schema = {
        "workers": Param(int, default=2, minimum=1, doc="worker processes"),
        "queue_all": Param(
            bool, default=False, doc="take every ready task at once (no slots); the pool queues"
        ),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.values: dict[str, Any] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._finished: SimpleQueue[tuple[TaskCall, Future[Any]]] = SimpleQueue()
        self._pending: list[Future[Any]] = []

    @property
    def slots(self) -> int | None:
        return None if self.options["queue_all"] else self.workers

    @property
    def workers(self) -> int:
        return int(self.options["workers"])

    def describe(self) -> str:
        return f"{self.workers} spawned processes"

    def start(self, run: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)

    def submit(self, call: TaskCall) -> None:
        assert self._pool is not None
        reads = {} if call.load else {ref: self.values[ref] for ref in call.task.inputs.values()}
        future = self._pool.submit(call, reads)
        self._pending.append(future)
        future.add_done_callback(lambda done: self._finished.put((call, done)))

    def wait(self, timeout: float | None) -> list[TaskReport]:
        try:
            items = [self._finished.get(timeout=timeout)]
        except Empty:
            return []
        while not self._finished.empty():
            items.append(self._finished.get_nowait())
        reports = []
        for call, future in items:
            self._pending.remove(future)
            task = call.task
            if future.cancelled():
                report = TaskReport(task.name, task.component_name, TaskStatus.NOT_RUN)
            elif future.exception() is not None:  # e.g. the call did not pickle
                error = future.exception()
                assert error is not None
                report = TaskReport(task.name, task.component_name, TaskStatus.FAILED)
                report.error = task_error(task, error)
            else:
                report, outputs = future.result()
                if outputs is not None:
                    self.values.update(outputs)
            reports.append(report)
        return reports

    def release(self, output: str) -> None:
        self.values.pop(output, None)

    def gather(self, outputs: Iterable[str]) -> dict[str, Any]:
        return {name: self.values[name] for name in outputs if name in self.values}

    def cancel(self) -> None:
        for future in self._pending:
            future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


@hookimpl
def wfe_register_executors() -> list[ExecutorRef]:
    return [
        ExecutorRef(
            "spawned",
            "wfe_test_executors:SpawnedProcessesExecutor",
            "Each task in a spawned process (tests only)",
        )
    ]

"""What runs on the Dask workers: one task, and the tiny helpers around it.

Every task's Dask result is a *holder*: ``{output name: value}`` when the task
succeeded, ``None`` when it failed or did not run. Downstream tasks receive their
upstream holders as arguments (Dask moves them worker to worker), so a task whose
upstream failed sees a ``None`` and completes as not run without touching its
component. The client never fetches a holder to learn how a task went: the task
publishes its small :class:`~wfe.report.TaskReport` as a worker event on the run's
topic, which the scheduler forwards to the client (in order with the task's
completion, on the same streams).
"""

from __future__ import annotations

import dataclasses
import pickle
import signal
import threading
from collections.abc import Mapping, Sequence
from typing import Any

import cloudpickle
from distributed import WorkerPlugin, get_worker

from wfe.errors import TaskError
from wfe.report import TaskReport, TaskStatus
from wfe.taskcall import TaskCall, task_error
from wfe_dask.pickling import keep_wfe_error_pickling

__all__ = [
    "IgnoreInterrupts",
    "TaskNotLoadable",
    "pick",
    "run_task",
    "succeeded",
    "versions",
]

Holder = dict[str, Any] | None


class TaskNotLoadable(RuntimeError):
    """The worker could not unpickle a task call: something it names (a component
    class, a module) cannot be imported in the worker's environment. ``key`` is the
    task's Dask key: Dask fails the tasks downstream with this same error."""

    def __init__(self, message: str, key: Any = None) -> None:
        super().__init__(message)
        self.key = key

    def __reduce__(self) -> tuple[Any, ...]:
        return (TaskNotLoadable, (str(self), self.key))


def run_task(
    packed: bytes, topic: str, upstream: Mapping[str, Holder], after: Sequence[bool]
) -> Holder:
    """Run one packed :class:`TaskCall` on its upstream holders; publish its report.

    ``upstream`` maps each output the task reads to the holder that has it; ``after``
    holds a flag per task this one must follow. Raises only :class:`TaskNotLoadable`
    (the call cannot be unpickled here, so there is no task to report on: the client
    names it)."""
    try:
        call: TaskCall = pickle.loads(packed)
    except Exception as exc:
        missing = getattr(exc, "name", None) if isinstance(exc, ImportError) else None
        what = f"module '{missing}'" if missing else "what the task needs"
        worker = get_worker()
        raise TaskNotLoadable(
            f"Dask worker {worker.address} could not load the task: it cannot "
            f"import {what} ({type(exc).__name__}: {exc})",
            worker.get_current_task(),
        ) from exc
    task = call.task
    outputs: Holder = None
    if all(holder is not None for holder in upstream.values()) and all(after):
        values = {ref: holder[ref] for ref, holder in upstream.items() if holder is not None}
        report, outputs = call(values)
        del values
        if report.error is not None:
            report.error = _located(call, report.error)
        elif outputs is not None:
            report, outputs = _travelling(call, report, outputs)
    else:  # an upstream task failed or did not run
        report = TaskReport(task.name, task.component_name, TaskStatus.NOT_RUN)
    _publish(topic, call, report)
    return outputs


def _located(call: TaskCall, error: TaskError) -> TaskError:
    """An import failure says it happened on a worker, which needs the code too."""
    cause = error.__cause__
    if not isinstance(cause, ImportError):
        return error
    return task_error(
        call.task,
        cause,
        f"{error.message} (on Dask worker {get_worker().address}: every worker must be able "
        "to import the task's component and functions; install them in the workers' "
        "environment)",
    )


def _travelling(
    call: TaskCall, report: TaskReport, outputs: dict[str, Any]
) -> tuple[TaskReport, Holder]:
    """Fail the task now if an output could not leave this worker.

    Dask pickles an output when another worker or the client needs it; an output that
    cannot be pickled would fail there, far from its task. Pickling here with
    out-of-band buffers does not copy NumPy or pandas data, so the check is cheap for
    large arrays (objects held in Python lists or object columns are walked)."""
    for name, value in outputs.items():
        try:
            _pickled(value)
        except Exception as exc:
            error = task_error(
                call.task,
                exc,
                f"output '{name}' ({type(value).__name__}) cannot be pickled, so it cannot "
                f"leave its Dask worker: {type(exc).__name__}: {exc}",
            )
            failed = dataclasses.replace(report, status=TaskStatus.FAILED, error=error, outputs={})
            return failed, None
    return report, outputs


def _pickled(value: Any) -> None:
    """Pickle ``value`` as Dask would (pickle, else cloudpickle), into nowhere: no
    bytes object as large as the value is built just to be thrown away."""
    try:
        pickle.Pickler(_NOWHERE, protocol=5, buffer_callback=_discard).dump(value)
    except Exception:
        cloudpickle.Pickler(_NOWHERE, protocol=5, buffer_callback=_discard).dump(value)


class _Nowhere:
    """A file that keeps nothing written to it."""

    def write(self, data: bytes) -> int:
        return len(data)


_NOWHERE = _Nowhere()


def _discard(buffer: object) -> None:
    """Out-of-band pickle buffers are only looked at, never kept."""


def _publish(topic: str, call: TaskCall, report: TaskReport) -> None:
    keep_wfe_error_pickling()  # wfe may have been imported here before distributed
    try:
        packed = pickle.dumps(report, protocol=5)
    except Exception as exc:  # a warning's attribute that does not pickle, say: say so
        error = task_error(call.task, exc, f"its report could not be sent to the client: {exc}")
        failed = TaskReport(report.name, report.component, TaskStatus.FAILED, report.duration)
        failed.error, failed.attempts, failed.log = error, report.attempts, report.log
        packed = pickle.dumps(failed, protocol=5)
    get_worker().log_event(topic, {"task": call.task.name, "report": packed})


def pick(holder: Holder, output: str) -> Holder:
    """One output of a task with several, as its own holder (released on its own)."""
    return None if holder is None else {output: holder[output]}


def succeeded(holder: Holder) -> bool:
    """Whether a task that others must run ``after`` succeeded (a tiny flag travels
    to them instead of the task's outputs)."""
    return holder is not None


def versions() -> dict[str, str]:
    """The wfe distributions this process runs (a worker must match its client)."""
    from importlib.metadata import version

    return {name: version(name) for name in ("engine-core", "executor-dask")}


class IgnoreInterrupts(WorkerPlugin):
    """Ctrl-C in a terminal signals the whole foreground process group, a LocalCluster's
    worker processes included: they ignore SIGINT, so running tasks finish as wfe
    promises, while the client cancels the rest."""

    name = "wfe-ignore-interrupts"

    def setup(self, worker: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)

"""One task, packed to run anywhere: in this thread, a pool thread, or a worker process.

A :class:`TaskCall` is what an executor runs. Everything that must happen *where the
data is* happens inside it, the same on every executor: build the component, apply
the task's ``retries`` and ``timeout``, check the returned outputs, save the
checkpoint, describe the outputs, keep what the task printed, logged and warned. What
comes back to the scheduling loop is the task's :class:`~wfe.report.TaskReport` (small
and picklable: descriptions, not values); the outputs themselves stay with the
executor.

A call pickles: the component travels as its ``"module:Class"`` reference and is
imported where it runs (a worker that cannot import it fails the task with a message
naming the module and the distribution to install); ``wfe_execute_task`` hooks are
looked up again in that process, from its installed plugins.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from wfe import tasklog
from wfe.attempts import attempt_with_options
from wfe.errors import OutputMismatchError, TaskError
from wfe.plugins import PluginRef
from wfe.report import TaskReport, TaskStatus
from wfe.spec import TaskSpec
from wfe.summary import describe
from wfe.tasklog import TaskLog

if TYPE_CHECKING:
    from wfe.fingerprint import Fingerprint

__all__ = ["CheckpointSlot", "TaskCall", "task_error"]

_perf_counter = time.perf_counter
_SUCCEEDED, _FAILED, _REUSED = TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.REUSED


class _Store(Protocol):
    def save(self, task: str, fingerprint: Fingerprint, outputs: Mapping[str, Any]) -> Any: ...

    def load(
        self, task: str, fingerprint: Fingerprint, verified: bool = False
    ) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class CheckpointSlot:
    """Where one task's checkpoint is saved or loaded: a store and a fingerprint."""

    store: _Store
    fingerprint: Fingerprint
    #: the checkpoint's digests were checked while planning (loading need not redo it)
    verified: bool = False

    def save(self, task: str, outputs: Mapping[str, Any]) -> None:
        self.store.save(task, self.fingerprint, outputs)

    def load(self, task: str) -> dict[str, Any]:
        return self.store.load(task, self.fingerprint, verified=self.verified)


def task_error(task: TaskSpec, cause: BaseException, message: str | None = None) -> TaskError:
    """The :class:`TaskError` for ``task`` failing with ``cause``."""
    text = message if message is not None else f"{type(cause).__name__}: {cause}"
    return TaskError(task.name, task.component_name, text, task.location, cause)


class TaskCall:
    """Run one task (see the module docstring). ``component`` is the task's component
    reference; ``cls`` its class when already imported here. With ``load``, the outputs
    come from ``checkpoint`` instead of running the component; otherwise a successful
    task's outputs are saved to ``checkpoint`` when one is given."""

    __slots__ = ("_cls", "_execute", "checkpoint", "component", "load", "task")

    def __init__(
        self,
        task: TaskSpec,
        component: PluginRef,
        cls: type | None = None,
        checkpoint: CheckpointSlot | None = None,
        load: bool = False,
        execute: Callable[..., Any] | None = None,
    ) -> None:
        self.task = task
        self.component = component
        self.checkpoint = checkpoint
        self.load = load
        self._cls = cls
        #: the ``wfe_execute_task`` hook, or None when wfe's own is the only one
        self._execute = execute

    def __call__(self, values: Mapping[str, Any]) -> tuple[TaskReport, dict[str, Any] | None]:
        """Run the task: its report, and its outputs when it succeeded. ``values`` holds
        (at least) the outputs the task reads, by output name; the executor passes what it
        holds. Never raises for the task's own failure. What the task prints, logs and
        warns goes to its own log (see :mod:`wfe.tasklog`)."""
        task = self.task
        if self.load:
            inputs: dict[str, Any] = {}  # its outputs come from its checkpoint
        else:
            inputs = {name: values[ref] for name, ref in task.inputs.items()}
            if task.literals:
                inputs.update(task.literals)
        del values
        log = TaskLog(task.name)
        token = tasklog.CURRENT.set(log)
        installing = not tasklog.routing  # a worker process: no run holds the routing
        if installing:
            tasklog.hold()
        start = _perf_counter()
        error: BaseException | None = None
        message: str | None = None  # when the task's own exception does not say it all
        outputs: Any = None
        attempts = 1
        try:
            if self.load:
                try:
                    assert self.checkpoint is not None
                    outputs = self.checkpoint.load(task.name)
                except Exception as exc:
                    error = exc
            elif task.options:
                outputs, error, attempts = attempt_with_options(
                    functools.partial(self._attempt, inputs), task.name, task.options
                )
            else:
                try:
                    outputs = self._attempt(inputs)
                except (Exception, SystemExit) as exc:  # sys.exit() in a component fails it
                    error = exc
            del inputs
            duration = _perf_counter() - start
            if error is None and self.checkpoint is not None and not self.load:
                try:
                    self.checkpoint.save(task.name, outputs)
                except Exception as exc:  # e.g. the disk is full: the checkpoint promise failed
                    error, message = exc, f"saving its checkpoint failed: {exc}"
        finally:
            tasklog.CURRENT.reset(token)
            if installing:
                tasklog.release()
        if error is not None:
            failure = task_error(task, error, message)
            report = TaskReport(
                task.name, task.component_name, _FAILED, duration, failure, attempts
            )
            outputs = None
        else:
            report = TaskReport(
                task.name,
                task.component_name,
                _REUSED if self.load else _SUCCEEDED,
                duration,
                None,
                attempts,
                (),
                {k: describe(v, detail=True) for k, v in outputs.items()},
            )
        if log.written:
            report.log = log.text()
            report.warnings = log.warnings or ()
        return report, outputs

    def _attempt(self, inputs: dict[str, Any]) -> Any:
        """Instantiate the component, execute it, check its outputs."""
        task = self.task
        cls = self._cls
        if cls is None:  # in a worker process: import it here
            cls = self._cls = self.component.load()
        component = cls(inputs, task.outputs, task.params)
        execute = self._execute
        outputs = (
            component.execute() if execute is None else execute(task=task, component=component)
        )
        del component
        if outputs is None:
            outputs = {}
        declared = task.outputs
        if outputs.keys() != set(declared):
            missing = [o for o in declared if o not in outputs]
            extra = [str(k) for k in outputs if k not in declared]
            raise OutputMismatchError(
                f"execute() must return exactly the declared outputs {list(declared)}; "
                f"missing {missing}, unexpected {extra}"
            )
        return outputs

    def __getstate__(self) -> dict[str, Any]:
        # The class travels by reference when it has one; a plugin manager cannot
        # travel at all (pluggy's does not pickle): the worker looks its hooks up again.
        keep_class = not isinstance(self.component.target, str)
        return {
            "task": self.task,
            "component": self.component,
            "checkpoint": self.checkpoint,
            "load": self.load,
            "cls": self._cls if keep_class else None,
            "hooked": self._execute is not None,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.task = state["task"]
        self.component = state["component"]
        self.checkpoint = state["checkpoint"]
        self.load = state["load"]
        self._cls = state["cls"]
        self._execute = _installed_execute_hook() if state["hooked"] else None


@functools.cache
def _installed_execute_hook() -> Callable[..., Any]:
    """This process's ``wfe_execute_task`` hook, from its installed plugins (once)."""
    from wfe.plugins import load_plugins

    hook: Callable[..., Any] = load_plugins().hook.wfe_execute_task
    return hook

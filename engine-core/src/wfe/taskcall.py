"""One task, packed to run anywhere: in this thread, a pool thread, or a worker process.

A :class:`TaskCall` is what an executor runs. Everything that must happen *where the
data is* happens inside it, the same on every executor: build the component, apply
the task's ``retries`` and ``timeout``, check the returned outputs, save the
checkpoint, describe the outputs for displays and records. What comes back to the
scheduling loop is a small :class:`TaskOutcome`; the outputs themselves stay with the
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
from dataclasses import dataclass, field
from typing import Any, Protocol

from wfe import tasklog
from wfe.attempts import attempt_with_options
from wfe.errors import OutputMismatchError, TaskError
from wfe.plugins import PluginRef
from wfe.report import TaskStatus
from wfe.spec import TaskSpec
from wfe.summary import describe
from wfe.tasklog import TaskLog

__all__ = ["CheckpointSlot", "TaskCall", "TaskOutcome", "task_error"]

_perf_counter = time.perf_counter
_SUCCEEDED, _FAILED, _REUSED = TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.REUSED


@dataclass(slots=True)  # not frozen: a frozen dataclass is 3x slower to make, per task
class TaskOutcome:
    """How one submitted task went; small and picklable (no output values).

    ``outputs`` describes each output (type, shape, a scalar's value; see
    :func:`wfe.summary.describe`)."""

    status: TaskStatus
    duration: float = 0.0
    attempts: int = 0
    error: TaskError | None = None
    outputs: Mapping[str, Any] = field(default_factory=dict)
    #: what the task printed and logged (see :mod:`wfe.tasklog`)
    log: str = ""
    #: the warnings it emitted, as data (see :func:`wfe.tasklog.warning_data`)
    warnings: list[dict[str, Any]] = field(default_factory=list)


class _Store(Protocol):
    def save(self, task: str, fingerprint: str, outputs: Mapping[str, Any]) -> Any: ...

    def load(self, task: str, fingerprint: str, verified: bool = False) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class CheckpointSlot:
    """Where one task's checkpoint is saved or loaded: a store and a fingerprint."""

    store: _Store
    fingerprint: str
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

    def inputs_from(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The component's inputs, given the values of the outputs the task reads."""
        if self.load:
            return {}  # its outputs come from its checkpoint: it reads nothing
        task = self.task
        inputs = {name: values[ref] for name, ref in task.inputs.items()}
        if task.literals:
            inputs.update(task.literals)
        return inputs

    def __call__(self, inputs: dict[str, Any]) -> tuple[TaskOutcome, dict[str, Any] | None]:
        """Run the task on ``inputs``; never raises for the task's own failure."""
        task = self.task
        log = TaskLog(task.name)
        capture = tasklog.start(log)
        try:
            outcome, outputs = self._run(inputs)
        finally:
            tasklog.stop(capture)
        outcome.log = log.text()
        outcome.warnings = log.warnings
        return outcome, outputs

    def _run(self, inputs: dict[str, Any]) -> tuple[TaskOutcome, dict[str, Any] | None]:
        task = self.task
        start = _perf_counter()
        error: BaseException | None = None
        outputs: Any = None
        attempts = 1
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
            except (Exception, SystemExit) as exc:  # sys.exit() in a component fails the task
                error = exc
        duration = _perf_counter() - start
        del inputs
        if error is not None:
            return TaskOutcome(_FAILED, duration, attempts, task_error(task, error)), None
        if self.checkpoint is not None and not self.load:
            try:
                self.checkpoint.save(task.name, outputs)
            except Exception as exc:  # e.g. the disk is full: the checkpoint promise failed
                failure = task_error(task, exc, f"saving its checkpoint failed: {exc}")
                return TaskOutcome(_FAILED, duration, attempts, failure), None
        summaries = {k: describe(v, detail=True) for k, v in outputs.items()}
        status = _REUSED if self.load else _SUCCEEDED
        return TaskOutcome(status, duration, attempts, None, summaries), outputs

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

"""The executor contract: where and how the tasks of a run execute.

The engine (:mod:`wfe.engine`) owns the one scheduling loop: it decides *what* runs
next from the graph's ``get_ready()/done()`` schedule, calls the lifecycle hooks, applies
fail-fast, keep-going and cancellation, and keeps the reports. An executor decides only
*where* a task runs. It

- ``submit``\\ s a :class:`~wfe.taskcall.TaskCall` (picklable) whose inputs are outputs
  of earlier tasks, which the executor itself holds (values in this process, futures
  on a cluster): data stays where it was made;
- reports each ended task's :class:`~wfe.report.TaskReport` from ``wait``;
- ``release``\\ s an output once its last reader has been submitted;
- ``gather``\\ s the outputs the caller asked for at the end of the run;
- ``cancel``\\ s what has not started, and ``close``\\ s.

Executors are plugins: a plugin's ``wfe_register_executors`` hook names them with
:class:`wfe.ExecutorRef` (``"module:Class"``), so nothing is imported until a run
picks one. ``sequential`` and ``threads`` are wfe's own, registered the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from wfe.component import Param

if TYPE_CHECKING:
    from wfe.report import TaskReport
    from wfe.run import Run
    from wfe.taskcall import TaskCall

__all__ = ["Executor"]


class Executor(ABC):
    """Base class of every executor (see the module docstring for the contract).

    Class attributes a subclass sets:

    ``options_schema``
        ``{name: Param}``: the options a user may give (``--executor-option k=v``, the
        workflow's ``executor: {options: ...}``), checked at validate time like
        component params. ``__init__`` receives them with defaults filled in.
    ``lookahead``
        ``True`` when the executor accepts a task whose inputs come from tasks that are
        still running (it orders them itself, as Dask does with futures): the engine
        then submits a task as soon as its upstream tasks are *submitted*, which hides
        the round trip between a task's end and its successor's submission.
    """

    options_schema: ClassVar[Mapping[str, Param]] = {}
    lookahead: ClassVar[bool] = False

    def __init__(self, **options: Any) -> None:
        defaults = {k: p.default for k, p in self.options_schema.items() if not p.required}
        self.options: dict[str, Any] = {**defaults, **options}

    @property
    def slots(self) -> int | None:
        """How many tasks may be submitted and not yet completed; ``None``: no limit
        (the executor queues them itself)."""
        return None

    def describe(self) -> str:
        """A few words for progress displays and run records ("4 threads")."""
        return type(self).__name__

    def start(self, run: Run) -> None:  # noqa: B027  optional: most executors need no set-up
        """Prepare for ``run`` (start a cluster, a pool). Called once, before any submit."""

    @abstractmethod
    def submit(self, call: TaskCall) -> None:
        """Run ``call`` where this executor runs tasks: ``call(values)``, where
        ``values`` maps at least the outputs the task reads (``call.task.inputs``' values,
        held by this executor) to their values. Must not block until the task ends,
        except in an executor with one slot."""

    @abstractmethod
    def wait(self, timeout: float | None) -> Iterable[TaskReport]:
        """The reports of the tasks that ended since the last call (what their
        :class:`~wfe.taskcall.TaskCall` returned), waiting up to ``timeout`` seconds for
        at least one (``None``: until one arrives). Every submitted task ends exactly
        once, also when it was cancelled (status ``not_run``)."""

    @abstractmethod
    def release(self, output: str) -> None:
        """No task submitted from now on reads ``output``: forget it (unless gathered)."""

    @abstractmethod
    def gather(self, outputs: Iterable[str]) -> dict[str, Any]:
        """The values of these outputs, brought into this process (those that exist)."""

    def cancel(self) -> None:  # noqa: B027  optional: in-process tasks cannot be stopped
        """Stop tasks that were submitted but have not started (they complete as not run).
        Running tasks are left to finish."""

    def close(self) -> None:  # noqa: B027  optional
        """Free everything this executor holds (called once, after the run)."""

"""The hooks a wfe plugin can implement.

A plugin is a module (or any object) with functions named like the hooks below and
marked with :data:`hookimpl`. A distribution makes its plugin discoverable with an
entry point in the group ``wfe.plugins``::

    [project.entry-points."wfe.plugins"]
    my_components = "my_package.plugin"

An implementation may accept any subset of a hook's arguments, by name. Every hook but
``wfe_execute_task`` is called from the thread that called ``Workflow.run()``, never
from a pool thread or a worker process. Every lifecycle hook receives the ``run``
(:class:`wfe.Run`: its ``id``, ``workflow`` and ``options``); a plugin that keeps state
keys it by ``run.id``, because one plugin set may serve several runs at once (two
threads each calling ``Workflow.run()``). The built-in component, the built-in
executors, the default task execution and the CLI's progress display are all plugins
on these hooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from wfe.errors import TaskError
    from wfe.plugins import ComponentRef, ExecutorRef
    from wfe.report import RunResult, TaskReport
    from wfe.run import Run
    from wfe.spec import TaskSpec, WorkflowSpec

__all__ = ["hookimpl", "hookspec"]

PROJECT = "wfe"
#: Marks a hook specification (used by wfe itself).
hookspec = pluggy.HookspecMarker(PROJECT)
#: Marks a plugin's hook implementation: ``@hookimpl def wfe_register_components(): ...``
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- discovery ---------------------------------------------------------------------------


@hookspec
def wfe_register_components() -> Iterable[ComponentRef]:
    """Name the components this plugin provides.

    Return :class:`wfe.ComponentRef` objects: a component name, a lazy
    ``"module:Class"`` target and a one-line summary. Do not import the components'
    modules here: ``wfe components list`` calls this hook and must stay fast. The
    target is imported only when a workflow uses the component.

    wfe calls each plugin's implementation separately, so it can tell which
    distribution provides which component.
    """
    raise NotImplementedError  # a specification has no body; pluggy never calls it


@hookspec
def wfe_register_executors() -> Iterable[ExecutorRef]:
    """Name the executors this plugin provides.

    Return :class:`wfe.ExecutorRef` objects: an executor name, a lazy ``"module:Class"``
    target (a :class:`wfe.Executor` subclass) and a one-line summary. The class's module
    is imported when a workflow is validated with that executor (to check its options)
    and must import nothing heavy itself: import your engine (Dask, Ray, ...) inside
    ``start()``. ``sequential`` and ``threads`` are registered by wfe through this hook.
    """
    raise NotImplementedError


# -- execution ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def wfe_execute_task(task: TaskSpec, component: Any) -> Mapping[str, Any] | None:
    """Run one task and return its outputs, ``{output name: value}``.

    ``component`` is the instantiated component (``Class(inputs, outputs, params)``).
    Stops at the first non-None result. wfe's own implementation runs last and calls
    ``component.execute()``; a plugin implementing this hook can cache, mock or skip a
    task without touching the engine. Called where the task runs: the caller's thread,
    a pool thread (``threads``), or a worker process of another executor, whose
    implementations come from the distributions installed *there* (a plugin object
    registered in code reaches in-process executors only).
    """
    raise NotImplementedError


# -- lifecycle ---------------------------------------------------------------------------


@hookspec
def wfe_workflow_start(run: Run, workflow: WorkflowSpec, workers: int) -> None:
    """A run of ``workflow`` is about to start its first task.

    :param run: the run's identity (``run.id``) and options; key per-run state by it.
    :param workflow: the validated definition (also ``run.workflow``).
    :param workers: tasks that may run at once (1 for ``sequential``; 0 when the
        executor queues tasks itself, as a cluster does).
    """


@hookspec
def wfe_workflow_end(run: Run, workflow: WorkflowSpec, result: RunResult) -> None:
    """A run has ended, successfully or not; ``result.ok`` tells which."""


@hookspec
def wfe_task_start(run: Run, task: TaskSpec) -> None:
    """``task`` was handed to the executor: its inputs are ready (on executors that run
    tasks in this process), or will be when the tasks it reads finish (on a cluster,
    which orders them itself)."""


@hookspec
def wfe_task_end(run: Run, task: TaskSpec, report: TaskReport) -> None:
    """``task`` succeeded (or was reused from its checkpoint: ``report.status``).

    ``report.outputs`` describes each output (type, shape, columns, a scalar's or a small
    mapping's value), made where the task ran: the values themselves stay with the
    executor (on a cluster, on a worker), so a hook never holds up their release.
    Called only for successful tasks; a failure calls :func:`wfe_task_error` instead.
    """


@hookspec
def wfe_task_error(run: Run, task: TaskSpec, report: TaskReport, error: TaskError) -> None:
    """``task`` failed; ``error.__cause__`` is the component's exception (or a stand-in
    with its type name and message when it happened in another process and could not be
    pickled), ``error.traceback_text`` its traceback."""

"""The hooks a wfe plugin can implement.

A plugin is a module (or any object) with functions named like the hooks below and
marked with :data:`hookimpl`. A distribution makes its plugin discoverable with an
entry point in the group ``wfe.plugins``::

    [project.entry-points."wfe.plugins"]
    my_components = "my_package.plugin"

An implementation may accept any subset of a hook's arguments, by name. Every hook but
``wfe_execute_task`` is called from the thread that called ``Workflow.run()``, never
from a pool thread, so plugins need no locking. The built-in component, the default
task execution and the CLI's progress display are all plugins on these hooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from wfe.errors import TaskError
    from wfe.plugins import ComponentRef
    from wfe.report import RunResult, TaskReport
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


# -- execution ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def wfe_execute_task(task: TaskSpec, component: Any) -> Mapping[str, Any] | None:
    """Run one task and return its outputs, ``{output name: value}``.

    ``component`` is the instantiated component (``Class(inputs, outputs, params)``).
    Stops at the first non-None result. wfe's own implementation runs last and calls
    ``component.execute()``; a plugin implementing this hook can cache, mock or skip a
    task without touching the engine. Called in the thread that runs the task: the
    caller's thread, or a pool thread with ``workers > 1``.
    """
    raise NotImplementedError


# -- lifecycle ---------------------------------------------------------------------------


@hookspec
def wfe_workflow_start(workflow: WorkflowSpec, workers: int) -> None:
    """A run of ``workflow`` is about to start its first task.

    :param workflow: the validated definition.
    :param workers: tasks that may run at once (1 for the sequential executor).
    """


@hookspec
def wfe_workflow_end(workflow: WorkflowSpec, result: RunResult) -> None:
    """A run has ended, successfully or not; ``result.ok`` tells which."""


@hookspec
def wfe_task_start(task: TaskSpec) -> None:
    """``task`` is about to run (its inputs are ready)."""


@hookspec
def wfe_task_end(task: TaskSpec, report: TaskReport, outputs: Mapping[str, Any]) -> None:
    """``task`` succeeded and produced ``outputs``.

    Called only for successful tasks; a failure calls :func:`wfe_task_error` instead.
    Do not keep references to ``outputs``: that would defeat the engine's release of
    intermediates.
    """


@hookspec
def wfe_task_error(task: TaskSpec, report: TaskReport, error: TaskError) -> None:
    """``task`` failed; ``error.__cause__`` is the component's exception."""

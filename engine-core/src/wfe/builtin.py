"""wfe's own plugin: the built-in component, the built-in executors and the default
way to execute a task.

Registered by :func:`wfe.plugins.load_plugins` like any other plugin, so the core
uses the same hooks that third-party distributions use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wfe.hookspecs import hookimpl
from wfe.plugins import ComponentRef, ExecutorRef

if TYPE_CHECKING:
    from wfe.spec import TaskSpec


@hookimpl
def wfe_register_components() -> list[ComponentRef]:
    return [
        ComponentRef(
            "python_function",
            "wfe.python_function:PythonFunction",
            "Call a Python function (package.module:callable) with the task's inputs",
        )
    ]


@hookimpl
def wfe_register_executors() -> list[ExecutorRef]:
    return [
        ExecutorRef(
            "sequential",
            "wfe.local_executors:SequentialExecutor",
            "One task at a time in this process (the default)",
        ),
        ExecutorRef(
            "threads",
            "wfe.local_executors:ThreadsExecutor",
            "Up to `workers` tasks at once in a thread pool of this process (I/O-bound work)",
        ),
    ]


@hookimpl(trylast=True)
def wfe_execute_task(task: TaskSpec, component: Any) -> Mapping[str, Any] | None:
    result: Mapping[str, Any] | None = component.execute()
    return result

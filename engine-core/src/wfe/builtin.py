"""wfe's own plugin: the built-in component and the default way to execute a task.

Registered by :func:`wfe.plugins.load_plugins` like any other plugin, so the core
uses the same hooks that third-party distributions use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wfe.hookspecs import hookimpl
from wfe.plugins import ComponentRef

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


@hookimpl(trylast=True)
def wfe_execute_task(task: TaskSpec, component: Any) -> Mapping[str, Any] | None:
    result: Mapping[str, Any] | None = component.execute()
    return result

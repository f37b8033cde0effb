"""wfe: a metadata-driven workflow engine for data and ML pipelines.

A workflow is a YAML file of tasks; each names a component, its params, inputs and
outputs. ``wfe.load(path).run()`` validates and runs it in one process::

    import wfe

    workflow = wfe.load("workflows/churn.yaml", vars={"data_root": "s3://bucket/raw"})
    result = workflow.run(executor="threads", outputs=["predictions"])
    result.raise_for_status()
    predictions = result["predictions"]

Components come from installed distributions through the ``wfe.plugins`` entry point
group; see :mod:`wfe.hookspecs` for the plugin contract and :class:`wfe.Component`
for the component contract.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wfe.component import REQUIRED, Component, Input, Param, map_outputs
    from wfe.errors import (
        CheckpointError,
        ComponentLoadError,
        DefinitionError,
        ExecutorError,
        Location,
        OutputMismatchError,
        PluginError,
        PolicyError,
        Problem,
        RemoteError,
        RunFailedError,
        SelectionError,
        TaskError,
        TaskTimeoutError,
        WorkflowError,
    )
    from wfe.executor import Executor
    from wfe.hookspecs import hookimpl
    from wfe.plugins import ComponentRef, ExecutorRef, Plugins, load_plugins
    from wfe.report import RunResult, TaskReport, TaskStatus
    from wfe.run import Run, RunOptions
    from wfe.spec import TaskSpec, WorkflowSpec
    from wfe.taskcall import TaskCall
    from wfe.workflow import Workflow, load, loads

# Public name -> the module that defines it. Imported on first use (PEP 562), so that
# `import wfe.cli` for `wfe --help` does not pay for YAML, pluggy and the engine.
_EXPORTS = {
    "REQUIRED": "wfe.component",
    "Component": "wfe.component",
    "Input": "wfe.component",
    "Param": "wfe.component",
    "map_outputs": "wfe.component",
    "ComponentLoadError": "wfe.errors",
    "DefinitionError": "wfe.errors",
    "CheckpointError": "wfe.errors",
    "ExecutorError": "wfe.errors",
    "Location": "wfe.errors",
    "OutputMismatchError": "wfe.errors",
    "PluginError": "wfe.errors",
    "PolicyError": "wfe.errors",
    "Problem": "wfe.errors",
    "RemoteError": "wfe.errors",
    "RunFailedError": "wfe.errors",
    "SelectionError": "wfe.errors",
    "TaskError": "wfe.errors",
    "TaskTimeoutError": "wfe.errors",
    "WorkflowError": "wfe.errors",
    "Executor": "wfe.executor",
    "hookimpl": "wfe.hookspecs",
    "ComponentRef": "wfe.plugins",
    "ExecutorRef": "wfe.plugins",
    "Plugins": "wfe.plugins",
    "load_plugins": "wfe.plugins",
    "RunResult": "wfe.report",
    "TaskReport": "wfe.report",
    "TaskStatus": "wfe.report",
    "Run": "wfe.run",
    "RunOptions": "wfe.run",
    "TaskCall": "wfe.taskcall",
    "TaskSpec": "wfe.spec",
    "WorkflowSpec": "wfe.spec",
    "Workflow": "wfe.workflow",
    "load": "wfe.workflow",
    "loads": "wfe.workflow",
}

__all__ = [
    "REQUIRED",
    "CheckpointError",
    "Component",
    "ComponentLoadError",
    "ComponentRef",
    "DefinitionError",
    "Executor",
    "ExecutorError",
    "ExecutorRef",
    "Input",
    "Location",
    "OutputMismatchError",
    "Param",
    "PluginError",
    "Plugins",
    "PolicyError",
    "Problem",
    "RemoteError",
    "Run",
    "RunFailedError",
    "RunOptions",
    "RunResult",
    "SelectionError",
    "TaskCall",
    "TaskError",
    "TaskReport",
    "TaskSpec",
    "TaskStatus",
    "TaskTimeoutError",
    "Workflow",
    "WorkflowError",
    "WorkflowSpec",
    "__version__",
    "hookimpl",
    "load",
    "load_plugins",
    "loads",
    "map_outputs",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from wfe._version import __version__

        return __version__
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wfe' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])

"""wfe: a metadata-driven workflow engine for data and ML pipelines.

A workflow is a YAML file of tasks; each names a component, its params, inputs and
outputs. ``wfe.load(path).run()`` validates and runs it in one process::

    import wfe

    workflow = wfe.load("workflows/churn.yaml", vars={"data_root": "s3://bucket/raw"})
    result = workflow.run(workers=4)
    result.raise_for_status()
    predictions = result.results["predictions"]

Components come from installed distributions through the ``wfe.plugins`` entry point
group; see :mod:`wfe.hookspecs` for the plugin contract and :class:`wfe.Component`
for the component contract.
"""

from __future__ import annotations

from typing import Any

from wfe.component import REQUIRED, Component, Input, Param, map_outputs
from wfe.errors import (
    ComponentLoadError,
    DefinitionError,
    Location,
    OutputMismatchError,
    Problem,
    RunFailedError,
    TaskError,
    WorkflowError,
)
from wfe.hookspecs import hookimpl
from wfe.plugins import ComponentRef, Plugins, load_plugins
from wfe.report import RunResult, TaskReport, TaskStatus
from wfe.spec import TaskSpec, WorkflowSpec
from wfe.workflow import Workflow, load, loads

__all__ = [
    "REQUIRED",
    "Component",
    "ComponentLoadError",
    "ComponentRef",
    "DefinitionError",
    "Input",
    "Location",
    "OutputMismatchError",
    "Param",
    "Plugins",
    "Problem",
    "RunFailedError",
    "RunResult",
    "TaskError",
    "TaskReport",
    "TaskSpec",
    "TaskStatus",
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
    # The version comes from the installed distribution's metadata; reading it costs a
    # few milliseconds, so only when asked.
    if name == "__version__":
        from wfe.plugins import core_version

        return core_version()
    raise AttributeError(f"module 'wfe' has no attribute {name!r}")

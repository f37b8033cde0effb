"""Workflow files of python_function tasks, built from Python in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def task(
    name: str,
    function: str,
    *,
    inputs: dict[str, str] | None = None,
    outputs: list[str] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """A task calling ``function`` ("module:callable", or a name in
    wfe_test_workers) with ``kwargs``; ``after``, ``retries``, ``timeout`` and other
    task options given as ``task_<option>``."""
    options = {k.removeprefix("task_"): kwargs.pop(k) for k in list(kwargs) if k.startswith("task_")}
    target = function if ":" in function else f"wfe_test_workers:{function}"
    spec: dict[str, Any] = {
        "name": name,
        "component_name": "python_function",
        "params": {"function": target, "kwargs": kwargs} if kwargs else {"function": target},
    }
    if inputs:
        spec["inputs"] = inputs
    if outputs:
        spec["outputs"] = outputs
    spec.update(options)
    return spec


def write_workflow(path: Path, *tasks: dict[str, Any], name: str = "test") -> Path:
    path.write_text(yaml.safe_dump({"workflow_name": name, "tasks": list(tasks)}, sort_keys=False))
    return path

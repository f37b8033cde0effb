"""Workflow files of python_function tasks, built from Python in tests; waiting for a
running task's marker file; and other folders' test modules, loaded to run their
checks on another executor."""

from __future__ import annotations

import importlib.util
import subprocess
import time
from pathlib import Path
from types import ModuleType
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
    options = {
        k.removeprefix("task_"): kwargs.pop(k) for k in list(kwargs) if k.startswith("task_")
    }
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


def load_test_module(path: Path) -> ModuleType:
    """The test module at ``path``, imported under a name of its own (its tests are
    not collected again: only what the caller takes from it runs)."""
    spec = importlib.util.spec_from_file_location(f"wfe_reused_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_for_marker(path: Path, process: subprocess.Popen[str], timeout: float = 120) -> str:
    """The text of the file ``path`` once a task has written to it, while ``process``
    (the ``wfe`` run) is still running: a run that ended first fails at once, with its
    output."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"wfe ended ({process.returncode}) first:\n{out}\n{err}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} was not written within {timeout} s")
        time.sleep(0.05)
    return path.read_text()

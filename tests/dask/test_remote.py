"""What runs on the workers (wfe_dask.remote): code a worker cannot import and outputs
that cannot leave their worker are clear task errors, not pickle tracebacks."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest
from wfe_test_tasks import task, write_workflow

import wfe
from wfe import Component, ComponentRef, hookimpl


def test_a_function_module_the_workers_cannot_import_is_a_clear_task_error(
    on_cluster: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A module this process can import and the cluster's workers cannot.
    folder = tmp_path / "client_only"
    folder.mkdir()
    (folder / "client_only_steps.py").write_text("def one():\n    return 1\n")
    monkeypatch.syspath_prepend(str(folder))
    path = write_workflow(
        tmp_path / "wf.yaml", task("step", "client_only_steps:one", outputs=["x"])
    )
    assert wfe.load(path).run().results == {"x": 1}  # in process it works
    result = wfe.load(path).run(executor="dask", executor_options=on_cluster)
    [error] = result.errors
    text = str(error)
    assert "No module named 'client_only_steps'" in text
    assert "on Dask worker tcp://127.0.0.1:" in text
    assert "every worker must be able to import the task's component and functions" in text
    assert "Traceback" not in text


class ClientOnly(Component):
    """A component whose class the workers cannot import."""

    def execute(self) -> dict[str, Any]:
        return {"x": 1}


class Provides:
    def __init__(self, cls: type) -> None:
        self.cls = cls

    @hookimpl
    def wfe_register_components(self) -> list[ComponentRef]:
        return [ComponentRef("client_only", self.cls)]


def test_a_component_class_the_workers_cannot_import_names_its_module(
    on_cluster: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("client_only_components")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    cls = type("ClientOnly", (ClientOnly,), {"__module__": module.__name__})
    module.ClientOnly = cls  # type: ignore[attr-defined]
    text = (
        "workflow_name: w\ntasks:\n"
        "  - {name: step, component_name: client_only, outputs: [x]}\n"
        "  - {name: next, component_name: python_function, inputs: {x: x}, outputs: [y],"
        " params: {function: 'wfe_test_functions:inc'}}\n"
    )
    workflow = wfe.loads(text, plugins=wfe.load_plugins([Provides(cls)]))
    result = workflow.run(executor="dask", executor_options=on_cluster)
    assert result.failed == ["step"]
    assert result.not_run == ["next"]  # Dask failed it with the same error: not run
    [error] = result.errors
    assert "could not load the task: it cannot import module 'client_only_components'" in str(error)


def test_a_component_that_cannot_be_pickled_fails_before_reaching_the_cluster(
    on_cluster: dict[str, Any],
) -> None:
    class Local(ClientOnly):  # a class inside a function cannot be pickled by reference
        pass

    text = "workflow_name: w\ntasks:\n  - {name: step, component_name: client_only, outputs: [x]}\n"
    workflow = wfe.loads(text, plugins=wfe.load_plugins([Provides(Local)]))
    result = workflow.run(executor="dask", executor_options=on_cluster)
    [error] = result.errors
    assert "it cannot be sent to the cluster" in str(error)


def test_an_output_that_cannot_be_pickled_is_a_clear_task_error(
    on_cluster: dict[str, Any], tmp_path: Path
) -> None:
    path = write_workflow(
        tmp_path / "wf.yaml",
        task("make", "lock", outputs=["guard"]),
        task("use", "relay", inputs={"value": "guard"}, outputs=["same"]),
    )
    result = wfe.load(path).run(executor="dask", executor_options=on_cluster)
    assert result.failed == ["make"]
    assert result.not_run == ["use"]
    [error] = result.errors
    assert "output 'guard' (lock) cannot be pickled, so it cannot leave its Dask worker" in str(
        error
    )
    assert "TypeError: cannot pickle '_thread.lock' object" in str(error)


def test_an_error_that_cannot_travel_keeps_its_type_name_message_and_traceback(
    on_cluster: dict[str, Any], tmp_path: Path
) -> None:
    path = write_workflow(tmp_path / "wf.yaml", task("odd", "fail_oddly"))
    result = wfe.load(path).run(executor="dask", executor_options=on_cluster)
    [error] = result.errors
    assert error.cause_text == "TwoPartError: bad and worse"
    assert isinstance(error.__cause__, wfe.RemoteError)
    assert error.__cause__.type_name == "TwoPartError"
    assert "in fail_oddly" in error.traceback_text


def test_what_a_task_prints_and_warns_on_a_worker_comes_back_in_its_report(
    on_cluster: dict[str, Any], tmp_path: Path
) -> None:
    path = write_workflow(
        tmp_path / "wf.yaml",
        task("talk", "wfe_test_functions:chatty", outputs=["said"], label="worker"),
        task("warn", "wfe_test_functions:warn_then", outputs=["warned"], label="worker"),
    )
    result = wfe.load(path).run(executor="dask", executor_options=on_cluster)
    assert result.ok, result.errors
    assert "print from worker" in result.tasks["talk"].log
    [warning] = result.tasks["warn"].warnings
    assert warning["category"] == "PinMeWarning"
    assert warning["sha256"] == "worker-digest"

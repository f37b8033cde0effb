"""The Python API: wfe.load / wfe.loads / Workflow.run."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

import wfe

TEXT = """\
workflow_name: api
vars: {n: 2}
tasks:
  - name: make
    component_name: python_function
    params: {function: "wfe_test_functions:const", kwargs: {value: "${n}"}}
    outputs: [n]
  - name: bump
    component_name: python_function
    params: {function: "wfe_test_functions:inc"}
    inputs: {x: n}
    outputs: [bumped]
"""


def test_load_validates_and_run_returns_results_and_reports(write_workflow: Any) -> None:
    workflow = wfe.load(write_workflow(TEXT), vars={"n": "40"})
    assert workflow.name == "api"
    assert "2 tasks" in repr(workflow)
    result = workflow.run()
    assert result.ok
    assert result.status == "succeeded"
    assert result.results == {"bumped": 41}
    assert result.succeeded == ["make", "bump"]
    assert result.tasks["bump"].status is wfe.TaskStatus.SUCCEEDED
    assert 0 < result.tasks["bump"].duration <= result.duration  # a part of the run's time
    assert result.raise_for_status() is result
    assert workflow.run(workers=2).results == {"bumped": 41}  # a workflow runs any number of times


def test_load_accepts_path_objects_and_reports_missing_files(tmp_path: Path) -> None:
    with pytest.raises(wfe.DefinitionError, match="no such file"):
        wfe.load(tmp_path / "missing.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("workflow_name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(wfe.DefinitionError, match="UTF-8"):
        wfe.load(bad)


def test_errors_are_catchable_as_the_root_or_as_builtins() -> None:
    with pytest.raises(wfe.WorkflowError):
        wfe.loads("workflow_name: [")
    with pytest.raises(ValueError, match="problem"):
        wfe.loads("workflow_name: [")


def test_public_api_is_exported() -> None:
    assert set(wfe.__all__) == {*wfe._EXPORTS, "__version__"}
    for name, module in wfe._EXPORTS.items():
        assert getattr(wfe, name) is getattr(importlib.import_module(module), name)
    assert wfe.__version__ == "0.1.0"
    with pytest.raises(AttributeError):
        wfe.no_such_thing  # noqa: B018

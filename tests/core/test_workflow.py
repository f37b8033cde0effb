"""The Python API: wfe.load / wfe.loads / Workflow.run."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import wfe

REPO = Path(__file__).resolve().parents[2]

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


def test_load_lets_python_function_import_modules_next_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "steps_beside_api.py").write_text("def answer(base):\n    return base + 1\n")
    (folder / "flow.yaml").write_text(
        "workflow_name: local\ntasks:\n  - name: t\n    component_name: python_function\n"
        "    params: {function: 'steps_beside_api:answer', kwargs: {base: 41}}\n    outputs: [a]\n"
    )
    link = tmp_path / "linked.yaml"
    link.symlink_to(folder / "flow.yaml")
    workflow = wfe.load(link)  # like `python script.py`: the real file's folder
    assert sys.path[0] == str(folder)
    assert workflow.run().results == {"a": 42}
    wfe.load(folder / "flow.yaml")
    assert sys.path.count(str(folder)) == 1  # once


def test_loads_leaves_sys_path_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = list(sys.path)
    wfe.loads(TEXT)
    assert sys.path == before


def test_the_quickstart_runs_from_the_python_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.chdir(REPO)  # its data path is relative to the repository
    workflow = wfe.load("workflows/quickstart.yaml", vars={"database": str(tmp_path / "q.db")})
    result = workflow.run()
    assert result.ok, result.errors
    monkeypatch.delitem(sys.modules, "quickstart_steps")


@pytest.mark.parametrize(
    "text", ["workflow_name: \udcff\ntasks: []\n", "x: " + "y" * (16 * 1024 * 1024)]
)
def test_text_no_file_could_hold_is_a_definition_error(text: str) -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml")
    assert info.value.kinds in (["not-text"], ["too-large"])


def test_under_a_module_limit_load_adds_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same rule as the CLI's: a module next to the file could shadow an allowed one.
    monkeypatch.setattr(sys, "path", list(sys.path))
    policy = tmp_path / "policy.toml"
    policy.write_text('allowed_function_modules = ["wfe_test_functions"]\n')
    monkeypatch.setenv("WFE_POLICY", str(policy))
    path = tmp_path / "flow.yaml"
    path.write_text(TEXT)
    before = list(sys.path)
    wfe.load(path)
    assert sys.path == before


def test_relative_paths_point_to_the_working_directory_in_the_cli_and_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subprocess_env: Any
) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    path = folder / "wf.yaml"
    path.write_text(
        "workflow_name: rel\ntasks:\n"
        "  - {name: w, component_name: python_function,"
        " params: {function: 'wfe_test_functions:append_line', kwargs: {path: out.txt, line: x}}}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "wfe", "run", "flows/wf.yaml", "--no-record"],
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    monkeypatch.chdir(tmp_path)
    assert wfe.load("flows/wf.yaml").run().ok
    assert (tmp_path / "out.txt").read_text() == "x\nx\n"  # both wrote here
    assert not (folder / "out.txt").exists()  # not next to the workflow file

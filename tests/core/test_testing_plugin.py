"""wfe's pytest plugin: the run_workflow fixture (wfe.testing.pytest_plugin, .workflows)."""

from __future__ import annotations

from pathlib import Path

import pytest

import wfe
from wfe.testing import WorkflowRunner

WRITES = """\
workflow_name: writes
vars: {line: hello}
tasks:
  - name: write
    component_name: python_function
    params: {function: "wfe_test_functions:append_line", kwargs: {path: out.txt, line: "${line}"}}
"""

CONCURRENT = """\
workflow_name: concurrent
tasks:
  - {name: one, component_name: python_function, params: {function: "wfe_test_functions:meet"}, outputs: [a]}
  - {name: two, component_name: python_function, params: {function: "wfe_test_functions:meet"}, outputs: [b]}
  - {name: both, component_name: python_function, params: {function: "wfe_test_functions:add"}, inputs: {a: a, b: b}, outputs: [c]}
"""


def test_yaml_text_runs_with_relative_paths_in_the_test_s_tmp_path(
    run_workflow: WorkflowRunner, tmp_path: Path
) -> None:
    before = Path.cwd()
    result = run_workflow(WRITES, vars={"line": "from the test"})
    assert result.ok, result.errors
    assert (tmp_path / "out.txt").read_text() == "from the test\n"
    assert run_workflow.folder == tmp_path
    assert Path.cwd() == before  # the working folder is changed only during the run


def test_a_file_runs_with_the_executor_and_outputs_asked_for(
    run_workflow: WorkflowRunner, tmp_path: Path
) -> None:
    path = tmp_path / "concurrent.yaml"
    path.write_text(CONCURRENT)
    # meet() returns only when both tasks are inside it at once: they ran in two threads
    result = run_workflow(path, executor="threads", workers=2, outputs=["a"])
    assert result.ok, result.errors
    assert result["a"] == "met"  # kept although 'both' consumed it
    assert result["c"] == "metmet"
    assert result.tasks["both"].status is wfe.TaskStatus.SUCCEEDED
    same = run_workflow(str(path), executor="threads", executor_options={"workers": 2})
    assert same.results == {"c": "metmet"}


def test_a_failed_task_is_in_the_result_and_a_bad_definition_raises(
    run_workflow: WorkflowRunner,
) -> None:
    failed = run_workflow(
        "workflow_name: f\ntasks:\n"
        "  - {name: bad, component_name: python_function, params: {function: 'wfe_test_functions:fail'}}\n"
    )
    assert failed.failed == ["bad"]
    with pytest.raises(wfe.RunFailedError, match="boom: the input was bad"):
        failed.raise_for_status()
    with pytest.raises(wfe.DefinitionError, match="unknown component 'no_such'"):
        run_workflow("workflow_name: d\ntasks:\n  - {name: t, component_name: no_such}\n")


def test_a_missing_file_says_how_to_pass_text(run_workflow: WorkflowRunner) -> None:
    with pytest.raises(FileNotFoundError) as info:
        run_workflow("workflow_name: x")  # no line break: taken for a path
    assert "no workflow file 'workflow_name: x'" in str(info.value)
    assert "YAML text as a string with at least one line break" in str(info.value)


def test_the_plugin_is_loaded_through_engine_core_s_entry_point(
    pytestconfig: pytest.Config,
) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("wfe")  # the pytest11 entry point's name
    assert plugin is not None
    assert plugin.__name__ == "wfe.testing.pytest_plugin"

"""The document's shape: wfe.spec, through wfe.loads."""

from __future__ import annotations

import dataclasses

import pytest

import wfe

EVERYTHING_WRONG = """\
workflow_name: broken
tasks:
  - name: load
    component_name: python_functon
    outputs: [raw]
  - name: clean
    component_name: python_function
    params: {function: "wfe_test_functions:inc", fucntion: 3}
    inputs: {x: raw_df}
    outputs: [clean]
    retires: 3
  - name: load
    component_name: python_function
    params: {function: "wfe_test_functions:const"}
    outputs: clean
descripton: typo
"""


def problems(text: str, **kwargs: object) -> wfe.DefinitionError:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml", **kwargs)  # type: ignore[arg-type]
    return info.value


def test_every_problem_is_reported_in_one_pass_with_positions() -> None:
    error = problems(EVERYTHING_WRONG)
    found = {(p.kind, p.location.line if p.location else None, p.task) for p in error.problems}
    assert found >= {
        ("unknown-component", 4, "load"),
        ("unknown-param", 8, "clean"),
        ("unknown-reference", 9, "clean"),
        ("unknown-key", 11, "clean"),
        ("duplicate-task", 12, "load"),
        ("wrong-type", 15, "load"),
        ("unknown-key", 16, None),
    }
    text = str(error)
    assert "did you mean 'python_function'?" in text
    assert "did you mean 'function'?" in text
    assert "did you mean 'raw'?" in text
    assert "did you mean 'description'?" in text
    assert "wf.yaml:4:21: task 'load': unknown component 'python_functon'" in text
    # ordered by position
    lines = [p.location.line for p in error.problems if p.location]
    assert lines == sorted(lines)


def test_missing_keys_and_wrong_types_are_named() -> None:
    error = problems("description: 3\ntasks:\n  - name: [a]\n  - component_name: python_function\n")
    messages = str(error)
    assert "no 'workflow_name'" in messages
    assert "a task's name must be a non-empty string, got a list" in messages
    assert "task #2 has no 'name'" in messages
    assert "task '[a]'" not in messages
    assert "description must be a non-empty string, got the int 3" in messages


def test_tasks_must_be_a_non_empty_list() -> None:
    assert "tasks must be a non-empty list" in str(problems("workflow_name: x\ntasks: []\n"))
    assert "tasks must be a non-empty list" in str(problems("workflow_name: x\ntasks: {a: 1}\n"))


def test_literal_locations_pass_through_as_strings() -> None:
    text = """\
workflow_name: literals
tasks:
  - name: t
    component_name: python_function
    params: {function: "wfe_test_functions:add"}
    inputs: {a: "s3://bucket/models/model.joblib", b: "file:///tmp/x.csv"}
    outputs: [joined]
"""
    workflow = wfe.loads(text)
    task = workflow.spec.tasks[0]
    assert dict(task.literals) == {"a": "s3://bucket/models/model.joblib", "b": "file:///tmp/x.csv"}
    assert dict(task.inputs) == {}
    assert workflow.run().results == {"joined": "s3://bucket/models/model.joblibfile:///tmp/x.csv"}


def test_a_typo_in_a_reference_never_becomes_a_literal() -> None:
    text = """\
workflow_name: typo
tasks:
  - name: a
    component_name: python_function
    params: {function: "wfe_test_functions:pair"}
    outputs: [left, right]
  - name: b
    component_name: python_function
    params: {function: "wfe_test_functions:add"}
    inputs: {a: left, b: rigth}
    outputs: [total]
"""
    error = problems(text)
    assert error.kinds == ["unknown-reference"]
    assert "did you mean 'right'?" in str(error)


def test_spec_is_immutable() -> None:
    workflow = wfe.loads(
        "workflow_name: x\ntasks:\n  - name: t\n    component_name: python_function\n"
        "    params: {function: 'wfe_test_functions:const', kwargs: {value: 1}}\n    outputs: [o]\n"
    )
    task = workflow.spec.tasks[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        task.params["function"] = "os:system"  # type: ignore[index]
    assert workflow.spec.task("t") is task
    assert task.location is not None
    assert task.location.line == 3


def test_description_and_task_description_are_kept() -> None:
    workflow = wfe.loads(
        "workflow_name: x\ndescription: The whole thing.\ntasks:\n  - name: t\n"
        "    description: One step.\n    component_name: python_function\n"
        "    params: {function: 'wfe_test_functions:pair'}\n    outputs: [a, b]\n"
    )
    assert workflow.spec.description == "The whole thing."
    assert workflow.spec.tasks[0].description == "One step."


def test_registered_task_options_are_checked_and_kept() -> None:
    task = (
        "workflow_name: x\ntasks:\n  - name: t\n    component_name: python_function\n"
        "    params: {function: 'wfe_test_functions:pair'}\n    outputs: [a, b]\n"
    )
    workflow = wfe.loads(task + "    retries: 3\n")
    assert dict(workflow.spec.tasks[0].options) == {"retries": 3}
    assert dict(wfe.loads(task).spec.tasks[0].options) == {}
    error = problems(task + "    retries: many\n")
    assert [(p.kind, p.message) for p in error.problems] == [
        ("wrong-type", "retries must be an integer, got the string 'many'")
    ]
    assert "did you mean 'retries'" in str(problems(task + "    retrys: 3\n"))

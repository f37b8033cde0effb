"""The document's shape: wfe.spec, through wfe.loads."""

from __future__ import annotations

import dataclasses

import pytest

import wfe
from wfe.errors import MAX_PROBLEMS

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


def one_task(name: str = "t", outputs: str = "[o]") -> str:
    return (
        f"workflow_name: x\ntasks:\n  - name: {name}\n    component_name: python_function\n"
        f"    params: {{function: 'wfe_test_functions:pair'}}\n    outputs: {outputs}\n"
    )


@pytest.mark.parametrize(
    "name",
    ["'../../x'", "/tmp/x", ".hidden", "a..b", "'a b'", "'a\\\\b'", "s3://x", "1abc", "x" * 129],
)
def test_task_names_are_identifiers(name: str) -> None:
    error = problems(one_task(name=name))
    [problem] = error.problems
    assert problem.kind == "bad-name"
    assert problem.message.startswith("the task name ")
    assert str(problem.location) == "wf.yaml:3:11"
    assert "at most 128 characters" in problem.hint


@pytest.mark.parametrize("output", ["'s3://x'", "../up", "a/b", "'-x'"])
def test_output_names_are_identifiers(output: str) -> None:
    [problem] = problems(one_task(outputs=f"[a, {output}]")).problems
    assert problem.kind == "bad-name"
    assert problem.message.startswith("the output name ")
    assert str(problem.location) == "wf.yaml:6:18"


@pytest.mark.parametrize("name", ["t", "load_data", "_private", "v1.2-final", "x" * 128])
def test_identifiers_that_are_fine(name: str) -> None:
    assert wfe.loads(one_task(name=name, outputs=f"[{name}, b]")).spec.tasks[0].name == name


def test_component_and_workflow_names_are_bounded_in_length() -> None:
    text = one_task().replace("workflow_name: x", "workflow_name: " + "w" * 200)
    text = text.replace("component_name: python_function", "component_name: " + "c" * 5000)
    messages = [p.message for p in problems(text).problems]
    assert "workflow_name is longer than 128 characters" in messages
    assert "component_name is longer than 128 characters" in messages
    assert all(len(m) < 200 for m in messages)


def test_a_workflow_name_that_would_rewrite_the_terminal_is_refused() -> None:
    text = one_task().replace("workflow_name: x", 'workflow_name: "x\\e[2J"')
    [problem] = problems(text).problems
    assert problem.message == "workflow_name contains control or other unprintable characters"


def test_a_million_mistakes_keep_the_first_thousand() -> None:
    text = one_task() + "vars:\n" + "  a: 1\n" * 5_000
    error = problems(text)
    assert len(error.problems) == MAX_PROBLEMS
    assert error.dropped == 5_000 - 1 - MAX_PROBLEMS
    assert str(error).startswith("wf.yaml: 4,999 problems in the workflow definition")
    assert str(error).endswith("... and 3,999 more (only the first 1,000 are listed)")


def test_a_checkpoint_folder_with_control_characters_is_refused() -> None:
    [problem] = problems(one_task() + 'checkpoint: "a\\0b"\n').problems
    assert (
        problem.message == "checkpoint 'a\\x00b' contains control or other unprintable characters"
    )

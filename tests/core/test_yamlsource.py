"""YAML safety and positions: wfe.yamlsource, exercised through wfe.loads."""

from __future__ import annotations

import time

import pytest

import wfe
from wfe.errors import Problem
from wfe.yamlsource import NodeReader, compose


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml")
    return list(info.value.problems)


def value_of(text: str) -> object:
    problems: list[Problem] = []
    root = compose(text, "v.yaml")
    assert root is not None
    value = NodeReader("v.yaml", len(text), problems).value(root)
    assert problems == []
    return value


TASK = """
  - name: t
    component_name: python_function
    params: {function: "wfe_test_functions:const", kwargs: {value: 1}}
    outputs: [o]
"""


def test_plain_values_keep_their_types_and_key_order() -> None:
    value = value_of("b: 1\na: 2.5\nc: [true, null, 'x', {z: 1, y: 2}]\n")
    assert value == {"b": 1, "a": 2.5, "c": [True, None, "x", {"z": 1, "y": 2}]}
    assert list(value) == ["b", "a", "c"]  # type: ignore[call-overload]
    assert list(value["c"][3]) == ["z", "y"]  # type: ignore[index]


def test_syntax_error_names_file_line_and_column() -> None:
    [problem] = problems_of("workflow_name: x\ntasks:\n  - name: a\n    component_name: [oops\n")
    assert problem.kind == "yaml-syntax"
    assert problem.location is not None
    assert (problem.location.file, problem.location.line) == ("wf.yaml", 5)
    assert "quot" in problem.hint


def test_document_that_is_not_a_mapping_is_rejected() -> None:
    [problem] = problems_of("- just\n- a list\n")
    assert problem.kind == "wrong-type"
    assert "must be a mapping" in problem.message
    assert "a list" in problem.message


def test_empty_file_is_rejected() -> None:
    [problem] = problems_of("")
    assert "empty" in problem.message


def test_duplicate_keys_are_reported_not_silently_overwritten() -> None:
    text = "workflow_name: x\nworkflow_name: y\ntasks:" + TASK
    [problem] = problems_of(text)
    assert problem.kind == "duplicate-key"
    assert problem.location is not None
    assert problem.location.line == 2
    assert "line 1" in problem.message


def test_duplicate_keys_inside_params_are_reported() -> None:
    text = (
        "workflow_name: x\ntasks:\n  - name: t\n    component_name: python_function\n"
        "    params:\n      function: wfe_test_functions:const\n      function: os:getcwd\n"
    )
    [problem] = problems_of(text)
    assert problem.kind == "duplicate-key"
    assert problem.task == "t"
    assert problem.location is not None
    assert problem.location.line == 7


@pytest.mark.parametrize(
    "tagged",
    [
        '!!python/object/apply:os.system ["echo hacked"]',
        "!!python/name:os.system",
        "!!python/object:collections.OrderedDict {}",
    ],
)
def test_python_object_tags_are_refused(tagged: str) -> None:
    text = f"workflow_name: x\ntasks:{TASK}    description: ok\nextra_value: {tagged}\n"
    kinds = [p.kind for p in problems_of(text)]
    assert "unsafe-tag" in kinds


def test_python_tag_in_params_is_refused_with_position() -> None:
    text = (
        "workflow_name: x\ntasks:\n  - name: t\n    component_name: python_function\n"
        "    params:\n      function: !!python/name:os.system\n"
    )
    problems = problems_of(text)
    unsafe = [p for p in problems if p.kind == "unsafe-tag"]
    assert len(unsafe) == 1
    assert unsafe[0].location is not None
    assert unsafe[0].location.line == 6
    assert "not allowed" in unsafe[0].message


def test_custom_tags_are_refused() -> None:
    text = f"workflow_name: !Ref x\ntasks:{TASK}"
    assert "unsafe-tag" in [p.kind for p in problems_of(text)]


def test_alias_bomb_is_bounded_and_fast() -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = (
        "workflow_name: bomb\ntasks:\n  - name: t\n    component_name: python_function\n"
        "    params:\n      function: wfe_test_functions:const\n      kwargs:\n"
        + "".join(f"        {line}\n" for line in levels)
    )
    started = time.perf_counter()
    [problem] = problems_of(text)
    assert problem.kind == "alias-bomb"
    assert problem.location is not None
    # 9**9 = 387 million strings if expanded; the bound stops it after ~100k visits.
    assert time.perf_counter() - started < 30


def test_recursive_alias_is_refused() -> None:
    text = (
        "workflow_name: x\ntasks:\n  - name: t\n    component_name: python_function\n"
        "    params:\n      function: wfe_test_functions:const\n      kwargs: &d [*d]\n"
    )
    assert [p.kind for p in problems_of(text)] == ["alias-bomb"]


def test_ordinary_aliases_and_merge_keys_work() -> None:
    value = value_of(
        "defaults: &defaults {sep: ',', nrows: 10}\n"
        "a: {<<: *defaults, nrows: 5}\n"
        "b: {<<: [{x: 1}, {x: 2, y: 2}], z: 3}\n"
        "c: *defaults\n"
    )
    assert value["a"] == {"sep": ",", "nrows": 5}  # type: ignore[index]
    assert value["b"] == {"x": 1, "y": 2, "z": 3}  # type: ignore[index]
    assert value["c"] == {"sep": ",", "nrows": 10}  # type: ignore[index]
    assert value["c"] is not value["defaults"]  # type: ignore[index]


def test_aliased_task_defaults_in_a_workflow() -> None:
    text = (
        "workflow_name: x\n"
        "tasks:\n"
        "  - &base\n    name: one\n    component_name: python_function\n"
        "    params: {function: 'wfe_test_functions:const', kwargs: {value: 1}}\n    outputs: [a]\n"
        "  - <<: *base\n    name: two\n    outputs: [b]\n"
    )
    workflow = wfe.loads(text)
    assert [t.name for t in workflow.spec.tasks] == ["one", "two"]
    assert workflow.run().results == {"a": 1, "b": 1}


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    depth = 5000
    text = f"workflow_name: x\ntasks:{TASK}    description: " + "[" * depth + "]" * depth + "\n"
    [problem] = problems_of(text)
    assert problem.kind == "yaml-syntax"
    assert "nesting" in problem.message


def test_nesting_deep_but_allowed_constructs_iteratively() -> None:
    depth = 900  # libyaml's limit is 1000; Python's recursion limit would bite at ~1000 frames
    value = value_of("x: " + "[" * depth + "1" + "]" * depth)
    value = value["x"]  # type: ignore[index]
    for _ in range(depth):
        value = value[0]  # type: ignore[index]
    assert value == 1

"""YAML safety and positions: wfe.yamlsource, exercised through wfe.loads."""

from __future__ import annotations

import time

import pytest
import yaml
from yaml.nodes import MappingNode, SequenceNode

import wfe
from wfe import yamlsource
from wfe.errors import MAX_PROBLEMS, Problem
from wfe.yamlsource import MAX_DEPTH, MAX_NUMBER_CHARS, NodeLocator, NodeReader, compose


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
        "      kwargs: {value: 1}\n"
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
    assert problem.task == "t"
    assert problem.location is not None
    # 9**9 = 387 million strings if expanded; the bound stops it after ~100k visits.
    assert time.perf_counter() - started < 30


def test_recursive_alias_is_refused() -> None:
    text = (
        "workflow_name: x\ntasks:\n  - name: t\n    component_name: python_function\n"
        "    params:\n      function: wfe_test_functions:const\n      kwargs: &d [*d]\n"
    )
    [problem] = problems_of(text)
    assert problem.kind == "too-deep"
    assert "contains itself through an alias" in problem.message


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


def test_nesting_up_to_the_limit_constructs_iteratively() -> None:
    depth = MAX_DEPTH - 1  # the document's mapping is the first level
    value = value_of("x: " + "[" * depth + "1" + "]" * depth)
    value = value["x"]  # type: ignore[index]
    for _ in range(depth):
        value = value[0]  # type: ignore[index]
    assert value == 1


def test_a_value_nested_past_the_limit_is_refused_at_its_node() -> None:
    depth = MAX_DEPTH + 1
    text = f"workflow_name: x\ntasks:{TASK}    description: ok\nvars: {{v: {'[' * depth}{']' * depth}}}\n"
    [problem] = problems_of(text)
    assert problem.kind == "too-deep"
    assert problem.location is not None
    assert problem.location.line == 8
    assert f"more than {MAX_DEPTH} levels" in problem.message


@pytest.mark.parametrize(
    ("scalar", "message"),
    [
        ("!!bool maybe", "'maybe' is not a valid bool"),  # KeyError inside PyYAML
        ("!!timestamp notadate", "'notadate' is not a valid timestamp"),  # AttributeError
        ("!!timestamp 2024-13-45", "'2024-13-45' is not a valid timestamp"),  # ValueError
        ("!!int ''", "'' is not a valid int"),  # IndexError
        ("!!float ''", "'' is not a valid float"),  # IndexError
        ("!!int '-'", "'-' is not a valid int"),
        ("!!int 0x", "'0x' is not a valid int"),
        ("!!binary 'é'", "'é' is not a valid binary"),
    ],
)
def test_a_scalar_its_tag_cannot_build_is_a_problem_at_its_node(scalar: str, message: str) -> None:
    text = f"workflow_name: x\ntasks:{TASK}    description: ok\nvars: {{v: {scalar}}}\n"
    [problem] = problems_of(text)
    assert (problem.kind, problem.message) == ("bad-value", message)
    assert problem.location is not None
    assert (problem.location.line, problem.location.column) == (8, 11)
    assert problem.hint


@pytest.mark.parametrize(
    "number", ["0x" + "f" * 100_000, "1" + ":1" * 100_000, "9" * 5000, "1." + "5" * 200]
)
def test_numbers_longer_than_the_limit_are_refused_before_they_are_built(number: str) -> None:
    # 0x... and 1:1:... would build huge ints (slowly: sexagesimal is quadratic) that
    # Python cannot even print; 9999... exceeds Python's int parsing limit.
    started = time.perf_counter()
    [problem] = problems_of(
        f"workflow_name: x\ntasks:{TASK}    description: ok\nvars: {{v: {number}}}\n"
    )
    assert problem.kind == "bad-value"
    assert f"at most {MAX_NUMBER_CHARS} are allowed" in problem.message
    assert "quote the value" in problem.hint
    assert time.perf_counter() - started < 30


@pytest.mark.parametrize(
    ("text", "line", "column", "shown"),
    [
        ("workflow_name: éé\x07b\n", 1, 18, "#x0007"),
        ("a: b\nworkflow_name: ééé\x00\n", 2, 19, "#x0000"),
        ("x: \ufffe\n", 1, 4, "#xfffe"),
    ],
)
def test_characters_yaml_refuses_are_located(text: str, line: int, column: int, shown: str) -> None:
    [problem] = problems_of(text)
    assert problem.kind == "yaml-syntax"
    assert f"the character {shown} is not allowed in YAML" in problem.message
    assert str(problem.location) == f"wf.yaml:{line}:{column}"


def test_messages_quote_a_short_excerpt_of_a_huge_scalar() -> None:
    huge = "x" * 5_000_000
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(f"workflow_name: [{huge}]\ntasks: {huge}\n")
    error = str(info.value)
    assert "(5,000,000 characters)" in error
    assert len(error) < 1000


def test_locating_a_problem_per_key_of_a_huge_mapping_is_linear() -> None:
    keys = 20_000  # each an unknown param: one problem per key, each located by its path
    params = "".join(f"      k{i}: 1\n" for i in range(keys))
    text = (
        "workflow_name: x\ntasks:\n  - name: t\n    component_name: python_function\n"
        f"    outputs: [o]\n    params:\n      function: wfe_test_functions:pair\n{params}"
    )
    started = time.perf_counter()
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml")
    problems = info.value.problems
    assert (len(problems), info.value.dropped) == (MAX_PROBLEMS, keys - MAX_PROBLEMS)
    last = MAX_PROBLEMS - 1
    assert str(problems[-1].location) == f"wf.yaml:{last + 8}:{len(f'      k{last}: ') + 1}"
    assert time.perf_counter() - started < 30  # scanning the keys per problem took minutes


def test_node_locator_returns_the_deepest_existing_node() -> None:
    root = compose("a: {b: [x, y]}\n", "v.yaml")
    assert root is not None
    locator = NodeLocator(root)
    assert locator.at(("a", "b", 1)).value == "y"
    assert isinstance(locator.at(("a", "b", 7)), SequenceNode)
    assert isinstance(locator.at(("a", "nope", 1)), MappingNode)


@pytest.mark.parametrize(
    "text",
    [
        "x: *" + "a" * 1_000_000 + "\n",  # PyYAML quotes the alias's name in its message
        "x: " + "[" * 3000 + "]" * 3000,  # recursion in the pure-Python composer
        "workflow_name: a\x07\n",
    ],
    ids=["undefined-alias", "deep", "control-character"],
)
def test_without_libyaml_errors_are_located_and_short(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlsource, "_Loader", yaml.SafeLoader)  # PyYAML built without libyaml
    [problem] = problems_of(text)
    assert problem.kind == "yaml-syntax"
    assert problem.location is not None
    assert len(str(problem)) < 600

"""${name} and ${name:-default}: wfe.variables, through wfe.loads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

import wfe
from wfe.variables import EXPANSION_ALLOWANCE, typed_scalar


def workflow(kwargs: str, vars_block: str = "") -> str:
    return (
        f"workflow_name: vars_test\n{vars_block}"
        "tasks:\n  - name: t\n    component_name: python_function\n"
        f"    params: {{function: 'wfe_test_functions:const', kwargs: {{value: {kwargs}}}}}\n"
        "    outputs: [out]\n"
    )


def value(
    text: str, overrides: dict[str, str] | None = None, environ: dict[str, str] | None = None
) -> Any:
    loaded = wfe.loads(text, overrides, environ=environ or {})
    return loaded.spec.tasks[0].params["kwargs"]["value"]


VARS = "vars:\n  size: 10\n  root: data\n  name: churn\n"


def test_resolution_order_cli_then_environment_then_vars_then_inline() -> None:
    text = workflow('"${root}"', VARS)
    assert value(text) == "data"
    assert value(text, environ={"root": "env_root"}) == "env_root"
    assert value(text, {"root": "cli_root"}, environ={"root": "env_root"}) == "cli_root"
    inline = workflow('"${other:-fallback}"', VARS)
    assert value(inline) == "fallback"
    assert value(inline, environ={"other": "from_env"}) == "from_env"


def test_a_whole_value_reference_keeps_the_type() -> None:
    text = workflow('"${size}"', VARS)
    assert value(text) == 10
    assert value(text, {"size": "200"}) == 200
    assert value(text, environ={"size": "0.5"}) == 0.5
    assert value(workflow("'${flag:-true}'")) is True


def test_references_inside_text_are_substituted_as_text() -> None:
    text = workflow('"${root}/${name}-${size}.csv"', VARS)
    assert value(text) == "data/churn-10.csv"
    assert value(text, {"size": "3"}) == "data/churn-3.csv"


def test_dollar_dollar_escapes_a_literal_reference() -> None:
    assert value(workflow('"cost: $${price} in ${root}"', VARS)) == "cost: ${price} in data"


def test_vars_may_refer_to_other_vars() -> None:
    text = workflow('"${path}"', "vars:\n  root: /data\n  path: ${root}/raw.csv\n")
    assert value(text) == "/data/raw.csv"
    assert value(text, {"root": "s3://bucket"}) == "s3://bucket/raw.csv"


def test_variable_cycle_is_reported() -> None:
    text = workflow('"${a}"', "vars:\n  a: ${b}\n  b: x${a}\n")
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, environ={})
    assert "variable-cycle" in info.value.kinds
    assert "a -> b -> a" in str(info.value)


def test_unresolved_variable_names_position_and_fix() -> None:
    text = workflow('"${data_rot}/x.csv"', "vars:\n  data_root: d\n")
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml", environ={})
    [problem] = info.value.problems
    assert problem.kind == "unresolved-variable"
    column = text.splitlines()[6].index('"${data_rot}') + 1
    assert str(problem.location) == f"wf.yaml:7:{column}"
    assert "did you mean 'data_root'?" in problem.hint
    assert "--var data_rot=VALUE" in problem.hint


@pytest.mark.parametrize("written", ["${__import__('os').system('echo hi')}", "${a b}", "${}"])
def test_references_are_names_never_code(written: str) -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(workflow(f'"{written}"'), environ={})
    assert info.value.kinds == ["bad-variable"]


def test_unclosed_reference_is_reported() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(workflow('"${root"', VARS), environ={})
    assert info.value.kinds == ["bad-variable"]
    assert "unclosed" in str(info.value)


def test_unused_command_line_variable_is_an_error_with_a_hint() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(workflow('"${root}"', VARS), {"rot": "x"}, environ={})
    [problem] = info.value.problems
    assert problem.kind == "unknown-variable"
    assert "did you mean 'root'?" in problem.hint


def test_resolved_variables_are_recorded_in_the_spec() -> None:
    loaded = wfe.loads(workflow('"${root}/${name}"', VARS), {"name": "x"}, environ={})
    assert dict(loaded.spec.vars) == {"root": "data", "name": "x"}


def test_typed_scalar_reads_only_scalars() -> None:
    assert typed_scalar("3") == 3
    assert typed_scalar("no") is False
    assert typed_scalar("[1, 2]") == "[1, 2]"
    assert typed_scalar("s3://bucket/key") == "s3://bucket/key"
    assert typed_scalar("2024-01-01") == "2024-01-01"


def test_a_long_chain_of_variables_resolves_without_recursion() -> None:
    length = 5_000  # Python's recursion limit is 1,000 frames
    chain = "".join(f"  v{i}: ${{v{i + 1}}}\n" for i in range(length)) + f"  v{length}: end\n"
    assert value(workflow('"${v0}"', "vars:\n" + chain)) == "end"


def test_a_long_cycle_is_reported_with_its_path_cut_in_the_middle() -> None:
    length = 2_000
    chain = "".join(f"  v{i}: ${{v{(i + 1) % length}}}\n" for i in range(length))
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(workflow('"${v0}"', "vars:\n" + chain), environ={})
    [problem] = info.value.problems
    assert problem.kind == "variable-cycle"
    assert "v0 -> v1 -> v2 -> v3 -> v4 -> ... (1,990 more) -> v1995" in problem.message
    assert problem.message.endswith("v1999 -> v0")


def bomb(levels: int, fan_out: int) -> str:
    """Each variable refers ``fan_out`` times to the one before: ``fan_out ** levels``
    copies of ``v0`` in the last one, from a few hundred bytes."""
    lines = ["  v0: abcdefghij"]
    lines += [f"  v{i}: '" + f"${{v{i - 1}}}" * fan_out + "'" for i in range(1, levels + 1)]
    return workflow(f'"${{v{levels}}}"', "vars:\n" + "\n".join(lines) + "\n")


def test_a_variable_bomb_is_refused_at_the_node_being_expanded() -> None:
    text = bomb(9, 10)  # 10**9 copies: 10 GB of text if expanded
    assert len(text) < 1000
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml", environ={})
    [problem] = info.value.problems
    assert problem.kind == "expansion-limit"
    assert problem.task == "t"  # whose value set off the expansion
    assert "expand to far more text than the file holds" in problem.message
    assert problem.location is not None
    assert problem.location.file == "wf.yaml"
    assert text.splitlines()[problem.location.line - 1].lstrip().startswith("v")


def test_each_default_is_resolved_once_so_repeated_references_stay_cheap() -> None:
    # Without memoising, v12 would take 2**12 lookups of v0; with it, 2 per variable.
    text = bomb(12, 2)
    assert value(text) == "abcdefghij" * 2**12


def test_the_expansion_budget_grows_with_the_text() -> None:
    big = "x" * EXPANSION_ALLOWANCE  # the budget is 2 * len(text) + EXPANSION_ALLOWANCE
    twice = workflow('"${a}${a}"', f"vars:\n  a: {big}\n")
    assert value(twice) == big * 2
    with pytest.raises(wfe.DefinitionError, match="expand to far more text"):
        wfe.loads(workflow('"${a}${a}${a}${a}"', f"vars:\n  a: {big}\n"), environ={})


@pytest.mark.parametrize("name", ["a-b", "1a", "a b", "x" * 129])
def test_vars_keys_must_be_variable_names(name: str) -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(workflow("1", f"vars:\n  '{name}': 1\n"), source="wf.yaml", environ={})
    [problem] = info.value.problems
    assert problem.kind == "bad-name"
    assert str(problem.location) == "wf.yaml:3:3"
    assert "letters, digits or '_'" in problem.hint


def test_a_reference_to_an_overlong_name_is_not_a_reference() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(workflow(f'"${{{"x" * 5000}}}"'), environ={})
    assert info.value.kinds == ["bad-variable"]
    assert "(5,003 characters)" in str(info.value)


def test_typed_scalar_leaves_what_yaml_cannot_build_as_text() -> None:
    assert typed_scalar("0x" + "f" * 500) == "0x" + "f" * 500
    assert typed_scalar("1" * 5000) == "1" * 5000


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        3,
        2.5,
        None,
        "text",
        datetime.date(2026, 11, 25),
        datetime.datetime(2026, 1, 2, 3, 4),
    ],
)
def test_python_values_of_every_yaml_scalar_type_are_taken_as_they_are(value: object) -> None:
    text = (
        "workflow_name: typed\nvars: {threshold: 0.75}\ntasks:\n"
        "  - {name: t, component_name: python_function, outputs: [o],"
        " params: {function: 'wfe_test_functions:const', kwargs: {value: '${threshold}'}}}\n"
    )
    workflow = wfe.loads(text, vars={"threshold": value})
    assert workflow.spec.tasks[0].params["kwargs"]["value"] == value
    assert workflow.run().results == {"o": value}


def test_text_given_as_vars_is_read_as_a_yaml_scalar_like_the_command_line() -> None:
    text = (
        "workflow_name: typed\nvars: {n: 1}\ntasks:\n"
        "  - {name: t, component_name: python_function, outputs: [o],"
        " params: {function: 'wfe_test_functions:const', kwargs: {value: '${n}'}}}\n"
    )
    assert wfe.loads(text, vars={"n": "200"}).spec.tasks[0].params["kwargs"]["value"] == 200


def test_a_list_or_mapping_as_a_variable_is_a_definition_error() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads("workflow_name: x\ntasks: []\n", vars={"a": [1], "b": {"k": 1}})
    assert [p.kind for p in info.value.problems] == ["bad-variable", "bad-variable"]
    assert "vars['a'] is a list" in str(info.value)


@pytest.mark.parametrize("default", ["${b}", "${b:-x}", "prefix ${b} suffix"])
def test_a_variable_that_refers_to_itself_is_a_cycle_not_a_crash(default: str) -> None:
    text = (
        f"workflow_name: x\nvars:\n  b: '{default}'\ntasks:\n"
        "  - {name: t, component_name: python_function, outputs: [o],"
        " params: {function: 'wfe_test_functions:const', kwargs: {value: '${b}'}}}\n"
    )
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text)
    assert info.value.kinds == ["variable-cycle"]
    assert "variables refer to each other in a cycle: b -> b" in str(info.value)

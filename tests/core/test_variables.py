"""${name} and ${name:-default}: wfe.variables, through wfe.loads."""

from __future__ import annotations

from typing import Any

import pytest

import wfe
from wfe.variables import typed_scalar


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

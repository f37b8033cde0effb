"""The built-in python_function component: wfe.python_function."""

from __future__ import annotations

import pytest

import wfe


def one_task(function: str, outputs: str = "[out]", extra: str = "") -> str:
    return (
        "workflow_name: pf\ntasks:\n  - name: call\n    component_name: python_function\n"
        f"    params: {{function: '{function}'{extra}}}\n    outputs: {outputs}\n"
    )


def test_inputs_are_keyword_arguments_and_one_output_is_the_value() -> None:
    text = (
        "workflow_name: pf\ntasks:\n"
        "  - {name: two, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [a, b]}\n"
        "  - {name: sum, component_name: python_function, params: {function: 'wfe_test_functions:add'},"
        " inputs: {a: a, b: b}, outputs: [total]}\n"
        "  - {name: kw, component_name: python_function,"
        " params: {function: 'wfe_test_functions:const', kwargs: {value: [1, 2]}}, outputs: [same]}\n"
    )
    assert wfe.loads(text).run().results == {"total": 3, "same": [1, 2]}


def test_several_outputs_from_a_mapping() -> None:
    result = wfe.loads(one_task("wfe_test_functions:as_mapping", "[right, left]")).run()
    assert result.results == {"left": 1, "right": 2}


def test_a_malformed_function_path_is_a_definition_error() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(one_task("wfe_test_functions.inc"), source="wf.yaml")
    [problem] = info.value.problems
    assert problem.kind == "bad-param"
    assert "is not of the form 'package.module:callable'" in problem.message
    assert str(problem.location) == "wf.yaml:5:24"


def test_a_missing_module_is_caught_at_validate_time() -> None:
    with pytest.raises(wfe.DefinitionError, match="no module named 'no_such_module_xyz'"):
        wfe.loads(one_task("no_such_module_xyz:f"))


def test_a_missing_attribute_fails_the_task_with_its_name() -> None:
    [error] = wfe.loads(one_task("wfe_test_functions:no_such_function")).run().errors
    assert "task 'call' (component 'python_function')" in str(error)
    assert "no_such_function" in str(error)


def test_a_non_callable_fails_the_task() -> None:
    [error] = wfe.loads(one_task("wfe_test_functions:NOT_CALLABLE")).run().errors
    assert "is a int, not a callable" in str(error)


def test_a_wrong_number_of_returned_values_names_the_outputs() -> None:
    [error] = wfe.loads(one_task("wfe_test_functions:pair", "[a, b, c]")).run().errors
    assert "declares 3 outputs ['a', 'b', 'c'] but returned 2 values" in str(error)


def test_kwargs_must_be_a_mapping() -> None:
    with pytest.raises(wfe.DefinitionError, match="param 'kwargs' must be a mapping"):
        wfe.loads(one_task("wfe_test_functions:const", extra=", kwargs: [1]"))

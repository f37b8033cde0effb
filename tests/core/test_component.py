"""The component contract and declared schemas: wfe.component."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import pytest

import wfe
from wfe import Component, Input, Param, map_outputs
from wfe.component import check_task_definition

from .conftest import MakePlugins


class Loader(Component):
    """Load something."""

    params_schema = {
        "path": Param(str, doc="where to read"),
        "nrows": Param(int, default=None),
        "ratio": Param(float, default=0.5),
        "mode": Param(str, default="fast", choices=("fast", "safe")),
        "header": Param(str, default="yes"),
    }
    inputs_schema = {"frame": Input("the data"), "extra": Input(required=False)}
    outputs_schema = {"result": "what it produced"}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        if str(params.get("path", "")).endswith(".exe"):
            yield "path", "path must not be an executable"

    def run(self, frame: Any, extra: Any = None) -> dict[str, Any]:
        return dict(self.params)


def check(**task: Any) -> list[tuple[str, str, tuple[str | int, ...]]]:
    problems = check_task_definition(
        Loader,
        component_name="loader",
        task="t",
        index=0,
        params=task.get("params", {}),
        inputs=task.get("inputs", {"frame": "x"}),
        outputs=task.get("outputs", ["o"]),
    )
    return [(p.kind, p.message, p.path) for p in problems]


def test_a_valid_task_has_no_problems() -> None:
    assert check(params={"path": "a.csv", "nrows": 5, "ratio": 1, "mode": "safe"}) == []


def test_unknown_missing_and_wrongly_typed_params() -> None:
    found = check(params={"pth": "a.csv", "nrows": "5", "ratio": True, "mode": "quick"})
    kinds = sorted(k for k, _, _ in found)
    assert kinds == ["bad-param", "bad-param", "bad-param", "missing-param", "unknown-param"]
    text = "\n".join(m for _, m, _ in found)
    assert "unknown param 'pth'" in text
    assert "param 'nrows' must be an integer, got the string '5'" in text
    assert "param 'ratio' must be a number, got the boolean true" in text
    assert "param 'mode' must be one of 'fast', 'safe', got 'quick'" in text
    assert "missing required param 'path'" in text
    assert ("unknown-param", "unknown param 'pth'", ("tasks", 0, "params", "pth")) in found


def test_yaml_boolean_for_a_string_param_gets_a_quoting_hint() -> None:
    [problem] = check_task_definition(
        Loader,
        component_name="loader",
        task="t",
        index=0,
        params={"path": "a", "header": False},
        inputs={"frame": "x"},
        outputs=["o"],
    )
    assert "quote the value" in problem.hint


def test_inputs_and_outputs_are_checked_against_the_schema() -> None:
    found = check(params={"path": "a"}, inputs={"frme": "x"}, outputs=["a", "b"])
    assert {k for k, _, _ in found} == {"unknown-input", "missing-input", "wrong-outputs"}
    text = "\n".join(m for _, m, _ in found)
    assert "component takes no input named 'frme'" in text
    assert "produces 1 output(s) (result) but the task declares 2" in text


def test_validate_params_adds_component_specific_checks() -> None:
    assert check(params={"path": "tool.exe"}) == [
        ("bad-param", "path must not be an executable", ("tasks", 0, "params", "path"))
    ]


def test_defaults_are_applied_and_run_result_is_mapped(make_plugins: MakePlugins) -> None:
    workflow = wfe.loads(
        "workflow_name: c\ntasks:\n"
        "  - {name: src, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [x, y]}\n"
        "  - {name: t, component_name: loader, params: {path: a.csv}, inputs: {frame: x}, outputs: [o]}\n",
        plugins=make_plugins(loader=Loader),
    )
    result = workflow.run()
    assert result.ok, result.errors
    assert result.results["o"] == {
        "path": "a.csv",
        "nrows": None,
        "ratio": 0.5,
        "mode": "fast",
        "header": "yes",
    }


def test_schema_problems_fail_loading_with_positions(make_plugins: MakePlugins) -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(
            "workflow_name: c\ntasks:\n  - name: t\n    component_name: loader\n"
            "    params:\n      path: a.csv\n      nrows: ten\n    outputs: [o]\n",
            source="wf.yaml",
            plugins=make_plugins(loader=Loader),
        )
    text = str(info.value)
    assert "wf.yaml:7:14: task 't': param 'nrows' must be an integer, got the string 'ten'" in text
    assert "wf.yaml:3:5: task 't': missing required input 'frame'" in text


def test_map_outputs() -> None:
    assert map_outputs("v", ["a"]) == {"a": "v"}
    assert map_outputs((1, 2), ["a"]) == {"a": (1, 2)}
    assert map_outputs((1, 2), ["a", "b"]) == {"a": 1, "b": 2}
    assert map_outputs({"b": 2, "a": 1}, ["a", "b"]) == {"a": 1, "b": 2}
    assert map_outputs("ignored", []) == {}
    with pytest.raises(wfe.OutputMismatchError, match="declares 2 outputs"):
        map_outputs((1, 2, 3), ["a", "b"])
    with pytest.raises(wfe.OutputMismatchError, match=r"missing \['b'\], unexpected \['c'\]"):
        map_outputs({"a": 1, "c": 3}, ["a", "b"])


def test_run_must_be_implemented() -> None:
    class Empty(Component):
        pass

    with pytest.raises(NotImplementedError, match="Empty must implement run"):
        Empty({}, ["o"], {}).execute()


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("kind", [float, int, (int, str), (float, str)])
def test_no_number_param_accepts_nan_or_infinity(value: float, kind: type) -> None:
    message, hint = Param(kind).check(value) or ("", "")
    if kind in (int, (int, str)):
        assert message.startswith("must be an integer")  # a float is not an int anyway
    else:
        assert message.startswith("must be a finite number, got ")
        assert "-.inf" in message if value < 0 else ("." in message)
        assert ".nan and .inf are not allowed" in hint
    assert Param(object).check(value) is None  # "any value" stays any value


def test_maximum_and_minimum_bound_numbers() -> None:
    param = Param(float, minimum=0, maximum=10)
    assert param.check(10) is None
    assert param.check(0.0) is None
    assert param.check(10.5) == ("must be at most 10, got 10.5", "use a number from 0 to 10")
    assert param.check(-1) == ("must be at least 0, got -1", "use a number from 0 to 10")
    assert Param(int, maximum=5).check(10**5000) == (
        "must be at most 5, got (an int of 16,610 bits)",
        "use a number at most 5",
    )


def test_component_params_are_refused_as_nan_where_they_are_written(
    make_plugins: MakePlugins,
) -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(
            "workflow_name: c\ntasks:\n  - name: t\n    component_name: loader\n"
            "    params: {path: a.csv, ratio: .nan}\n    inputs: {frame: s3://x}\n    outputs: [o]\n",
            source="wf.yaml",
            plugins=make_plugins(loader=Loader),
        )
    assert str(info.value.problems[0]) == (
        "wf.yaml:5:34: task 't': param 'ratio' must be a finite number, got .nan\n"
        "    fix: write an ordinary number: .nan and .inf are not allowed here"
    )


def test_messages_quote_user_keys_and_values_briefly() -> None:
    found = check(params={"p" * 10_000: 1, "mode": "m" * 10_000, "path": "x"})
    text = "\n".join(m for _, m, _ in found)
    assert "(10,000 characters)" in text
    assert len(text) < 500


class Validated(Component):
    params_schema = {"n": Param(int)}
    calls: ClassVar[list[Any]] = []

    @classmethod
    def validate_task(
        cls, params: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> Iterable[tuple[tuple[str | int, ...], str, str]]:
        cls.calls.append((dict(params), dict(inputs)))
        yield ("inputs", "x"), "x does not suit n", "change it"


def test_validate_task_sees_params_and_inputs_once_the_params_are_right() -> None:
    def problems(params: dict[str, Any]) -> list[tuple[str, str, tuple[str | int, ...]]]:
        found = check_task_definition(
            Validated,
            component_name="v",
            task="t",
            index=2,
            params=params,
            inputs={"x": "out"},
            outputs=[],
        )
        return [(p.kind, p.message, p.path) for p in found]

    assert problems({"n": 1}) == [("bad-task", "x does not suit n", ("tasks", 2, "inputs", "x"))]
    assert Validated.calls == [({"n": 1}, {"x": "out"})]
    assert [k for k, _, _ in problems({"n": "one"})] == ["bad-param"]  # not called
    assert len(Validated.calls) == 1

"""One component run as the engine runs a task: wfe.testing.run_component."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

import wfe
from wfe import Component, Input, Param
from wfe.testing import run_component

from .conftest import MakePlugins


class Split(Component):
    """Split a text into words and count them."""

    params_schema = {"separator": Param(str, default=" ", doc="between words")}
    inputs_schema = {"text": Input("the text")}
    outputs_schema = {"words": "the words", "count": "how many"}

    def run(self, text: str) -> tuple[list[str], int]:
        words = text.split(self.params["separator"])
        if not words[0]:
            raise ValueError("the text starts with a separator")
        return words, len(words)


class SeedStyle:
    """A component without wfe's base class that returns other keys than declared."""

    def __init__(
        self, inputs: Mapping[str, Any], outputs: list[str], params: Mapping[str, Any]
    ) -> None:
        self.outputs = outputs

    def execute(self) -> dict[str, Any]:
        return {"surprise": 1}


def test_a_class_runs_with_its_declared_outputs_and_param_defaults() -> None:
    assert run_component(Split, {"text": "a b c"}) == {"words": ["a", "b", "c"], "count": 3}
    assert run_component(Split, {"text": "a,b"}, {"separator": ","}, outputs=["w", "n"]) == {
        "w": ["a", "b"],
        "n": 2,
    }


def test_an_installed_component_runs_by_name() -> None:
    outputs = run_component(
        "python_function", {"a": 2, "b": 3}, {"function": "wfe_test_functions:add"}, outputs=["sum"]
    )
    assert outputs == {"sum": 5}


def test_a_registered_component_runs_from_given_plugins(make_plugins: MakePlugins) -> None:
    assert run_component("split", {"text": "x y"}, plugins=make_plugins(split=Split)) == {
        "words": ["x", "y"],
        "count": 2,
    }


def test_the_task_is_checked_against_the_schema_first() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        run_component(Split, {"txt": "a b"}, {"separatr": ",", "separator": 1})
    assert info.value.kinds == ["unknown-param", "bad-param", "unknown-input", "missing-input"]
    text = str(info.value)
    assert "unknown param 'separatr'" in text
    assert "did you mean 'separator'?" in text
    assert "param 'separator' must be a string, got the int 1" in text
    assert "missing required input 'text'" in text
    with pytest.raises(wfe.DefinitionError, match=r"produces 2 output\(s\) \(words, count\)"):
        run_component(Split, {"text": "a"}, outputs=["only_one"])


def test_the_component_s_own_exception_is_raised_as_itself() -> None:
    with pytest.raises(ValueError, match="starts with a separator"):
        run_component(Split, {"text": " a"})


def test_outputs_are_checked_as_the_engine_checks_them() -> None:
    with pytest.raises(
        wfe.OutputMismatchError, match=r"missing \['a'\], unexpected \['surprise'\]"
    ):
        run_component(SeedStyle, outputs=["a"])


def test_bad_calls_say_what_to_pass() -> None:
    with pytest.raises(TypeError, match=r"declares no outputs_schema, .*: pass outputs=\[...\]"):
        run_component(SeedStyle)
    with pytest.raises(TypeError, match="takes a list of names, got the string 'words'"):
        run_component(Split, {"text": "a"}, outputs="words")
    with pytest.raises(TypeError, match="takes a component's name or class, got int"):
        run_component(3)  # type: ignore[arg-type]
    with pytest.raises(wfe.DefinitionError) as info:
        run_component("python_functon")
    assert "no component named 'python_functon' is installed" in str(info.value)
    assert "did you mean 'python_function'?" in str(info.value)

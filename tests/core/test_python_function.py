"""The built-in python_function component: wfe.python_function."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import wfe

WriteModule = Callable[[str], str]


@pytest.fixture
def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WriteModule]:
    """``write_module(source)``: a new module (unique name) on sys.path for this test;
    returns its name. ``write_module(source, "pkg/__init__.py")`` writes a package file."""
    monkeypatch.syspath_prepend(str(tmp_path))
    prefix = f"m{uuid.uuid4().hex[:8]}"

    def write(source: str, relative: str = "") -> str:
        path = tmp_path / (relative.replace("PKG", prefix) if relative else f"{prefix}.py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return prefix

    yield write
    for name in [n for n in sys.modules if n == prefix or n.startswith(prefix + ".")]:
        del sys.modules[name]


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


def test_a_missing_function_is_caught_at_validate_time_with_a_hint() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(one_task("wfe_test_functions:pari"), source="wf.yaml")
    [problem] = info.value.problems
    assert problem.kind == "bad-task"
    assert "module 'wfe_test_functions'" in problem.message
    assert "wfe_test_functions.py) defines no 'pari'" in problem.message
    assert problem.hint == "did you mean 'pair'?"
    assert str(problem.location) == "wf.yaml:5:24"


def test_a_name_the_source_cannot_show_fails_the_task_with_its_name(
    write_module: WriteModule,
) -> None:
    module = write_module("globals()['made_at_import'] = len\n")  # no statement binds it
    [error] = wfe.loads(one_task(f"{module}:no_such_function")).run().errors
    assert "task 'call' (component 'python_function')" in str(error)
    assert f"'{module}' has no attribute 'no_such_function'" in str(error)


def test_a_non_callable_fails_the_task() -> None:
    [error] = wfe.loads(one_task("wfe_test_functions:NOT_CALLABLE")).run().errors
    assert "is a int, not a callable" in str(error)


def test_a_wrong_number_of_returned_values_names_the_outputs() -> None:
    [error] = wfe.loads(one_task("wfe_test_functions:pair", "[a, b, c]")).run().errors
    assert "declares 3 outputs ['a', 'b', 'c'] but returned 2 values" in str(error)


def test_kwargs_must_be_a_mapping() -> None:
    with pytest.raises(wfe.DefinitionError, match="param 'kwargs' must be a mapping"):
        wfe.loads(one_task("wfe_test_functions:const", extra=", kwargs: [1]"))


FUNCTIONS = """\
import functools

def plain(a, b=1): ...
def keyword_only(a, *, flag): ...
def any_keyword(a, **options): ...
def positional_only(a, /, b): ...
def optional_positional_only(a=1, /, b=2): ...
async def coroutine(a): ...

@functools.cache
def decorated(a): ...

class Thing:
    def __init__(self, a): ...

alias = plain
"""


def task_calling(module: str, function: str, inputs: str = "", kwargs: str = "") -> str:
    return (
        "workflow_name: pf\ntasks:\n"
        "  - {name: src, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [x, y]}\n"
        "  - name: call\n    component_name: python_function\n"
        f"    params: {{function: '{module}:{function}'{', kwargs: ' + kwargs if kwargs else ''}}}\n"
        + (f"    inputs: {inputs}\n" if inputs else "")
        + "    outputs: [out]\n"
    )


def call_problems(text: str) -> list[tuple[str, str, str]]:
    try:
        wfe.loads(text, source="wf.yaml")
    except wfe.DefinitionError as error:
        return [(p.message, p.hint, str(p.location)) for p in error.problems]
    return []


@pytest.mark.parametrize(
    ("function", "inputs", "kwargs"),
    [
        ("plain", "{a: x}", ""),
        ("plain", "{a: x}", "{b: 2}"),
        ("keyword_only", "{a: x}", "{flag: true}"),
        ("any_keyword", "{a: x, anything: y}", "{more: 1}"),
        ("optional_positional_only", "{b: x}", ""),
        ("coroutine", "{a: x}", ""),
        ("decorated", "{whatever: x}", ""),  # a decorator may change the signature
        ("Thing", "{whatever: x}", ""),  # classes are checked when run
        ("alias", "{whatever: x}", ""),  # bound by assignment: not followed
    ],
)
def test_calls_that_fit_the_signature_or_cannot_be_judged_validate(
    write_module: WriteModule, function: str, inputs: str, kwargs: str
) -> None:
    module = write_module(FUNCTIONS)
    assert call_problems(task_calling(module, function, inputs, kwargs)) == []
    assert module not in sys.modules  # validation read the source, imported nothing


def test_required_arguments_nothing_gives_are_reported(write_module: WriteModule) -> None:
    module = write_module(FUNCTIONS)
    [(message, hint, location)] = call_problems(task_calling(module, "keyword_only", "{a: x}"))
    assert (
        message
        == f"function '{module}:keyword_only' needs the argument 'flag', which the task does not give"
    )
    assert "wire it under inputs: (flag: OUTPUT_OF_ANOTHER_TASK)" in hint
    assert location == "wf.yaml:7:13"  # the task's inputs


def test_unknown_argument_names_are_reported_where_they_are_written(
    write_module: WriteModule,
) -> None:
    module = write_module(FUNCTIONS)
    found = call_problems(task_calling(module, "plain", "{a: x, bb: y}", "{c: 1}"))
    assert found == [
        (
            f"function '{module}:plain' takes no argument named 'c'",
            "it takes: a, b",
            "wf.yaml:6:55",
        ),
        (
            f"function '{module}:plain' takes no argument named 'bb'",
            "did you mean 'b'?",
            "wf.yaml:7:24",
        ),
    ]


def test_positional_only_parameters_cannot_be_given_by_name(write_module: WriteModule) -> None:
    module = write_module(FUNCTIONS)
    found = call_problems(task_calling(module, "positional_only", "{a: x, b: y}"))
    messages = [m for m, _, _ in found]
    assert messages == [
        f"function '{module}:positional_only' has the positional-only parameter 'a' without a "
        "default; python_function passes every argument by name",
        f"function '{module}:positional_only' takes 'a' as a positional-only parameter",
    ]


def test_an_argument_given_twice_or_a_non_string_kwargs_key_is_reported() -> None:
    found = call_problems(task_calling("wfe_test_functions", "add", "{a: x, b: y}", "{a: 1, 2: 3}"))
    assert [m for m, _, _ in found] == [
        "the keys of kwargs must be strings, got the int 2",
        "argument 'a' is given twice: as an input and in kwargs",
    ]


def test_a_module_with_a_syntax_error_is_reported_with_its_file_and_line(
    write_module: WriteModule,
) -> None:
    module = write_module("def ok(a):\n    return a\n\ndef broken(:\n")
    [(message, hint, _)] = call_problems(task_calling(module, "ok", "{a: x}"))
    assert message.startswith(f"module '{module}' cannot be imported: ")
    assert f"{module}.py:4: " in message
    assert hint == "fix the module's source"


def test_validation_never_imports_the_package(write_module: WriteModule) -> None:
    package = write_module(
        "raise RuntimeError('the package ran at validation')\n", "PKG/__init__.py"
    )
    write_module("def f(a):\n    return a\n", "PKG/steps.py")
    workflow = wfe.loads(task_calling(f"{package}.steps", "f", "{a: x}"))
    assert package not in sys.modules
    [error] = workflow.run().errors  # importing runs __init__: a clear task error
    assert isinstance(error.__cause__, ImportError)
    assert (
        f"cannot import module '{package}.steps' for '{package}.steps:f': RuntimeError: the package ran at validation"
        in str(error)
    )
    assert isinstance(error.__cause__.__cause__, RuntimeError)


def test_a_missing_submodule_of_an_existing_package_is_named(write_module: WriteModule) -> None:
    package = write_module("", "PKG/__init__.py")
    with pytest.raises(wfe.DefinitionError, match=f"no module named '{package}.nope'"):
        wfe.loads(task_calling(f"{package}.nope", "f"))


def test_a_function_bound_by_a_star_import_is_left_to_the_run(write_module: WriteModule) -> None:
    module = write_module("from json import *\n")
    assert call_problems(task_calling(module, "loads", "", "{s: '[1]'}")) == []


@pytest.mark.parametrize("function", ["json:loads", "binascii:hexlify"])
def test_standard_library_functions_work_with_and_without_source(function: str) -> None:
    argument = "s: '[1, 2]'" if function == "json:loads" else "data: !!binary YWI="
    text = (
        "workflow_name: pf\ntasks:\n  - name: call\n    component_name: python_function\n"
        f"    params: {{function: '{function}', kwargs: {{{argument}}}}}\n    outputs: [out]\n"
    )
    result = wfe.loads(text).run()
    assert result.ok, result.errors
    assert result.results["out"] in ([1, 2], b"6162")


def test_json_loads_without_its_argument_is_caught_from_the_standard_library_source() -> None:
    with pytest.raises(wfe.DefinitionError, match="needs the argument 's'"):
        wfe.loads(one_task("json:loads"))

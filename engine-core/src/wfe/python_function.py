"""``python_function``: wire an existing Python function into a workflow.

::

    - name: clean
      component_name: python_function
      params:
        function: my_package.cleaning:drop_outliers   # "module:callable"
        kwargs: {threshold: 3.0}                      # optional constant arguments
      inputs: {frame: raw_df}                         # passed as keyword arguments
      outputs: [clean_df]

The function's return value is mapped onto the declared outputs: with one output it
is the value itself; with several, a tuple of that length or a mapping keyed by the
output names. ``wfe.load`` (and so ``wfe run``) can import modules that sit next to the
workflow file.

Validation imports nothing: it reads the module's source (:mod:`wfe.pysource`) and
checks that the function exists and that the task's inputs and ``kwargs`` fit its
parameters. What the source cannot tell is checked when the task runs.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping
from importlib.machinery import ModuleSpec
from typing import Any

from wfe.component import Component, Param, map_outputs
from wfe.errors import PolicyError
from wfe.policy import callable_refusal, function_refusal
from wfe.pysource import ModuleFacts, NotFound, Parameters, Unreadable, find_module, module_facts
from wfe.quoting import describe_value, quote
from wfe.suggest import did_you_mean

__all__ = ["PythonFunction", "resolve_function"]


def _split(path: str) -> tuple[str, str] | None:
    module, sep, attribute = path.partition(":")
    if not sep or not module or not attribute:
        return None
    if not all(p.isidentifier() for p in (*module.split("."), *attribute.split("."))):
        return None
    return module, attribute


def _path_problem(path: str) -> str | None:
    """Why ``path`` cannot name a callable, checked without importing anything."""
    parts = _split(path)
    if parts is None:
        return f"{quote(path)} is not of the form 'package.module:callable'"
    found = find_module(parts[0])
    if isinstance(found, NotFound):
        return (
            f"no module named {quote(found.name)} (is it installed, or next to the workflow file?)"
        )
    return None


@functools.lru_cache(maxsize=1024)
def resolve_function(path: str) -> Callable[..., Any]:
    """Import ``"package.module:callable"`` and return the callable.

    A module that fails to import is an ``ImportError`` naming the module and carrying
    its own error (as ``__cause__`` and in the message).
    """
    parts = _split(path)
    if parts is None:
        raise ValueError(f"{quote(path)} is not of the form 'package.module:callable'")
    module, attributes = parts
    try:
        obj: Any = importlib.import_module(module)
    except (Exception, SystemExit) as exc:  # the module's own code failed (or exited)
        raise ImportError(
            f"cannot import module {quote(module)} for {quote(path)}: {type(exc).__name__}: {exc}",
            name=module,
        ) from exc
    for name in attributes.split("."):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            hint = did_you_mean(name, [n for n in dir(obj) if not n.startswith("_")])
            raise AttributeError(
                f"{quote(path)}: {quote(getattr(obj, '__name__', module))} has no attribute "
                f"{quote(name)}" + (f"; {hint}" if hint else "")
            ) from None
    if not callable(obj):
        raise TypeError(f"{quote(path)} is a {type(obj).__name__}, not a callable")
    return obj  # type: ignore[no-any-return]


class PythonFunction(Component):
    """Call ``function(**inputs, **kwargs)`` and map its return value onto the outputs.

    Inputs are any names the function takes as keyword arguments; outputs are any
    number of names. Importing the module runs its top-level code, like any import.
    """

    params_schema = {
        "function": Param(str, doc="the callable to call, as 'package.module:callable'"),
        "kwargs": Param(dict, default=None, doc="constant keyword arguments for the call"),
    }

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        # -- the operator policy (wfe.policy), first: a refused module is never looked up
        if refused := function_refusal(params.get("function")):
            return [("function", refused)]
        # --
        problem = _path_problem(params["function"]) if "function" in params else None
        return [("function", problem)] if problem else []

    @classmethod
    def code_identity(cls, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """The function's module file, hashed (found on ``sys.path`` without importing
        it), so that editing the function gives the task a new fingerprint."""
        from wfe.sources import module_digest

        parts = _split(str(params.get("function", "")))
        return {"function": params["function"], **module_digest(parts[0])} if parts else {}

    @classmethod
    def validate_task(
        cls, params: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> Iterable[tuple[tuple[str | int, ...], str, str]]:
        """The function exists and the inputs and ``kwargs`` fit its parameters, as far
        as its module's source shows (see :func:`call_problems`)."""
        return call_problems(params["function"], inputs, params.get("kwargs") or {})

    def execute(self) -> dict[str, Any]:
        reference = self.params["function"]
        function = resolve_function(reference)
        refusal = callable_refusal(function, reference)
        if refusal is not None:
            raise PolicyError(refusal)
        kwargs = self.params["kwargs"]
        result = function(**self.inputs, **kwargs) if kwargs else function(**self.inputs)
        return map_outputs(result, self.outputs)


Where = tuple[str | int, ...]


def call_problems(
    path: str, inputs: Mapping[str, Any], kwargs: Mapping[Any, Any]
) -> list[tuple[Where, str, str]]:
    """What is wrong with calling ``path`` as ``function(**inputs, **kwargs)``, read from
    the module's source: ``(where in the task, message, hint)`` per problem.

    Reports a function the module does not define (with "did you mean"), required
    parameters nothing gives, names the function does not take (unless it takes
    ``**kwargs``), positional-only parameters, which no call by name can fill, and
    arguments given twice. Stays silent on what the source cannot tell.
    """
    problems = _kwargs_problems(inputs, kwargs)
    parts = _split(path)
    if parts is None:
        return problems
    module, attributes = parts
    facts = module_facts(module)
    if isinstance(facts, Unreadable):
        problems.append(
            (
                ("params", "function"),
                f"module {quote(module)} cannot be imported: {facts.message}",
                "fix the module's source",
            )
        )
    if not isinstance(facts, ModuleFacts):
        return problems  # unknown, or not found (validate_params reports that)
    name = attributes.split(".")[0]
    if name not in facts.bound:
        if facts.complete and not _is_submodule(facts, name):
            hint = did_you_mean(name, facts.listed) or (
                f"define it in {facts.file}, or correct the name after ':'"
            )
            message = f"module {quote(module)} ({facts.file}) defines no {quote(name)}"
            problems.append((("params", "function"), message, hint))
        return problems
    signature = facts.functions.get(name)
    if signature is not None and "." not in attributes:
        given = [*inputs, *(k for k in kwargs if isinstance(k, str) and k not in inputs)]
        problems += _signature_problems(path, signature, given, inputs)
    return problems


def _kwargs_problems(
    inputs: Mapping[str, Any], kwargs: Mapping[Any, Any]
) -> list[tuple[Where, str, str]]:
    problems: list[tuple[Where, str, str]] = []
    for key in kwargs:
        if not isinstance(key, str):
            message = f"the keys of kwargs must be strings, got {describe_value(key)}"
            problems.append((("params", "kwargs"), message, "quote the key"))
        elif key in inputs:
            problems.append(
                (
                    ("params", "kwargs", key),
                    f"argument {quote(key)} is given twice: as an input and in kwargs",
                    "remove one of them",
                )
            )
    return problems


def _is_submodule(facts: ModuleFacts, name: str) -> bool:
    """True when ``name`` is a submodule of the package ``facts`` describes (importing
    it elsewhere makes it an attribute of the package)."""
    if not facts.file.endswith("__init__.py"):
        return False
    return isinstance(find_module(f"{facts.name}.{name}"), ModuleSpec)


def _signature_problems(
    path: str, signature: Parameters, given: list[str], inputs: Mapping[str, Any]
) -> list[tuple[Where, str, str]]:
    function = f"function {quote(path)}"
    problems: list[tuple[Where, str, str]] = [
        (
            ("params", "function"),
            f"{function} has the positional-only parameter {quote(name)} without a default; "
            "python_function passes every argument by name",
            "give it a default, remove the '/' from the signature, or wrap the function",
        )
        for name in signature.positional_only
    ]
    if not signature.any_keyword:
        accepted = set(signature.names)
        positional_only = {*signature.positional_only, *signature.positional_only_optional}
        for name in given:
            if name in accepted:
                continue
            where: Where = ("inputs", name) if name in inputs else ("params", "kwargs", name)
            if name in positional_only:
                message = f"{function} takes {quote(name)} as a positional-only parameter"
                hint = "it cannot be passed by name: remove the '/' from the signature"
            else:
                message = f"{function} takes no argument named {quote(name)}"
                hint = did_you_mean(name, signature.names) or (
                    "it takes: " + ", ".join(signature.names)
                    if signature.names
                    else "it takes no arguments by name"
                )
            problems.append((where, message, hint))
    present = set(given)
    problems += [
        (
            ("inputs",),
            f"{function} needs the argument {quote(name)}, which the task does not give",
            f"wire it under inputs: ({name}: OUTPUT_OF_ANOTHER_TASK) or set it under params: "
            "kwargs:",
        )
        for name in signature.required
        if name not in present
    ]
    return problems

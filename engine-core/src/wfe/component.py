"""The component contract, and a base class that makes the common case short.

Every component honours the seed's interface::

    component = SomeComponent(inputs, outputs, params)
    produced = component.execute()      # {output name: value} for exactly ``outputs``

``inputs`` maps the component's input names to the values other tasks produced (by
reference, never copied), ``outputs`` lists the task's declared output names and
``params`` holds the task's parameters.

Subclassing :class:`Component` adds three things: defaults for params, a declared
schema (``params_schema``, ``inputs_schema``, ``outputs_schema``) that ``wfe validate``
checks and ``wfe components show`` prints *without running* the component, and
``run(**inputs)`` whose return value is mapped onto the declared outputs. Keep heavy
imports (pandas, scikit-learn, ...) inside ``run``/``execute`` so that validating a
workflow stays fast.

It also lets checkpoints know what a task's result depends on beyond its params and
inputs (see :mod:`wfe.fingerprint`): the locations it ``reads`` (whose state joins the
task's fingerprint), the locations it ``writes`` (a writer is reused only while they
still hold what it wrote) and a ``code_version``. wfe never guesses these: a component
declares them, or overrides the class methods below for anything a name cannot say.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from wfe.errors import OutputMismatchError, Problem
from wfe.quoting import brief, describe_value, quote
from wfe.suggest import did_you_mean

__all__ = [
    "REQUIRED",
    "Component",
    "Input",
    "Param",
    "check_against_schema",
    "check_task_definition",
    "map_outputs",
]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of a :class:`Param` that must be given.
REQUIRED: Any = _Required()

_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
}


def _type_name(expected: type | tuple[type, ...]) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)


def _matches(value: Any, expected: type | tuple[type, ...]) -> bool:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    for kind in kinds:
        if kind is object:
            return True
        if isinstance(value, bool) and kind is not bool:
            continue  # YAML's true/false is an int subclass; never let it pass as a number
        if kind is float and isinstance(value, int | float):
            return True
        if isinstance(value, kind):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter: its type(s), default, allowed values and documentation."""

    type: type | tuple[type, ...] = object
    default: Any = REQUIRED
    doc: str = ""
    choices: tuple[Any, ...] | None = None
    #: smallest allowed value, for numbers
    minimum: float | None = None
    #: largest allowed value, for numbers
    maximum: float | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def type_name(self) -> str:
        return "any" if self.type is object else _type_name(self.type)

    def check(self, value: Any) -> tuple[str, str] | None:
        """``(message, hint)`` when ``value`` is not acceptable, else ``None``.

        For a param typed as a number (``int`` or ``float``), a value must be finite
        (YAML's ``.nan`` and ``.inf`` are floats, but no count, size or duration can
        use them) and within ``minimum``/``maximum``. ``Param(object)`` takes anything.
        """
        if value is None and self.default is None:
            return None
        if not _matches(value, self.type):
            hint = ""
            if isinstance(value, bool) and _matches("", self.type):
                hint = "YAML reads yes/no/on/off/true/false as booleans: quote the value"
            elif isinstance(value, int | float) and _matches("", self.type):
                hint = "quote the value to make it a string"
            return f"must be {_type_name(self.type)}, got {describe_value(value)}", hint
        if isinstance(value, int | float) and not isinstance(value, bool) and self._numeric():
            wrong = self._check_number(value)
            if wrong:
                return wrong
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(repr(c) for c in self.choices)
            got = quote(value) if isinstance(value, str) else describe_value(value)
            return f"must be one of {allowed}, got {got}", did_you_mean(
                str(value) if isinstance(value, str) else "", [str(c) for c in self.choices]
            )
        return None

    def _numeric(self) -> bool:
        kinds = self.type if isinstance(self.type, tuple) else (self.type,)
        return int in kinds or float in kinds

    def _check_number(self, value: float) -> tuple[str, str] | None:
        if isinstance(value, float) and not math.isfinite(value):
            written = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
            return (
                f"must be a finite number, got {written}",
                "write an ordinary number: .nan and .inf are not allowed here",
            )
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            bound = f"at least {low:g}" if low is not None and value < low else f"at most {high:g}"
            if low is not None and high is not None:
                hint = f"use a number from {low:g} to {high:g}"
            else:
                hint = f"use a number {bound}"
            return f"must be {bound}, got {brief(value)}", hint
        return None


@dataclass(frozen=True, slots=True)
class Input:
    """One declared input: documentation and whether a task must wire it."""

    doc: str = ""
    required: bool = True


class Component:
    """Base class for components; see the module docstring for the contract.

    Class attributes a subclass may set:

    ``params_schema``
        ``{name: Param}``. When set, unknown params, missing required ones and wrongly
        typed ones are definition errors. ``None`` (the default) checks nothing.
    ``inputs_schema``
        ``{name: Input}``; same rules for the task's ``inputs``.
    ``outputs_schema``
        ``{role: description}``, in order. When set, a task must declare exactly that
        many outputs; its output names map onto the roles by position.
    ``reads``
        Names of params (or of inputs given as literal locations) whose values are
        locations the component reads outside the run: a local path, ``file://...``,
        ``s3://...``. Their state (:mod:`wfe.datastate`) is part of the task's
        fingerprint, so a changed file gives a new fingerprint and the task runs again.
    ``writes``
        Names of params whose values are locations the component writes outside the
        run. Their state (with a content hash) is recorded with the task's checkpoint;
        the task is reused only while they still hold it.
    ``code_version``
        A version of the component's code. When set, it stands for the code in
        fingerprints instead of the distribution's version (and source hash, for an
        editable install). A task's ``code_version:`` option overrides it.
    """

    params_schema: ClassVar[Mapping[str, Param] | None] = None
    inputs_schema: ClassVar[Mapping[str, Input] | None] = None
    outputs_schema: ClassVar[Mapping[str, str] | None] = None
    reads: ClassVar[tuple[str, ...]] = ()
    writes: ClassVar[tuple[str, ...]] = ()
    code_version: ClassVar[str | None] = None
    _param_defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        schema = cls.params_schema or {}
        cls._param_defaults = {k: p.default for k, p in schema.items() if not p.required}

    def __init__(
        self, inputs: Mapping[str, Any], outputs: Sequence[str], params: Mapping[str, Any]
    ) -> None:
        self.inputs = inputs
        self.outputs = outputs
        self.params: dict[str, Any] = {**self._param_defaults, **params}

    def execute(self) -> dict[str, Any]:
        """Call :meth:`run` with the inputs as keyword arguments; map its return value."""
        return map_outputs(self.run(**self.inputs), self.outputs)

    def run(self, *args: Any, **inputs: Any) -> Any:
        """Do the work. Return one value for one output, a tuple or mapping for several.

        Inputs arrive as keyword arguments; declare them by name in your override."""
        raise NotImplementedError(f"{type(self).__name__} must implement run() or execute()")

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        """Checks beyond the schema: yield ``(param name or None, message)`` per problem.

        Runs at validate time, before any task starts, on the params as written
        (variables resolved, defaults not applied).
        """
        return ()

    @classmethod
    def validate_task(
        cls, params: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> Iterable[tuple[tuple[str | int, ...], str, str]]:
        """Checks of the task as a whole, run once its params pass the schema and
        :meth:`validate_params`: yield ``(where, message, hint)`` per problem, where
        ``where`` is a path inside the task such as ``("inputs", "df")`` or
        ``("params", "kwargs", "x")``.

        For components whose accepted inputs depend on their params (the built-in
        ``python_function`` checks its function's signature). ``inputs`` maps each
        input name to the output it refers to, or to a literal location.
        """
        return ()

    # -- what checkpoints need to know (called by wfe with defaults filled in) --------

    @classmethod
    def with_defaults(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` with the schema's defaults filled in, as ``self.params`` has them."""
        return {**cls._param_defaults, **params}

    @classmethod
    def read_locations(cls, params: Mapping[str, Any], literals: Mapping[str, str]) -> list[str]:
        """The locations a task reads outside the run, probed when it is planned.

        Default: the value of each name in ``reads``, as a literal input or a param,
        when given. Override it when a location is built from several params (a bucket
        and a key) or when only some values are locations."""
        return _named_locations(cls.reads, params, literals)

    @classmethod
    def code_identity(cls, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """What decides a task's results besides the component's own code and its
        params, as JSON-able data (``python_function``: the function's module file).
        Default: nothing."""
        return {}

    @classmethod
    def target_state(
        cls, params: Mapping[str, Any], literals: Mapping[str, str]
    ) -> Mapping[str, Any] | None:
        """The state of what a task wrote outside the run, recorded with its checkpoint.

        Called right after the task succeeded, in the process that ran it; JSON-able
        data, or None when it wrote nothing outside. Default: the state, with a content
        hash, of each location named by ``writes``."""
        locations = _named_locations(cls.writes, params, literals)
        if not locations:
            return None
        from wfe.datastate import Probe

        probe = Probe()
        return {"locations": {loc: probe(loc, True, params) for loc in locations}}

    @classmethod
    def target_problem(
        cls, params: Mapping[str, Any], literals: Mapping[str, str], recorded: Mapping[str, Any]
    ) -> str | None:
        """Why the target no longer holds what the task wrote, or None if it does.

        Called when a run is planned, before the task's checkpoint is reused; a
        problem makes the task run again. ``recorded`` is what :meth:`target_state`
        returned. Default: each ``writes`` location is probed again and compared."""
        from wfe.datastate import Probe, state_change

        probe = Probe()
        for location, then in dict(recorded.get("locations") or {}).items():
            if "unknown" in then:
                return f"{location}: its state could not be recorded ({then['unknown']})"
            change = state_change(then, probe(location, True, params))
            if change:
                return f"{location}: {change} since the task wrote it"
        return None


def _named_locations(
    names: Iterable[str], params: Mapping[str, Any], literals: Mapping[str, str]
) -> list[str]:
    found = []
    for name in names:
        value = literals.get(name, params.get(name))
        if isinstance(value, str) and value:
            found.append(value)
    return found


def map_outputs(result: Any, outputs: Sequence[str]) -> dict[str, Any]:
    """Map a return value onto declared output names.

    No outputs: the value is ignored. One output: the value itself (even a tuple).
    Several: a tuple/list of the same length, or a mapping with exactly those keys.
    """
    count = len(outputs)
    if count == 0:
        return {}
    if count == 1:
        return {outputs[0]: result}
    if isinstance(result, Mapping):
        if set(result) != set(outputs):
            missing = sorted(set(outputs) - set(result))
            extra = sorted(str(k) for k in set(result) - set(outputs))
            raise OutputMismatchError(
                f"returned a mapping whose keys do not match the declared outputs "
                f"{list(outputs)}: missing {missing}, unexpected {extra}"
            )
        return {name: result[name] for name in outputs}
    if isinstance(result, tuple | list) and len(result) == count:
        return dict(zip(outputs, result, strict=True))
    got = f"{len(result)} values" if isinstance(result, tuple | list) else type(result).__name__
    raise OutputMismatchError(
        f"declares {count} outputs {list(outputs)} but returned {got}; return a tuple of "
        f"{count} values or a mapping with those keys"
    )


def check_task_definition(
    component: type,
    *,
    component_name: str,
    task: str,
    index: int,
    params: Mapping[str, Any],
    inputs: Mapping[str, Any],
    outputs: Sequence[str],
) -> list[Problem]:
    """Check a task's params, inputs and outputs against its component's declared schema.

    Works on any component class; what the class does not declare is not checked.
    """
    at = ("tasks", index)
    problems = _check_params(component, task, at, params)
    problems += _check_inputs(component, task, at, inputs)
    if not problems:
        problems += _check_task(component, task, at, params, inputs)
    outputs_schema: Mapping[str, str] | None = getattr(component, "outputs_schema", None)
    if outputs_schema is not None and len(outputs) != len(outputs_schema):
        roles = ", ".join(outputs_schema) or "none"
        problems.append(
            Problem(
                "wrong-outputs",
                f"component {quote(component_name)} produces {len(outputs_schema)} output(s) ({roles}) "
                f"but the task declares {len(outputs)}",
                f"list exactly {len(outputs_schema)} name(s) under outputs:, in this order: {roles}",
                task,
                (*at, "outputs"),
            )
        )
    return problems


def check_against_schema(
    schema: Mapping[str, Param],
    values: Mapping[str, Any],
    *,
    task: str | None,
    at: tuple[str | int, ...],
    what: str = "param",
) -> list[Problem]:
    """Unknown, wrongly typed and missing values against a ``{name: Param}`` schema.

    ``at`` is the path of the mapping holding the values (``("tasks", 3, "params")``);
    ``what`` names them in messages ("param", "option")."""
    problems: list[Problem] = []
    for key, value in values.items():
        param = schema.get(key)
        if param is None:
            hint = did_you_mean(key, schema) or (
                f"known {what}s: " + ", ".join(schema) if schema else "it takes none"
            )
            problems.append(
                Problem(f"unknown-{what}", f"unknown {what} {quote(key)}", hint, task, (*at, key))
            )
        elif wrong := param.check(value):
            message, hint = wrong
            problems.append(
                Problem(f"bad-{what}", f"{what} {quote(key)} {message}", hint, task, (*at, key))
            )
    for key, param in schema.items():
        if param.required and key not in values:
            hint = f"add it under {at[-1]}:" + (f" ({param.doc})" if param.doc else "")
            problems.append(
                Problem(f"missing-{what}", f"missing required {what} '{key}'", hint, task, at)
            )
    return problems


def _check_params(
    component: type, task: str, at: tuple[str | int, ...], params: Mapping[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    schema: Mapping[str, Param] | None = getattr(component, "params_schema", None)
    if schema is not None:
        problems = check_against_schema(schema, params, task=task, at=(*at, "params"))
    validate = getattr(component, "validate_params", None)
    if validate is not None and not any(p.kind == "bad-param" for p in problems):
        for key, message in validate(params):
            path = (*at, "params", key) if key else (*at, "params")
            # The component's own explanation replaces a bare "unknown param" (a
            # credential passed as a param, say).
            problems = [p for p in problems if not (p.kind == "unknown-param" and p.path == path)]
            problems.append(Problem("bad-param", message, "", task, path))
    return problems


def _check_task(
    component: type,
    task: str,
    at: tuple[str | int, ...],
    params: Mapping[str, Any],
    inputs: Mapping[str, Any],
) -> list[Problem]:
    validate = getattr(component, "validate_task", None)
    if validate is None:
        return []
    return [
        Problem("bad-task", message, hint, task, (*at, *where))
        for where, message, hint in validate(params, inputs)
    ]


def _check_inputs(
    component: type, task: str, at: tuple[str | int, ...], inputs: Mapping[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    schema: Mapping[str, Input] | None = getattr(component, "inputs_schema", None)
    if schema is None:
        return problems
    for key in inputs:
        if key not in schema:
            hint = did_you_mean(key, schema) or (
                "it takes: " + ", ".join(schema) if schema else "it takes none"
            )
            message = f"component takes no input named {quote(key)}"
            problems.append(Problem("unknown-input", message, hint, task, (*at, "inputs", key)))
    for key, spec in schema.items():
        if spec.required and key not in inputs:
            hint = f"wire it under inputs: ({key}: OUTPUT_OF_ANOTHER_TASK)"
            message = f"missing required input '{key}'"
            problems.append(Problem("missing-input", message, hint, task, (*at, "inputs")))
    return problems

"""The workflow definition: YAML node tree -> immutable ``WorkflowSpec``.

This module checks the *shape* of the document (keys, types, names); the graph
(:mod:`wfe.graph`) checks references and cycles, and :mod:`wfe.workflow` checks tasks
against their components. All of them add to one list of problems so that a user sees
every mistake in one run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from yaml.nodes import Node, ScalarNode, SequenceNode

from wfe.attempts import MAX_WAIT_SECONDS
from wfe.component import Param
from wfe.errors import Location, Problem
from wfe.names import (
    IDENTIFIER_RULE,
    MAX_NAME_LENGTH,
    VARIABLE_RULE,
    identifier_problem,
    label_problem,
    variable_problem,
)
from wfe.quoting import quote
from wfe.suggest import did_you_mean
from wfe.variables import Variables
from wfe.yamlsource import NodeReader, describe_node, location_of

__all__ = [
    "EXECUTOR_KEYS",
    "TASK_KEYS",
    "TASK_OPTIONS",
    "TOP_KEYS",
    "ExecutorChoice",
    "TaskSpec",
    "WorkflowSpec",
    "is_literal_location",
    "parse_spec",
]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return _EMPTY


#: The most ``retries`` a task may have.
MAX_RETRIES = 100
#: The longest ``timeout`` of a task: one week, in seconds.
MAX_TIMEOUT_SECONDS = 7 * 24 * 3600.0

#: Per-task options beyond the core keys, declared like component params; a task's
#: values land in ``TaskSpec.options`` (defaults are not filled in there).
TASK_OPTIONS: dict[str, Param] = {
    "retries": Param(
        int, default=0, minimum=0, maximum=MAX_RETRIES, doc="extra attempts after a failure"
    ),
    "retry_delay": Param(
        float,
        default=1.0,
        minimum=0,
        maximum=MAX_WAIT_SECONDS,
        doc="seconds before the first retry; doubles each time (up to a day), with jitter",
    ),
    "retry_on": Param(
        list, default=None, doc="exception class names to retry (default: any error)"
    ),
    "timeout": Param(
        float,
        default=None,
        minimum=0.001,
        maximum=MAX_TIMEOUT_SECONDS,
        doc="seconds; the task fails at the deadline",
    ),
    # what a checkpoint's fingerprint covers beyond the definition (wfe.fingerprint)
    "code_version": Param(
        (str, int), default=None, doc="stands for the task's code in its checkpoint fingerprint"
    ),
    "data_version": Param(
        (str, int), default=None, doc="stands for the state of the data the task reads"
    ),
    "reads": Param(
        list,
        default=None,
        doc="more locations (paths, s3:// URIs) whose state the result depends on",
    ),
    "hash_inputs": Param(
        bool,
        default=None,
        doc="hash local files the task reads: always, never (default: up to 256 MiB)",
    ),
}

#: The keys the parser accepts at the top of a workflow, in an ``executor:`` mapping and in
#: a task (besides TASK_OPTIONS); wfe.schema describes exactly these.
TOP_KEYS = ("workflow_name", "description", "vars", "checkpoint", "executor", "tasks")
EXECUTOR_KEYS = ("name", "options")
TASK_KEYS = ("name", "component_name", "description", "params", "inputs", "outputs", "after")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_literal_location(value: str) -> bool:
    """True for a value with a URI scheme (``s3://...``, ``file://...``).

    Such an input value is passed to the component as a string instead of being
    looked up as another task's output.
    """
    return _URI.match(value) is not None


@dataclass(frozen=True, slots=True, eq=False)
class TaskSpec:
    """One validated task. ``inputs`` are references to other tasks' outputs;
    ``literals`` are inputs given as literal locations (see :func:`is_literal_location`).

    Compared and hashed by identity: each task of a loaded workflow is one object, and
    the scheduler uses these objects as graph nodes (hashing a pointer is cheaper than
    hashing a name)."""

    name: str
    component_name: str
    params: Mapping[str, Any] = field(default_factory=_empty)
    inputs: Mapping[str, str] = field(default_factory=_empty)
    literals: Mapping[str, str] = field(default_factory=_empty)
    outputs: tuple[str, ...] = ()
    #: tasks that must finish first although no data flows from them (e.g. a write
    #: before a query of the same table)
    after: tuple[str, ...] = ()
    description: str = ""
    options: Mapping[str, Any] = field(default_factory=_empty)
    index: int = 0
    location: Location | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Tasks travel to worker processes; read-only mapping views do not pickle.
        return (
            _rebuild_task,
            (
                self.name,
                self.component_name,
                dict(self.params),
                dict(self.inputs),
                dict(self.literals),
                self.outputs,
                self.after,
                self.description,
                dict(self.options),
                self.index,
                self.location,
            ),
        )


def _rebuild_task(
    name: str,
    component_name: str,
    params: dict[str, Any],
    inputs: dict[str, str],
    literals: dict[str, str],
    *rest: Any,
) -> TaskSpec:
    outputs, after, description, options, index, location = rest
    return TaskSpec(
        name,
        component_name,
        MappingProxyType(params),
        MappingProxyType(inputs),
        MappingProxyType(literals),
        outputs,
        after,
        description,
        MappingProxyType(options),
        index,
        location,
    )


@dataclass(frozen=True, slots=True)
class ExecutorChoice:
    """The workflow's ``executor:`` section: an executor's name and its options."""

    name: str
    options: Mapping[str, Any] = field(default_factory=_empty)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_executor_choice, (self.name, dict(self.options)))


def _rebuild_executor_choice(name: str, options: dict[str, Any]) -> ExecutorChoice:
    return ExecutorChoice(name, MappingProxyType(options))


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """A validated workflow definition; ``vars`` holds the value of every variable used."""

    name: str
    tasks: tuple[TaskSpec, ...]
    description: str = ""
    source: str = "<string>"
    #: sha256 of the workflow file's text, so a run record ties a run to its definition
    source_sha256: str = ""
    vars: Mapping[str, Any] = field(default_factory=_empty)
    #: where checkpoints go unless ``--checkpoint`` says otherwise ("" for none)
    checkpoint: str = ""
    #: the executor the workflow asks for unless the caller says otherwise
    executor: ExecutorChoice | None = None
    _by_name: dict[str, TaskSpec] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update((t.name, t) for t in self.tasks)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_workflow,
            (
                self.name,
                self.tasks,
                self.description,
                self.source,
                self.source_sha256,
                dict(self.vars),
                self.checkpoint,
                self.executor,
            ),
        )

    def task(self, name: str) -> TaskSpec:
        """The task called ``name`` (``KeyError`` if there is none)."""
        return self._by_name[name]


def _rebuild_workflow(
    name: str, tasks: tuple[TaskSpec, ...], description: str, source: str, *rest: Any
) -> WorkflowSpec:
    source_sha256, variables, checkpoint, executor = rest
    return WorkflowSpec(
        name,
        tasks,
        description,
        source,
        source_sha256,
        MappingProxyType(variables),
        checkpoint,
        executor,
    )


class _Parser:
    def __init__(self, reader: NodeReader) -> None:
        self.reader = reader

    def string(self, node: Node, what: str, task: str | None = None) -> str | None:
        if isinstance(node, ScalarNode):
            value = self.reader.scalar(node, task)
            if isinstance(value, str) and value:
                return value
        self.reader.problem(
            node,
            "wrong-type",
            f"{what} must be a non-empty string, got {describe_node(node)}",
            "quote the value" if isinstance(node, ScalarNode) else "",
            task,
        )
        return None

    def names(self, node: Node, key: str, task: str | None, *, identifiers: str = "") -> list[str]:
        """A list of names (``outputs``, ``after``). With ``identifiers`` (what one such
        name is, "the output name"), each must be an identifier (see :mod:`wfe.names`).
        """
        if not isinstance(node, SequenceNode):
            self.reader.problem(
                node,
                "wrong-type",
                f"{key} must be a list of names, got {describe_node(node)}",
                f"write {key}: [name] or one '- name' line per entry",
                task,
            )
            return []
        names: list[str] = []
        for item in node.value:
            name = self.string(item, f"an entry of {key}", task)
            if name is not None:
                if identifiers:
                    self.identifier(item, name, identifiers, task)
                names.append(name)
        return names

    def identifier(self, node: Node, name: str, what: str, task: str | None) -> bool:
        """Report ``name`` unless it is an identifier (task and output names)."""
        wrong = identifier_problem(name)
        if wrong:
            self.reader.problem(
                node,
                "bad-name",
                f"{what} {quote(name)} {wrong}",
                IDENTIFIER_RULE,
                task,
            )
        return wrong is None

    def label(self, node: Node, name: str, what: str, task: str | None) -> None:
        """Report ``name`` unless it is a label: printable, at most 128 characters."""
        wrong = label_problem(name)
        if wrong:
            hint = f"use printable text of at most {MAX_NAME_LENGTH} characters"
            self.reader.problem(node, "bad-name", f"{what} {wrong}", hint, task)

    def unknown_keys(
        self,
        items: Mapping[str, tuple[Node, Node]],
        allowed: tuple[str, ...],
        where: str,
        task: str | None,
    ) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed) or "allowed keys: " + ", ".join(allowed)
                self.reader.problem(
                    key_node, "unknown-key", f"unknown key {quote(key)} in {where}", hint, task
                )

    def executor(self, node: Node) -> ExecutorChoice | None:
        """``executor: NAME`` or ``executor: {name: NAME, options: {...}}``."""
        if isinstance(node, ScalarNode):
            name = self.string(node, "executor (an executor's name)")
            return ExecutorChoice(name) if name else None
        items = self.reader.mapping(node, "executor")
        if items is None:
            return None
        self.unknown_keys(items, EXECUTOR_KEYS, "executor", None)
        if "name" not in items:
            self.reader.problem(
                node,
                "missing-key",
                "executor has no 'name'",
                "add name: sequential, threads, ... (`wfe executors list` shows them)",
            )
            return None
        name = self.string(items["name"][1], "the executor's name")
        options: dict[str, Any] = {}
        if "options" in items:
            option_items = self.reader.mapping(items["options"][1], "executor options")
            options = {k: self.reader.value(v) for k, (_, v) in (option_items or {}).items()}
        return ExecutorChoice(name, MappingProxyType(options)) if name else None

    def task(self, index: int, node: Node, names: dict[str, Node]) -> TaskSpec | None:
        reader = self.reader
        items = reader.mapping(node, f"task #{index + 1}")
        if items is None:
            return None
        name = None
        if "name" in items:
            name = self.string(items["name"][1], "a task's name")
            if name is not None and not self.identifier(
                items["name"][1], name, "the task name", None
            ):
                name = None
        else:
            reader.problem(
                node, "missing-key", f"task #{index + 1} has no 'name'", "add name: SOME_NAME"
            )
        label = quote(name) if name else f"#{index + 1}"
        if name is not None:
            first = names.get(name)
            if first is not None:
                reader.problem(
                    items["name"][1],
                    "duplicate-task",
                    f"duplicate task name {quote(name)} (first used at line "
                    f"{first.start_mark.line + 1})",
                    "give every task a unique name",
                    name,
                )
            else:
                names[name] = items["name"][1]
        self.unknown_keys(items, TASK_KEYS + tuple(TASK_OPTIONS), f"task {label}", name)

        component = None
        if "component_name" in items:
            component = self.string(items["component_name"][1], "component_name", name)
            if component is not None:
                self.label(items["component_name"][1], component, "component_name", name)
        else:
            reader.problem(
                node,
                "missing-key",
                f"task {label} has no 'component_name'",
                "add component_name: ... (`wfe components list` shows what is installed)",
                name,
            )

        description = ""
        if "description" in items:
            description = self.string(items["description"][1], "description", name) or ""

        params: dict[str, Any] = {}
        if "params" in items:
            params_node = items["params"][1]
            param_items = reader.mapping(params_node, "params", name)
            if param_items is not None:
                params = {k: reader.value(v, name) for k, (_, v) in param_items.items()}

        inputs: dict[str, str] = {}
        literals: dict[str, str] = {}
        if "inputs" in items:
            input_items = reader.mapping(items["inputs"][1], "inputs", name)
            for key, (_, value_node) in (input_items or {}).items():
                ref = self.string(value_node, f"input {quote(key)}", name)
                if ref is not None:
                    (literals if is_literal_location(ref) else inputs)[key] = ref

        outputs = (
            self.names(items["outputs"][1], "outputs", name, identifiers="the output name")
            if "outputs" in items
            else []
        )

        after = self.names(items["after"][1], "after", name) if "after" in items else []

        options: dict[str, Any] = {}
        for key, option in TASK_OPTIONS.items():
            if key in items:
                value = reader.value(items[key][1], name)
                wrong = option.check(value)
                if wrong:
                    reader.problem(items[key][1], "wrong-type", f"{key} {wrong[0]}", wrong[1], name)
                else:
                    options[key] = value

        if name is None or component is None:
            return None
        return TaskSpec(
            name=name,
            component_name=component,
            params=MappingProxyType(params),
            inputs=MappingProxyType(inputs),
            literals=MappingProxyType(literals) if literals else _EMPTY,
            outputs=tuple(outputs),
            after=tuple(after),
            description=description,
            options=MappingProxyType(options) if options else _EMPTY,
            index=index,
            location=location_of(reader.source, node),
        )


def parse_spec(
    root: Node | None,
    reader: NodeReader,
    overrides: Mapping[str, Any],
    environ: Mapping[str, str],
    source_sha256: str = "",
) -> WorkflowSpec | None:
    """Check the document's shape and build the spec; problems go to ``reader``.

    Returns ``None`` when the document is not even a mapping. Tasks with broken
    names or components are left out of the spec (their problems are reported).
    """
    source = reader.source
    if root is None:
        reader.problems.append(
            Problem(
                "wrong-type",
                "the file is empty",
                "a workflow needs workflow_name: and tasks:",
                location=Location(source, 1, 1),
            )
        )
        return None
    items = reader.mapping(root, "the workflow file")
    if items is None:
        return None
    parser = _Parser(reader)
    parser.unknown_keys(items, TOP_KEYS, "the workflow", None)

    defaults = _defaults(items["vars"][1], reader) if "vars" in items else {}
    variables = Variables(defaults, overrides, environ, reader.problem, reader.text_size)
    reader.interpolate = variables.interpolate

    name = None
    if "workflow_name" in items:
        name = parser.string(items["workflow_name"][1], "workflow_name")
        if name is not None:
            parser.label(items["workflow_name"][1], name, "workflow_name", None)
    else:
        reader.problem(
            root,
            "missing-key",
            "the workflow has no 'workflow_name'",
            "add workflow_name: SOME_NAME",
        )
    description = ""
    if "description" in items:
        description = parser.string(items["description"][1], "description") or ""
    checkpoint = ""
    if "checkpoint" in items:
        checkpoint = parser.string(items["checkpoint"][1], "checkpoint (a folder)") or ""
        if not checkpoint.isprintable():
            reader.problem(
                items["checkpoint"][1],
                "wrong-type",
                f"checkpoint {quote(checkpoint)} contains control or other unprintable characters",
                "name a folder with printable characters",
            )
    executor = parser.executor(items["executor"][1]) if "executor" in items else None

    tasks: list[TaskSpec] = []
    if "tasks" not in items:
        reader.problem(root, "missing-key", "the workflow has no 'tasks'", "add a 'tasks:' list")
    else:
        tasks_node = items["tasks"][1]
        if not isinstance(tasks_node, SequenceNode) or not tasks_node.value:
            reader.problem(
                tasks_node,
                "wrong-type",
                f"tasks must be a non-empty list, got {describe_node(tasks_node)}",
                "write one '- name: ...' entry per task",
            )
        else:
            names: dict[str, Node] = {}
            for index, task_node in enumerate(tasks_node.value):
                task = parser.task(index, task_node, names)
                if task is not None:
                    tasks.append(task)

    for var_name, hint in variables.unused_overrides():
        reader.problems.append(
            Problem(
                "unknown-variable",
                f"--var {quote(var_name, marks=False)}=... is not used by this workflow",
                hint or "check the name against the workflow's vars: and ${...} references",
            )
        )
    spec = WorkflowSpec(
        name=name or "",
        description=description,
        source=source,
        source_sha256=source_sha256,
        checkpoint=checkpoint,
        executor=executor,
        tasks=tuple(tasks),
        vars=MappingProxyType(dict(variables.resolved)),
    )
    return spec


def _defaults(node: Node, reader: NodeReader) -> dict[str, tuple[Any, Node]]:
    """The ``vars:`` defaults, each with its node; names must be variable names (no
    ``${...}`` could refer to any other)."""
    defaults: dict[str, tuple[Any, Node]] = {}
    for var_name, (key_node, value_node) in (reader.mapping(node, "vars") or {}).items():
        wrong = variable_problem(var_name)
        if wrong:
            reader.problem(
                key_node, "bad-name", f"the variable name {quote(var_name)} {wrong}", VARIABLE_RULE
            )
            continue
        defaults[var_name] = (reader.value(value_node), value_node)
    return defaults

"""A JSON Schema (draft 2020-12) of the workflow format, for editors.

It is generated for the components and executors installed here: ``component_name``
and ``executor`` list them, and each one's declared params or options are described
(types, defaults, choices, docs), so an editor's YAML extension can complete and check a
workflow as it is typed. Its keys are the parser's own (:mod:`wfe.spec`), so the schema
accepts exactly the keys ``wfe validate`` accepts. Wherever a
number or a boolean is expected, a ``${variable}`` string is accepted too. The schema
checks the shape only: ``wfe validate`` remains the full check (references, cycles,
variables, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wfe.component import Param
from wfe.plugins import Plugins, Registry
from wfe.spec import EXECUTOR_KEYS, TASK_KEYS, TASK_OPTIONS, TOP_KEYS

__all__ = ["workflow_schema"]

_JSON_TYPES = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
}
_VARIABLE = {"type": "string", "pattern": r"\$\{"}


def _param_schema(param: Param) -> dict[str, Any]:
    kinds = param.type if isinstance(param.type, tuple) else (param.type,)
    schema: dict[str, Any] = {}
    types = [_JSON_TYPES[k] for k in kinds if k in _JSON_TYPES]
    if types and object not in kinds:
        schema["type"] = types[0] if len(types) == 1 else types
    if param.choices is not None:
        schema["enum"] = list(param.choices)
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    if param.maximum is not None:
        schema["maximum"] = param.maximum
    if param.doc:
        schema["description"] = param.doc
    if not param.required and isinstance(param.default, str | int | float | bool | list | dict):
        schema["default"] = param.default
    if "string" not in types and types:  # "${var}" may stand for any value
        schema = {"anyOf": [schema, _VARIABLE], **({"description": param.doc} if param.doc else {})}
    if param.default is None and not param.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def _params_object(params: Mapping[str, Param]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: _param_schema(p) for name, p in params.items()},
        "required": [name for name, p in params.items() if p.required],
        "additionalProperties": False,
    }


def _per_name(
    key: str, registry: Registry[Any], schema_of: Callable[[type], dict[str, Any] | None]
) -> list[dict[str, Any]]:
    """``if key == NAME then ...`` for each entry of ``registry`` whose class declares
    something (imports the classes; a broken plugin is left out: `wfe validate` reports
    it, and the schema stays usable)."""
    cases = []
    for ref in registry:
        try:
            then = schema_of(registry.load(ref.name))
        except ImportError:
            continue
        if then is not None:
            cases.append(
                {
                    "if": {"properties": {key: {"const": ref.name}}, "required": [key]},
                    "then": then,
                }
            )
    return cases


def _component_params(cls: type) -> dict[str, Any] | None:
    params: Mapping[str, Param] | None = getattr(cls, "params_schema", None)
    return None if params is None else {"properties": {"params": _params_object(params)}}


def _executor_options(cls: type) -> dict[str, Any] | None:
    options: Mapping[str, Param] = getattr(cls, "options_schema", {})
    return {"properties": {"options": _params_object(options)}}


def workflow_schema(plugins: Plugins) -> dict[str, Any]:
    """The schema, with the components and executors of ``plugins`` (imports their
    classes). Its keys are the parser's own (:data:`wfe.spec.TOP_KEYS`, ...)."""
    components, executors = plugins.components(), plugins.executors()
    names_list = {"type": "array", "items": {"type": "string", "minLength": 1}}
    task_keys: dict[str, Any] = {
        "name": {"type": "string", "minLength": 1, "description": "unique task name"},
        "component_name": {
            "enum": [ref.name for ref in components],
            "description": "an installed component (`wfe components list`)",
        },
        "description": {"type": "string"},
        "params": {"type": "object"},
        "inputs": {
            "type": "object",
            "description": "component input name -> another task's output (or a literal s3:// / file:// location)",
            "additionalProperties": {"type": "string"},
        },
        "outputs": names_list,
        "after": {**names_list, "description": "tasks that must finish first"},
    }
    task: dict[str, Any] = {
        "type": "object",
        "required": ["name", "component_name"],
        "additionalProperties": False,
        "properties": {
            **{key: task_keys[key] for key in TASK_KEYS},
            **{name: _param_schema(option) for name, option in TASK_OPTIONS.items()},
        },
        "allOf": _per_name("component_name", components, _component_params),
    }
    executor_name = {
        "enum": [ref.name for ref in executors],
        "description": "an installed executor (`wfe executors list`)",
    }
    executor_keys: dict[str, Any] = {
        "name": executor_name,
        "options": {"type": "object", "description": "the executor's options"},
    }
    top_keys: dict[str, Any] = {
        "workflow_name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "vars": {"type": "object", "description": "defaults for ${name} references"},
        "checkpoint": {
            "type": "string",
            "minLength": 1,
            "description": "folder for task checkpoints, unless --checkpoint says otherwise",
        },
        "executor": {
            "description": "where tasks run: an executor's name, or its name and options; "
            "the command line's --executor wins",
            "anyOf": [
                executor_name,
                {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {key: executor_keys[key] for key in EXECUTOR_KEYS},
                    "allOf": _per_name("name", executors, _executor_options),
                },
            ],
        },
        "tasks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/task"}},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "wfe workflow",
        "type": "object",
        "required": ["workflow_name", "tasks"],
        "additionalProperties": False,
        "properties": {key: top_keys[key] for key in TOP_KEYS},
        "$defs": {"task": task},
    }

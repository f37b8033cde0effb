"""A JSON Schema (draft 2020-12) of the workflow format, for editors.

It is generated for the components installed here: ``component_name`` lists them, and
each component's declared params are described (types, defaults, choices, docs), so an
editor's YAML extension can complete and check a workflow as it is typed. Wherever a
number or a boolean is expected, a ``${variable}`` string is accepted too. The schema
checks the shape only: ``wfe validate`` remains the full check (references, cycles,
variables, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wfe.component import Param
from wfe.plugins import ComponentRegistry
from wfe.spec import TASK_OPTIONS

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


def workflow_schema(registry: ComponentRegistry) -> dict[str, Any]:
    """The schema, with the components of ``registry`` (imports their classes)."""
    names = [ref.name for ref in registry]
    per_component = []
    for name in names:
        try:
            params: Mapping[str, Param] | None = getattr(registry.load(name), "params_schema", None)
        except ImportError:
            continue  # a broken plugin: `wfe validate` reports it; the schema stays usable
        if params is not None:
            per_component.append(
                {
                    "if": {
                        "properties": {"component_name": {"const": name}},
                        "required": ["component_name"],
                    },
                    "then": {"properties": {"params": _params_object(params)}},
                }
            )
    names_list = {"type": "array", "items": {"type": "string", "minLength": 1}}
    task: dict[str, Any] = {
        "type": "object",
        "required": ["name", "component_name"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "description": "unique task name"},
            "component_name": {
                "enum": names,
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
            **{name: _param_schema(option) for name, option in TASK_OPTIONS.items()},
        },
        "allOf": per_component,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "wfe workflow",
        "type": "object",
        "required": ["workflow_name", "tasks"],
        "additionalProperties": False,
        "properties": {
            "workflow_name": {"type": "string", "minLength": 1},
            "description": {"type": "string"},
            "vars": {"type": "object", "description": "defaults for ${name} references"},
            "tasks": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/task"}},
        },
        "$defs": {"task": task},
    }

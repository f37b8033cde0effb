"""The components reference: a Markdown page per distribution, made from what is installed.

The docs site builds its reference from the components' own declarations (summary,
docstring, params with types, defaults, choices and docs, inputs, outputs) and the
executors' options, so the reference cannot drift from the code. A component or an
option without documentation is an error here, not a blank row: a distribution whose
reference cannot be written fails the docs build.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from wfe.component import Param
from wfe.errors import WorkflowError
from wfe.plugins import PluginRef, Plugins

__all__ = ["MissingDocsError", "distribution_pages"]


class MissingDocsError(WorkflowError, ValueError):
    """A component or executor lacks the documentation its reference needs."""


def distribution_pages(plugins: Plugins) -> dict[str, str]:
    """``{distribution: Markdown page}`` for every distribution that provides components
    or executors. Raises :class:`MissingDocsError` naming every undocumented one."""
    pages: dict[str, list[str]] = {}
    missing: list[str] = []
    for kind, registry in (
        ("Components", plugins.components()),
        ("Executors", plugins.executors()),
    ):
        for ref in registry:
            lines = pages.setdefault(ref.distribution or "in-process", [])
            if not any(line == f"## {kind}" for line in lines):
                lines += [f"## {kind}", ""]
            cls = registry.load(ref.name)
            lines += _section(ref, cls, kind, missing)
    if missing:
        raise MissingDocsError(
            "the reference needs documentation for: " + "; ".join(missing) + " (write a "
            "class docstring, a one-line summary in its ComponentRef/ExecutorRef, and a "
            "doc= for every Param)"
        )
    return {
        dist: "\n".join([f"# {dist}", "", *_version_line(plugins, dist), *lines]) + "\n"
        for dist, lines in sorted(pages.items())
    }


def _version_line(plugins: Plugins, dist: str) -> list[str]:
    versions = dict(plugins.distributions())
    return [f"Version {versions[dist]}.", ""] if dist in versions else []


def _section(ref: PluginRef, cls: type, kind: str, missing: list[str]) -> list[str]:
    doc = inspect.getdoc(cls) if "__doc__" in vars(cls) else None
    if not ref.summary or not doc:
        missing.append(
            f"{ref.kind} '{ref.name}' ({'no summary' if not ref.summary else 'no docstring'})"
        )
    lines = [f"### `{ref.name}`", "", ref.summary, "", f"`{ref.target_path}`", ""]
    schema_name = "params_schema" if kind == "Components" else "options_schema"
    params: Mapping[str, Param] | None = getattr(cls, schema_name, None)
    what = "Params" if kind == "Components" else "Options"
    if params:
        lines += [f"**{what}**", "", "| name | type | default | doc |", "|---|---|---|---|"]
        for name, param in params.items():
            if not param.doc:
                missing.append(f"{ref.kind} '{ref.name}' {what.lower()[:-1]} '{name}' (no doc)")
            default = "required" if param.required else f"`{param.default!r}`"
            choices = (
                f" One of {', '.join(f'`{c!r}`' for c in param.choices)}." if param.choices else ""
            )
            lines.append(
                f"| `{name}` | {param.type_name()} | {default} | {_cell(param.doc)}{choices} |"
            )
        lines.append("")
    elif params is None and kind == "Components":
        lines += [f"**{what}**: not declared (not checked at validate time).", ""]
    if kind == "Components":
        lines += _inputs_and_outputs(cls)
    if doc:
        lines += [doc, ""]
    return lines


def _inputs_and_outputs(cls: type) -> list[str]:
    lines: list[str] = []
    inputs: Mapping[str, Any] | None = getattr(cls, "inputs_schema", None)
    if inputs is None:
        lines += ["**Inputs**: any names.", ""]
    elif inputs:
        lines += ["**Inputs**", "", "| name | required | doc |", "|---|---|---|"]
        for name, spec in inputs.items():
            lines.append(f"| `{name}` | {'yes' if spec.required else 'no'} | {_cell(spec.doc)} |")
        lines.append("")
    outputs: Mapping[str, str] | None = getattr(cls, "outputs_schema", None)
    if outputs is None:
        lines += ["**Outputs**: any number.", ""]
    elif outputs:
        lines += ["**Outputs**, in order", "", "| role | doc |", "|---|---|"]
        lines += [f"| `{role}` | {_cell(doc)} |" for role, doc in outputs.items()]
        lines.append("")
    return lines


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")

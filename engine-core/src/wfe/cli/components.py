"""``wfe components list|show``: what is installed, and what each component takes."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wfe.cli.app import EXIT_USAGE, Debug, command_group, error, exit_with, user_errors

if TYPE_CHECKING:
    from collections.abc import Iterable

    from wfe.plugins import PluginRef, Plugins

components_app = command_group("components", "List and describe the installed components.")


def report_plugin_failures(plugins: Plugins) -> None:
    for failure in plugins.failures:
        error(f"warning: {failure}")


@components_app.command("list")
def components_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    debug: Debug = False,
) -> None:
    """List installed components (name, distribution, version, summary) and the operator
    policy in force."""
    from wfe.plugins import load_plugins
    from wfe.policy import current_policy

    with user_errors(debug):
        policy = current_policy()
        plugins = load_plugins()
        refs = list(plugins.components())
        report_plugin_failures(plugins)
        if as_json:
            import json

            rows = refs_as_json(refs)
            typer.echo(json.dumps({"components": rows, "policy": policy.as_json()}, indent=2))
            return
        print_refs(refs)
        typer.echo("")
        typer.echo(policy.summary())


def refs_as_json(refs: Iterable[PluginRef]) -> list[dict[str, str]]:
    """Components or executors as JSON rows (``--json``)."""
    return [
        {
            "name": r.name,
            "summary": r.summary,
            "distribution": r.distribution,
            "version": r.version,
            "target": r.target_path,
        }
        for r in refs
    ]


def print_refs(refs: Iterable[PluginRef]) -> None:
    """Components or executors as a table: name, distribution, version, summary."""
    print_table(
        ("NAME", "DISTRIBUTION", "VERSION", "SUMMARY"),
        [(r.name, r.distribution, r.version, r.summary) for r in refs],
    )


def print_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Columns padded to their widest cell; the last one is not padded."""
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        typer.echo("  ".join([*cells, row[-1]]))


@components_app.command("show")
def components_show(
    name: Annotated[str, typer.Argument(help="The component's name.", show_default=False)],
    debug: Debug = False,
) -> None:
    """Show a component's summary, params, inputs, outputs and documentation."""
    from wfe.plugins import load_plugins
    from wfe.suggest import did_you_mean

    with user_errors(debug):
        plugins = load_plugins()
        registry = plugins.components()
        ref = registry.get(name)
        if ref is None:
            report_plugin_failures(plugins)
            hint = did_you_mean(name, registry.refs)
            error(
                f"error: no component named '{name}'. {hint} `wfe components list` shows them all."
            )
            exit_with(EXIT_USAGE)
        typer.echo(
            _describe_component(
                ref.name, ref.summary, ref.distribution, ref.version, registry.load(name)
            )
        )


def _describe_component(name: str, summary: str, distribution: str, version: str, cls: type) -> str:
    lines = [f"{name}  ({distribution or 'in-process'} {version})".rstrip(), f"  {summary}", ""]
    params: Any = getattr(cls, "params_schema", None)
    lines.append(
        "params:" if params else "params: not declared" if params is None else "params: none"
    )
    for key, param in (params or {}).items():
        need = "required" if param.required else f"default: {param.default!r}"
        choices = f"; one of {', '.join(map(repr, param.choices))}" if param.choices else ""
        lines.append(f"  {key}  ({param.type_name()}, {need}{choices})  {param.doc}".rstrip())
    inputs: Any = getattr(cls, "inputs_schema", None)
    lines.append("inputs:" if inputs else "inputs: any names" if inputs is None else "inputs: none")
    for key, spec in (inputs or {}).items():
        lines.append(
            f"  {key}  ({'required' if spec.required else 'optional'})  {spec.doc}".rstrip()
        )
    outputs: Any = getattr(cls, "outputs_schema", None)
    lines.append(
        "outputs (in order):"
        if outputs
        else "outputs: any number"
        if outputs is None
        else "outputs: none"
    )
    for role, doc in (outputs or {}).items():
        lines.append(f"  {role}  {doc}".rstrip())
    doc = inspect.getdoc(cls)
    if doc:
        lines += ["", doc]
    return "\n".join(lines)

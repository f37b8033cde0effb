"""``wfe executors list``: where tasks can run, and from which distribution."""

from __future__ import annotations

from typing import Annotated

import typer

from wfe.cli.app import Debug, command_group, user_errors
from wfe.cli.components import print_refs, refs_as_json, report_plugin_failures

executors_app = command_group("executors", "List the installed executors (where tasks run).")


@executors_app.command("list")
def executors_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    debug: Debug = False,
) -> None:
    """List installed executors (name, distribution, version, summary) and their options."""
    from wfe.plugins import load_plugins

    with user_errors(debug):
        plugins = load_plugins()
        refs = list(plugins.executors())
        report_plugin_failures(plugins)
        if as_json:
            import json

            typer.echo(json.dumps(refs_as_json(refs), indent=2))
            return
        print_refs(refs)
        typer.echo("\nChoose one with `wfe run FILE --executor NAME --executor-option KEY=VALUE`.")

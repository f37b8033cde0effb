"""``wfe executors list``: where tasks can run, and from which distribution."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from wfe.cli.app import Debug, executors_app, user_errors
from wfe.cli.components import print_table, report_plugin_failures


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
            rows = [
                {
                    "name": r.name,
                    "summary": r.summary,
                    "distribution": r.distribution,
                    "version": r.version,
                    "target": r.target_path,
                }
                for r in refs
            ]
            typer.echo(json.dumps(rows, indent=2))
            return
        print_table(
            ("NAME", "DISTRIBUTION", "VERSION", "SUMMARY"),
            [(r.name, r.distribution, r.version, r.summary) for r in refs],
        )
        typer.echo("\nChoose one with `wfe run FILE --executor NAME --executor-option KEY=VALUE`.")

"""``wfe new distribution|workflow``: starting points for authors (see :mod:`wfe.scaffold`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wfe.cli.app import Debug, command_group, user_errors

new_app = command_group("new", "Start a component distribution or a workflow file from a template.")


@new_app.command("distribution")
def new_distribution(
    folder: Annotated[
        Path, typer.Argument(help="Where to write it (new or empty).", show_default=False)
    ],
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="The distribution's name, as in `pip install NAME` (default: the folder's "
            "name); its import package is derived from it (wfe-weather -> wfe_weather).",
        ),
    ] = None,
    debug: Debug = False,
) -> None:
    """Write a component distribution that works: pyproject.toml with the wfe.plugins
    entry point, a plugin, one documented component, tests and an example workflow."""
    from wfe.scaffold import distribution_scaffold, write_files

    with user_errors(debug):
        scaffold = distribution_scaffold(name if name is not None else folder.resolve().name)
        written = write_files(folder, scaffold.files)
        typer.echo(
            f"wrote distribution '{scaffold.name}' (import package {scaffold.package}) in {folder}:"
        )
        for path in written:
            typer.echo(f"  {path.relative_to(folder)}")
        typer.echo(
            "next:\n"
            f'  cd {folder} && pip install -e ".[test]" && pytest\n'
            f"  wfe components show {scaffold.component}\n"
            "  wfe run example.yaml"
        )


@new_app.command("workflow")
def new_workflow(
    file: Annotated[Path, typer.Argument(help="The workflow file to write.", show_default=False)],
    debug: Debug = False,
) -> None:
    """Write a starter workflow whose first line points editors at `wfe schema`."""
    from wfe.scaffold import workflow_text, write_files

    with user_errors(debug):
        write_files(file.parent, {file.name: workflow_text(str(file))})
        typer.echo(
            f"wrote {file}; check it with `wfe validate {file}`, run it with `wfe run {file}`;\n"
            f"for editors: wfe schema > {file.parent / 'wfe-workflow.schema.json'}"
        )

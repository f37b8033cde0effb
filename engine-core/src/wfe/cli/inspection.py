"""``wfe validate``, ``wfe graph`` and ``wfe schema``: look at a workflow without running it."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from wfe.cli.app import (
    DEFAULT_RECORDS,
    EXIT_USAGE,
    Debug,
    ExecutorName,
    ExecutorOptions,
    RecordDir,
    Vars,
    WorkflowFile,
    app,
    error,
    exit_with,
    load_workflow,
    parse_pairs,
    user_errors,
)
from wfe.cli.components import report_plugin_failures


@app.command()
def validate(
    file: WorkflowFile,
    var: Vars = None,
    executor: ExecutorName = None,
    executor_option: ExecutorOptions = None,
    debug: Debug = False,
) -> None:
    """Check a workflow without running it: syntax, references, cycles, components, params,
    and the executor (the workflow's, or the one given here) with its options."""
    from wfe.plugins import load_plugins
    from wfe.run import RunOptions

    with user_errors(debug):
        workflow = load_workflow(file, var, load_plugins())
        options = parse_pairs(executor_option, "--executor-option", typed=True)
        workflow.executor_for(RunOptions(executor=executor, executor_options=options))
        registry = workflow.plugins.components()
        used = sorted({t.component_name for t in workflow.spec.tasks})
        origins = ", ".join(f"{n} ({registry.refs[n].distribution or 'in-process'})" for n in used)
        count = len(workflow.spec.tasks)
        typer.echo(
            f"{file}: OK: workflow '{workflow.name}', {count} task{'s' if count != 1 else ''}; "
            f"components: {origins}"
        )


class GraphFormat(enum.StrEnum):
    mermaid = "mermaid"
    dot = "dot"


@app.command()
def graph(
    file: WorkflowFile,
    var: Vars = None,
    output_format: Annotated[
        GraphFormat, typer.Option("--format", help="Diagram language.")
    ] = GraphFormat.mermaid,
    run_id: Annotated[
        str | None,
        typer.Option("--run", help="Colour the tasks by their status in this recorded run."),
    ] = None,
    record_dir: RecordDir = DEFAULT_RECORDS,
    debug: Debug = False,
) -> None:
    """Print the DAG as Mermaid or Graphviz DOT (tasks, components, outputs on edges)."""
    from wfe import diagram
    from wfe.plugins import load_plugins
    from wfe.records import find_record

    with user_errors(debug):
        workflow = load_workflow(file, var, load_plugins())
        statuses = None
        if run_id is not None:
            record = find_record(run_id, record_dir)
            if record is None:
                error(f"error: no run '{run_id}' under {record_dir}; `wfe runs list` shows them")
                exit_with(EXIT_USAGE)
            statuses = {name: str(task.get("status")) for name, task in record["tasks"].items()}
        if output_format is GraphFormat.dot:
            typer.echo(diagram.dot(workflow.graph, statuses, workflow.name), nl=False)
        else:
            typer.echo(diagram.mermaid(workflow.graph, statuses), nl=False)


@app.command()
def schema(debug: Debug = False) -> None:
    """Print a JSON Schema of the workflow format, with the installed components."""
    import json

    from wfe.plugins import load_plugins
    from wfe.schema import workflow_schema

    with user_errors(debug):
        plugins = load_plugins()
        report_plugin_failures(plugins)
        typer.echo(json.dumps(workflow_schema(plugins), indent=2))

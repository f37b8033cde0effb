"""The ``wfe`` command: a thin layer over the Python API.

Exit codes: 0 success; 1 a task failed; 2 the definition or the command line is
wrong; 130 interrupted; 70 an internal error of wfe (a bug: please report it).
No traceback reaches the user unless ``--debug`` is given.

Heavy modules are imported inside the commands, so ``wfe --help`` and
``wfe components list`` stay fast.
"""

from __future__ import annotations

import enum
import inspect
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from wfe.plugins import Plugins
    from wfe.records import RunRecorder
    from wfe.workflow import Workflow

EXIT_TASK_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as shells report it

app = typer.Typer(
    name="wfe",
    help="Run metadata-driven data and ML workflows defined in YAML.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: rendering it with rich costs ~50 ms of start-up
    pretty_exceptions_enable=False,
)
components_app = typer.Typer(
    help="List and describe the installed components.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(components_app, name="components")
runs_app = typer.Typer(
    help="List and show the records of past runs.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(runs_app, name="runs")


class LogFormat(enum.StrEnum):
    text = "text"
    json = "json"


_state = {"debug": False}

Debug = Annotated[bool, typer.Option("--debug", help="Show the full error chain (tracebacks).")]
Vars = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="NAME=VALUE", help="Set a workflow variable (repeatable)."),
]
WorkflowFile = Annotated[Path, typer.Argument(help="The workflow YAML file.", show_default=False)]
DEFAULT_RECORDS = (
    Path(".wfe") / "runs"
)  # the same as wfe.records.DEFAULT_ROOT, without importing it
RecordDir = Annotated[Path, typer.Option("--record-dir", help="Where run records are kept.")]


def _version(value: bool) -> None:
    if value:
        from wfe.plugins import core_version

        typer.echo(f"wfe {core_version()} (engine-core)")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Debug = False,
) -> None:
    """Run metadata-driven data and ML workflows defined in YAML."""
    _state["debug"] = debug


def _error(message: str) -> None:
    typer.echo(message, err=True)


def _exit(code: int) -> NoReturn:
    raise typer.Exit(code)


@contextmanager
def _user_errors(debug: bool, log_format: LogFormat = LogFormat.text) -> Iterator[None]:
    """Turn every exception into a message and an exit code."""
    from wfe.errors import DefinitionError, WorkflowError

    debug = debug or _state["debug"]
    try:
        yield
    except typer.Exit:
        raise
    except DefinitionError as exc:
        if debug:
            traceback.print_exception(exc)
        if log_format is LogFormat.json:
            problems = [
                {
                    "kind": p.kind,
                    "location": str(p.location) if p.location else None,
                    "task": p.task,
                    "message": p.message,
                    "hint": p.hint,
                }
                for p in exc.problems
            ]
            typer.echo(
                json.dumps(
                    {"event": "definition_error", "source": exc.source, "problems": problems}
                )
            )
        _error(str(exc))
        _exit(EXIT_USAGE)
    except WorkflowError as exc:
        if debug:
            traceback.print_exception(exc)
        _error(f"error: {exc}")
        _exit(EXIT_USAGE)
    except KeyboardInterrupt:
        _error("wfe: interrupted")
        _exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # `wfe ... | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _exit(EXIT_BROKEN_PIPE)
    except Exception as exc:
        if debug:
            traceback.print_exception(exc)
        _error(
            f"wfe: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in wfe or a plugin; run again with --debug for the traceback."
        )
        _exit(EXIT_INTERNAL)


def _print_plan(
    workflow: Workflow, checkpoint: Path | None, resume: bool, selected: set[str]
) -> None:
    folder = checkpoint or workflow.spec.checkpoint or None
    modes = (
        workflow.plan(folder, resume, selected).modes
        if folder is not None
        else dict.fromkeys(selected, "run")
    )
    words = {"run": "run", "load": "reuse (load its checkpoint)", "skip": "reuse (not needed)"}
    typer.echo(
        f"plan for '{workflow.name}'" + (f" with checkpoints in {folder}" if folder else "") + ":"
    )
    for number, name in enumerate(workflow.graph.order(), start=1):
        typer.echo(f"  {number:>3}. {name}: {words.get(modes.get(name, ''), 'not selected')}")
    counts = {
        word: list(modes.values()).count(mode)
        for mode, word in (("run", "run"), ("load", "load"), ("skip", "skip"))
    }
    typer.echo(
        f"{counts['run']} to run, {counts['load'] + counts['skip']} reused; nothing was run (--dry-run)"
    )


def _cancel_on_signals(grace: float, recorder: RunRecorder | None) -> threading.Event:
    """Ctrl-C or SIGTERM: stop scheduling and let running tasks finish, for up to
    ``grace`` seconds; a second signal, or the end of the grace period, exits at once
    (exit code 130, the run record marked ``cancelled``)."""
    cancel = threading.Event()

    def give_up() -> None:
        if recorder is not None:
            recorder.mark("cancelled")
        _error("wfe: cancelled; running tasks were stopped")
        os._exit(EXIT_INTERRUPTED)

    def handle(signum: int, _frame: object) -> None:
        if cancel.is_set():
            give_up()
        cancel.set()
        _error(
            f"wfe: {signal.Signals(signum).name}: cancelling; no new task starts and running tasks "
            f"get {grace:g} s to finish (press Ctrl-C again to stop at once)"
        )
        timer = threading.Timer(grace, give_up)
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return cancel


def _parse_vars(pairs: list[str] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            _error(f"error: --var expects NAME=VALUE, got '{pair}'")
            _exit(EXIT_USAGE)
        values[name.strip()] = value
    return values


def _load(file: Path, pairs: list[str] | None, plugins: Plugins) -> Workflow:
    from wfe.workflow import load

    # Like `python script.py`, let python_function import modules next to the file.
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return load(file, _parse_vars(pairs), plugins=plugins)


@app.command()
def run(
    file: WorkflowFile,
    var: Vars = None,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Run up to N independent tasks at once (threads)."),
    ] = 1,
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="Progress as text lines or JSON objects.")
    ] = LogFormat.text,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going", help="After a failure, still run every task that does not depend on it."
        ),
    ] = False,
    record_dir: RecordDir = DEFAULT_RECORDS,
    no_record: Annotated[bool, typer.Option("--no-record", help="Write no run record.")] = False,
    grace: Annotated[
        float,
        typer.Option(
            "--grace", min=0, help="On Ctrl-C/SIGTERM, seconds running tasks get to finish."
        ),
    ] = 30.0,
    checkpoint: Annotated[
        Path | None, typer.Option("--checkpoint", help="Save every task's outputs in this folder.")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Reuse checkpoints that still match; run the rest.")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="TASK[,TASK]", help="Run only these tasks."),
    ] = None,
    start_at: Annotated[
        str | None, typer.Option("--from", help="Run this task and everything after it.")
    ] = None,
    stop_after: Annotated[
        str | None, typer.Option("--to", help="Run this task and everything before it.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and run nothing.")
    ] = False,
    debug: Debug = False,
) -> None:
    """Validate and run a workflow. Exit code 1 when a task fails, 130 when cancelled."""
    from wfe.display import JsonDisplay, ProgressDisplay, TextDisplay
    from wfe.plugins import load_plugins
    from wfe.records import RunRecorder

    if log_format is LogFormat.json:
        display: object = JsonDisplay()
    else:  # a live progress bar on a terminal; plain lines in logs and pipes
        display = ProgressDisplay() if sys.stdout.isatty() else TextDisplay()
    with _user_errors(debug, log_format):
        plugins = load_plugins([display])
        recorder = None
        if not no_record:
            recorder = RunRecorder(record_dir, dict(plugins.distributions()))
            plugins.register(recorder)
        workflow = _load(file, var, plugins)
        names = [n.strip() for group in only or [] for n in group.split(",") if n.strip()]
        if dry_run:
            _print_plan(workflow, checkpoint, resume, workflow.select(names, start_at, stop_after))
            return
        cancel = _cancel_on_signals(grace, recorder)
        result = workflow.run(
            workers=workers,
            keep_going=keep_going,
            cancel=cancel,
            checkpoint=checkpoint,
            resume=resume,
            only=names,
            start_at=start_at,
            stop_after=stop_after,
        )
    if recorder is not None and recorder.path is not None and log_format is LogFormat.text:
        typer.echo(f"wfe: run record {recorder.path} (wfe runs show {recorder.run_id})")
    if result.status == "cancelled":
        _exit(EXIT_INTERRUPTED)
    if not result.ok:
        for error in result.errors:
            if debug or _state["debug"]:
                traceback.print_exception(error)
            _error(f"error: {error}")
        _exit(EXIT_TASK_FAILED)


@app.command()
def validate(file: WorkflowFile, var: Vars = None, debug: Debug = False) -> None:
    """Check a workflow without running it: syntax, references, cycles, components, params."""
    from wfe.plugins import load_plugins

    with _user_errors(debug):
        workflow = _load(file, var, load_plugins())
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

    with _user_errors(debug):
        workflow = _load(file, var, load_plugins())
        statuses = None
        if run_id is not None:
            record = find_record(run_id, record_dir)
            if record is None:
                _error(f"error: no run '{run_id}' under {record_dir}; `wfe runs list` shows them")
                _exit(EXIT_USAGE)
            statuses = {name: str(task["status"]) for name, task in record["tasks"].items()}
        if output_format is GraphFormat.dot:
            typer.echo(diagram.dot(workflow.graph, statuses, workflow.name), nl=False)
        else:
            typer.echo(diagram.mermaid(workflow.graph, statuses), nl=False)


@app.command()
def schema(debug: Debug = False) -> None:
    """Print a JSON Schema of the workflow format, with the installed components."""
    from wfe.plugins import load_plugins
    from wfe.schema import workflow_schema

    with _user_errors(debug):
        plugins = load_plugins()
        _report_plugin_failures(plugins)
        typer.echo(json.dumps(workflow_schema(plugins.components()), indent=2))


def _report_plugin_failures(plugins: Plugins) -> None:
    for failure in plugins.failures:
        _error(f"warning: {failure}")


@components_app.command("list")
def components_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    debug: Debug = False,
) -> None:
    """List installed components (name, distribution, version, summary)."""
    from wfe.plugins import load_plugins

    with _user_errors(debug):
        plugins = load_plugins()
        refs = list(plugins.components())
        _report_plugin_failures(plugins)
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
        table = [("NAME", "DISTRIBUTION", "VERSION", "SUMMARY")]
        table += [(r.name, r.distribution, r.version, r.summary) for r in refs]
        widths = [max(len(row[i]) for row in table) for i in range(3)]
        for row in table:
            typer.echo(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
                + "  "
                + row[3]
            )


@components_app.command("show")
def components_show(
    name: Annotated[str, typer.Argument(help="The component's name.", show_default=False)],
    debug: Debug = False,
) -> None:
    """Show a component's summary, params, inputs, outputs and documentation."""
    from wfe.plugins import load_plugins
    from wfe.suggest import did_you_mean

    with _user_errors(debug):
        plugins = load_plugins()
        registry = plugins.components()
        ref = registry.get(name)
        if ref is None:
            _report_plugin_failures(plugins)
            hint = did_you_mean(name, registry.refs)
            _error(
                f"error: no component named '{name}'. {hint} `wfe components list` shows them all."
            )
            _exit(EXIT_USAGE)
        typer.echo(
            _describe_component(
                ref.name, ref.summary, ref.distribution, ref.version, registry.load(name)
            )
        )


def _task_counts(record: dict[str, Any]) -> str:
    statuses = [t.get("status") for t in record.get("tasks", {}).values()]
    return "/".join(str(statuses.count(s)) for s in ("succeeded", "failed", "not_run"))


@runs_app.command("list")
def runs_list(
    record_dir: RecordDir = DEFAULT_RECORDS,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List recorded runs, newest first (tasks: succeeded/failed/not run)."""
    from wfe.records import read_records

    records = read_records(record_dir)
    if as_json:
        typer.echo(json.dumps(records, indent=2))
        return
    rows = [("RUN_ID", "STATUS", "WORKFLOW", "STARTED", "SECONDS", "TASKS ok/failed/not-run")]
    for r in records:
        seconds = f"{r['duration_s']:.2f}" if isinstance(r.get("duration_s"), int | float) else "-"
        rows.append(
            (
                r["run_id"],
                r["status"],
                r["workflow"],
                str(r["started"])[:19],
                seconds,
                _task_counts(r),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@runs_app.command("show")
def runs_show(
    run_id: Annotated[
        str, typer.Argument(help="A run id (a unique prefix is enough).", show_default=False)
    ],
    record_dir: RecordDir = DEFAULT_RECORDS,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
) -> None:
    """Show one run: workflow, status, variables and every task."""
    from wfe.records import find_record, read_records
    from wfe.suggest import did_you_mean

    record = find_record(run_id, record_dir)
    if record is None:
        known = [str(r["run_id"]) for r in read_records(record_dir)]
        hint = (
            did_you_mean(run_id, known) or f"`wfe runs list --record-dir {record_dir}` shows them"
        )
        _error(f"error: no run '{run_id}' under {record_dir} (or the prefix is not unique). {hint}")
        _exit(EXIT_USAGE)
    if as_json:
        typer.echo(json.dumps(record, indent=2))
        return
    typer.echo(f"run {record['run_id']}: workflow '{record['workflow']}' {record['status']}")
    typer.echo(f"  file     {record['source']} (sha256 {str(record['source_sha256'])[:12]}...)")
    typer.echo(f"  started  {record['started']}, ended {record['ended']}, {record['duration_s']} s")
    typer.echo(f"  vars     {json.dumps(record['vars'])}")
    typer.echo("  installed " + ", ".join(f"{d} {v}" for d, v in record["distributions"].items()))
    for name, task in record["tasks"].items():
        line = f"  - {name} ({task['component']}): {task['status']}"
        if "duration_s" in task:
            line += f" in {task['duration_s']:.3f} s, {task['attempts']} attempt(s), peak RSS {task['peak_rss_mb']} MB"
        if task.get("error"):
            line += f"; {task['error']}"
        if task.get("skipped_because"):
            line += f"; skipped: {', '.join(task['skipped_because'])} failed"
        typer.echo(line)
        for output, summary in task.get("outputs", {}).items():
            typer.echo(f"      {output}: {json.dumps(summary)}")


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


def main() -> None:
    """Console-script entry point."""
    app()

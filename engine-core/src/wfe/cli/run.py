"""``wfe run``: validate and run, with checkpoints, slices, cancellation and records."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wfe.cli.app import (
    DEFAULT_RECORDS,
    EXIT_INTERRUPTED,
    EXIT_TASK_FAILED,
    STATE,
    Debug,
    ExecutorName,
    ExecutorOptions,
    LogFormat,
    LogLevel,
    RecordDir,
    Vars,
    WorkflowFile,
    app,
    configure_logging,
    error,
    exit_with,
    load_workflow,
    parse_pairs,
    print_traceback,
    user_errors,
)

if TYPE_CHECKING:
    from wfe.records import RunRecorder
    from wfe.workflow import Workflow


def _print_plan(
    workflow: Workflow, checkpoint: Path | None, resume: bool, selected: set[str]
) -> None:
    """One line per task: what the run would do with it and why (with --resume, what
    changed since its latest checkpoint)."""
    folder = checkpoint or workflow.spec.checkpoint or None
    if folder is not None:
        plan = workflow.plan(folder, resume, selected, explain=resume)
        modes, reasons = plan.modes, plan.reasons
    else:
        modes, reasons = dict.fromkeys(selected, "run"), dict.fromkeys(selected, "no --checkpoint")
    words = {"run": "run", "load": "reuse, load its checkpoint", "skip": "reuse, not needed"}
    typer.echo(
        f"plan for '{workflow.name}'" + (f" with checkpoints in {folder}" if folder else "") + ":"
    )
    for number, name in enumerate(workflow.graph.order(), start=1):
        mode = modes.get(name)
        line = f"  {number:>3}. {name}: {words[mode] if mode else 'not selected'}"
        typer.echo(f"{line} ({reasons[name]})" if mode and reasons.get(name) else line)
    to_run = list(modes.values()).count("run")
    typer.echo(f"{to_run} to run, {len(modes) - to_run} reused; nothing was run (--dry-run)")


def _cancel_on_signals(grace: float, recorder: RunRecorder | None) -> threading.Event:
    """Ctrl-C or SIGTERM: stop scheduling and let running tasks finish, for up to
    ``grace`` seconds; a second signal, or the end of the grace period, exits at once
    (exit code 130, the run record marked ``cancelled``)."""
    cancel = threading.Event()

    def give_up() -> None:
        if recorder is not None:
            recorder.mark("cancelled")
        error("wfe: cancelled; running tasks were stopped")
        os._exit(EXIT_INTERRUPTED)

    def handle(signum: int, _frame: object) -> None:
        if cancel.is_set():
            give_up()
        cancel.set()
        error(
            f"wfe: {signal.Signals(signum).name}: cancelling; no new task starts and running tasks "
            f"get {grace:g} s to finish (press Ctrl-C again to stop at once)"
        )
        timer = threading.Timer(grace, give_up)
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return cancel


@app.command()
def run(
    file: WorkflowFile,
    var: Vars = None,
    executor: ExecutorName = None,
    executor_option: ExecutorOptions = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Run up to N tasks at once: the executor's 'workers' option "
            "(alone, N > 1 picks the 'threads' executor).",
        ),
    ] = None,
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="Progress as text lines or JSON objects.")
    ] = LogFormat.text,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going", help="After a failure, still run every task that does not depend on it."
        ),
    ] = False,
    log_level: Annotated[
        LogLevel,
        typer.Option(
            "--log-level",
            help="Lowest level of Python logging records kept in each task's log and shown.",
        ),
    ] = LogLevel.INFO,
    log_file: Annotated[
        Path | None,
        typer.Option("--log-file", help="Also append every log record (with its task) here."),
    ] = None,
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
    with user_errors(debug, log_format):
        configure_logging(log_level, log_file, echo_prints=log_format is LogFormat.text)
        plugins = load_plugins([display])
        recorder = None
        if not no_record:
            recorder = RunRecorder(record_dir, dict(plugins.distributions()))
            plugins.register(recorder)
        workflow = load_workflow(file, var, plugins)
        names = [n.strip() for group in only or [] for n in group.split(",") if n.strip()]
        if dry_run:
            _print_plan(workflow, checkpoint, resume, workflow.select(names, start_at, stop_after))
            return
        cancel = _cancel_on_signals(grace, recorder)
        result = workflow.run(
            workers=workers,
            executor=executor,
            executor_options=parse_pairs(executor_option, "--executor-option", typed=True),
            keep_going=keep_going,
            cancel=cancel,
            checkpoint=checkpoint,
            resume=resume,
            only=names,
            start_at=start_at,
            stop_after=stop_after,
        )
    if recorder is not None and result.run_id and log_format is LogFormat.text:
        path = recorder.folder_of(result.run_id) / "run.json"
        typer.echo(f"wfe: run record {path} (wfe runs show {result.run_id})")
    if result.status == "cancelled":
        exit_with(EXIT_INTERRUPTED)
    if not result.ok:
        for failure in result.errors:
            if debug or STATE["debug"]:
                print_traceback(failure)
            error(f"error: {failure}")
        exit_with(EXIT_TASK_FAILED)

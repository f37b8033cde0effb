"""The CLI's progress output, as plugins on the lifecycle hooks.

``TextDisplay`` prints a line as each task starts and ends and a final summary;
``JsonDisplay`` prints one JSON object per event (``--log-format json``), for log
collectors. Both write to a stream given at construction (stdout by default).
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

from wfe.errors import TaskError
from wfe.hookspecs import hookimpl
from wfe.report import RunResult, TaskReport, TaskStatus
from wfe.run import Run
from wfe.spec import TaskSpec, WorkflowSpec
from wfe.summary import summary_text, values_text

__all__ = ["JsonDisplay", "ProgressDisplay", "TextDisplay", "cause_text", "log_tail"]


def cause_text(error: TaskError) -> str:
    """The component's own exception, as ``Type: message``."""
    return error.cause_text or str(error)


def log_tail(log: str, lines: int = 10) -> list[str]:
    """The last ``lines`` non-empty lines of a task's log."""
    return [line for line in log.splitlines() if line.strip()][-lines:]


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


@dataclass
class _Progress:
    """What a display knows of one run."""

    total: int
    started: int = 0
    done: int = 0
    number: dict[str, int] = field(default_factory=dict)
    running: dict[str, float] = field(default_factory=dict)


class TextDisplay:
    """Human-readable progress, one line per event (state kept per run)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._runs: dict[str, _Progress] = {}

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def _progress(self, run: Run) -> _Progress:
        progress = self._runs.get(run.id)
        if progress is None:  # a run that started before this plugin was registered
            progress = self._runs[run.id] = _Progress(len(run.workflow.tasks))
        return progress

    @hookimpl
    def wfe_workflow_start(self, run: Run, workflow: WorkflowSpec) -> None:
        total = len(workflow.tasks)
        self._runs[run.id] = _Progress(total)
        how = run.executor_description or run.executor
        self._print(f"wfe: running '{workflow.name}' ({total} tasks, {how})")

    def _count_start(self, run: Run, task: TaskSpec) -> _Progress:
        progress = self._progress(run)
        progress.started += 1
        progress.number[task.name] = progress.started
        return progress

    @hookimpl
    def wfe_task_start(self, run: Run, task: TaskSpec) -> None:
        progress = self._count_start(run, task)
        self._print(
            f"[{progress.started}/{progress.total}] {task.name} ({task.component_name}) started"
        )

    def _prefix(self, run: Run, task: TaskSpec) -> str:
        progress = self._progress(run)
        return f"[{progress.number.get(task.name, '?')}/{progress.total}] {task.name}"

    @hookimpl
    def wfe_task_end(self, run: Run, task: TaskSpec, report: TaskReport) -> None:
        produced = ", ".join(
            f"{name}={summary_text(info)}" for name, info in report.outputs.items()
        )
        how = "reused from its checkpoint" if report.status is TaskStatus.REUSED else "ok"
        tries = f" (attempt {report.attempts})" if report.attempts > 1 else ""
        self._print(
            f"{self._prefix(run, task)} {how} in {report.duration:.2f}s{tries}"
            + (f": {produced}" if produced else "")
        )
        for warning in report.warnings:
            self._print(f"    warning: {warning['category']}: {warning['message']}")

    @hookimpl
    def wfe_task_error(
        self, run: Run, task: TaskSpec, report: TaskReport, error: TaskError
    ) -> None:
        self._print(
            f"{self._prefix(run, task)} FAILED after {report.duration:.2f}s: {cause_text(error)}"
        )
        tail = log_tail(report.log)
        if tail:
            self._print(f"    the last lines {task.name} printed or logged:")
            for line in tail:
                self._print(f"    | {line}")

    @hookimpl
    def wfe_workflow_end(self, run: Run, workflow: WorkflowSpec, result: RunResult) -> None:
        self._runs.pop(run.id, None)
        parts = [f"{len(result.succeeded)} succeeded"]
        if result.reused:
            parts.append(f"{len(result.reused)} reused ({_names(result.reused)})")
        if result.failed:
            parts.append(f"{len(result.failed)} failed ({_names(result.failed)})")
        if result.not_run:
            skipped = [
                name
                + (
                    f" [after {', '.join(why)} failed]"
                    if (why := result.tasks[name].skipped_because)
                    else ""
                )
                for name in result.not_run
            ]
            parts.append(f"{len(result.not_run)} not run ({_names(skipped)})")
        self._print(
            f"wfe: '{workflow.name}' {result.status} in {result.duration:.2f}s: " + ", ".join(parts)
        )
        values = _values(result)
        if values:
            self._print("wfe: values: " + values)


def _values(result: RunResult) -> str:
    """The scalars and small mappings (metrics) the run produced, for its summary."""
    shown = []
    for report in result.tasks.values():
        for output, info in report.outputs.items():
            if "value" in info:
                shown.append(f"{output}={values_text(info['value'])}")
    return _names(shown, limit=10)


class ProgressDisplay(TextDisplay):
    """For a terminal: a line per finished task, under a live bar of tasks done/total and
    the running tasks with their elapsed time (redrawn a few times a second)."""

    def __init__(self, stream: TextIO | None = None, refresh: float = 0.25) -> None:
        super().__init__(stream)
        self.refresh = refresh
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _bar(self) -> str:
        width = max(shutil.get_terminal_size((100, 20)).columns - 1, 20)
        lines = []
        now = time.perf_counter()
        for progress in list(self._runs.values()):
            total = max(progress.total, 1)
            filled = round(20 * progress.done / total)
            running = ", ".join(
                f"{name} {now - began:.1f}s" for name, began in list(progress.running.items())
            )
            line = f"[{'#' * filled}{'-' * (20 - filled)}] {progress.done}/{progress.total} tasks"
            lines.append(line + (f"  running: {running}" if running else ""))
        return "  |  ".join(lines)[:width]

    def _draw(self) -> None:
        self.stream.write("\r\x1b[2K" + self._bar())
        self.stream.flush()

    def _print(self, text: str) -> None:
        with self._lock:
            self.stream.write("\r\x1b[2K" + text + "\n")
            if not self._stop.is_set():
                self.stream.write(self._bar())
            self.stream.flush()

    def _redraw_until_stopped(self) -> None:
        while not self._stop.wait(self.refresh):
            with self._lock:
                self._draw()

    @hookimpl
    def wfe_workflow_start(self, run: Run, workflow: WorkflowSpec) -> None:
        self._stop.clear()
        super().wfe_workflow_start(run, workflow)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._redraw_until_stopped, name="wfe-progress", daemon=True
            )
            self._thread.start()

    @hookimpl
    def wfe_task_start(self, run: Run, task: TaskSpec) -> None:
        progress = self._count_start(run, task)
        with self._lock:
            progress.running[task.name] = time.perf_counter()
            self._draw()

    def _count_end(self, run: Run, task: TaskSpec) -> None:
        progress = self._progress(run)
        with self._lock:
            progress.running.pop(task.name, None)
            progress.done += 1

    @hookimpl
    def wfe_task_end(self, run: Run, task: TaskSpec, report: TaskReport) -> None:
        self._count_end(run, task)
        super().wfe_task_end(run, task, report)

    @hookimpl
    def wfe_task_error(
        self, run: Run, task: TaskSpec, report: TaskReport, error: TaskError
    ) -> None:
        self._count_end(run, task)
        super().wfe_task_error(run, task, report, error)

    @hookimpl
    def wfe_workflow_end(self, run: Run, workflow: WorkflowSpec, result: RunResult) -> None:
        if len(self._runs) <= 1:  # the last run showing: stop the bar
            self._stop.set()
            if self._thread is not None:
                self._thread.join()
        super().wfe_workflow_end(run, workflow, result)


class JsonDisplay:
    """One JSON object per line and event: workflow_start, task_start, task_end,
    task_error, workflow_end. Every object has ``event``, ``time`` (Unix seconds) and
    ``workflow``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def _emit(self, run: Run, event: str, **fields: Any) -> None:
        record = {
            "event": event,
            "time": round(time.time(), 6),
            "workflow": run.workflow.name,
            "run_id": run.id,
            **fields,
        }
        print(json.dumps(record, default=str), file=self.stream, flush=True)

    @hookimpl
    def wfe_workflow_start(self, run: Run, workflow: WorkflowSpec, workers: int) -> None:
        self._emit(
            run,
            "workflow_start",
            source=workflow.source,
            tasks=len(workflow.tasks),
            executor=run.executor,
            workers=workers,
        )

    @hookimpl
    def wfe_task_start(self, run: Run, task: TaskSpec) -> None:
        self._emit(run, "task_start", task=task.name, component=task.component_name)

    @hookimpl
    def wfe_task_end(self, run: Run, task: TaskSpec, report: TaskReport) -> None:
        self._emit(
            run,
            "task_end",
            task=task.name,
            component=task.component_name,
            status=str(report.status),
            duration_s=round(report.duration, 6),
            attempts=report.attempts,
            outputs=dict(report.outputs),
            warnings=report.warnings,
        )

    @hookimpl
    def wfe_task_error(
        self, run: Run, task: TaskSpec, report: TaskReport, error: TaskError
    ) -> None:
        self._emit(
            run,
            "task_error",
            task=task.name,
            component=task.component_name,
            status=str(report.status),
            duration_s=round(report.duration, 6),
            attempts=report.attempts,
            error=cause_text(error),
            location=str(error.location) if error.location else None,
            log_tail=log_tail(report.log),
            warnings=report.warnings,
        )

    @hookimpl
    def wfe_workflow_end(self, run: Run, result: RunResult) -> None:
        self._emit(
            run,
            "workflow_end",
            status=result.status,
            duration_s=round(result.duration, 6),
            succeeded=result.succeeded,
            failed=result.failed,
            not_run=result.not_run,
            skipped_because={n: list(result.tasks[n].skipped_because) for n in result.not_run},
        )

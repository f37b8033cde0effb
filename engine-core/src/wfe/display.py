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
from collections.abc import Mapping
from typing import Any, TextIO

from wfe.errors import TaskError
from wfe.hookspecs import hookimpl
from wfe.report import RunResult, TaskReport, TaskStatus
from wfe.spec import TaskSpec, WorkflowSpec
from wfe.summary import describe, describe_text

__all__ = ["JsonDisplay", "ProgressDisplay", "TextDisplay", "cause_text"]


def cause_text(error: TaskError) -> str:
    """The component's own exception, as ``Type: message``."""
    cause = error.__cause__
    return f"{type(cause).__name__}: {cause}" if cause is not None else str(error)


def _names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


class TextDisplay:
    """Human-readable progress, one line per event."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._total = 0
        self._started = 0
        self._number: dict[str, int] = {}

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    @hookimpl
    def wfe_workflow_start(self, workflow: WorkflowSpec, workers: int) -> None:
        self._total = len(workflow.tasks)
        mode = "sequential" if workers == 1 else f"{workers} workers"
        self._print(f"wfe: running '{workflow.name}' ({self._total} tasks, {mode})")

    @hookimpl
    def wfe_task_start(self, task: TaskSpec) -> None:
        self._started += 1
        self._number[task.name] = self._started
        self._print(f"[{self._started}/{self._total}] {task.name} ({task.component_name}) started")

    def _prefix(self, task: TaskSpec) -> str:
        return f"[{self._number.get(task.name, '?')}/{self._total}] {task.name}"

    @hookimpl
    def wfe_task_end(self, task: TaskSpec, report: TaskReport, outputs: Mapping[str, Any]) -> None:
        produced = ", ".join(f"{name}={describe_text(value)}" for name, value in outputs.items())
        how = "reused from its checkpoint" if report.status is TaskStatus.REUSED else "ok"
        self._print(
            f"{self._prefix(task)} {how} in {report.duration:.2f}s"
            + (f": {produced}" if produced else "")
        )

    @hookimpl
    def wfe_task_error(self, task: TaskSpec, report: TaskReport, error: TaskError) -> None:
        self._print(
            f"{self._prefix(task)} FAILED after {report.duration:.2f}s: {cause_text(error)}"
        )

    @hookimpl
    def wfe_workflow_end(self, workflow: WorkflowSpec, result: RunResult) -> None:
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


class ProgressDisplay(TextDisplay):
    """For a terminal: a line per finished task, under a live bar of tasks done/total and
    the running tasks with their elapsed time (redrawn a few times a second)."""

    def __init__(self, stream: TextIO | None = None, refresh: float = 0.25) -> None:
        super().__init__(stream)
        self.refresh = refresh
        self._done = 0
        self._running: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _bar(self) -> str:
        width = max(shutil.get_terminal_size((100, 20)).columns - 1, 20)
        total = max(self._total, 1)
        filled = round(20 * self._done / total)
        now = time.perf_counter()
        running = ", ".join(f"{name} {now - began:.1f}s" for name, began in self._running.items())
        line = f"[{'#' * filled}{'-' * (20 - filled)}] {self._done}/{self._total} tasks"
        return (line + (f"  running: {running}" if running else ""))[:width]

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
    def wfe_workflow_start(self, workflow: WorkflowSpec, workers: int) -> None:
        self._stop.clear()
        super().wfe_workflow_start(workflow, workers)
        self._thread = threading.Thread(
            target=self._redraw_until_stopped, name="wfe-progress", daemon=True
        )
        self._thread.start()

    @hookimpl
    def wfe_task_start(self, task: TaskSpec) -> None:
        self._started += 1
        self._number[task.name] = self._started
        with self._lock:
            self._running[task.name] = time.perf_counter()
            self._draw()

    @hookimpl
    def wfe_task_end(self, task: TaskSpec, report: TaskReport, outputs: Mapping[str, Any]) -> None:
        with self._lock:
            self._running.pop(task.name, None)
            self._done += 1
        super().wfe_task_end(task, report, outputs)

    @hookimpl
    def wfe_task_error(self, task: TaskSpec, report: TaskReport, error: TaskError) -> None:
        with self._lock:
            self._running.pop(task.name, None)
            self._done += 1
        super().wfe_task_error(task, report, error)

    @hookimpl
    def wfe_workflow_end(self, workflow: WorkflowSpec, result: RunResult) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        super().wfe_workflow_end(workflow, result)


class JsonDisplay:
    """One JSON object per line and event: workflow_start, task_start, task_end,
    task_error, workflow_end. Every object has ``event``, ``time`` (Unix seconds) and
    ``workflow``."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._workflow = ""

    def _emit(self, event: str, **fields: Any) -> None:
        record = {
            "event": event,
            "time": round(time.time(), 6),
            "workflow": self._workflow,
            **fields,
        }
        print(json.dumps(record, default=str), file=self.stream, flush=True)

    @hookimpl
    def wfe_workflow_start(self, workflow: WorkflowSpec, workers: int) -> None:
        self._workflow = workflow.name
        self._emit(
            "workflow_start", source=workflow.source, tasks=len(workflow.tasks), workers=workers
        )

    @hookimpl
    def wfe_task_start(self, task: TaskSpec) -> None:
        self._emit("task_start", task=task.name, component=task.component_name)

    @hookimpl
    def wfe_task_end(self, task: TaskSpec, report: TaskReport, outputs: Mapping[str, Any]) -> None:
        self._emit(
            "task_end",
            task=task.name,
            component=task.component_name,
            status=str(report.status),
            duration_s=round(report.duration, 6),
            attempts=report.attempts,
            outputs={name: describe(value) for name, value in outputs.items()},
        )

    @hookimpl
    def wfe_task_error(self, task: TaskSpec, report: TaskReport, error: TaskError) -> None:
        self._emit(
            "task_error",
            task=task.name,
            component=task.component_name,
            status=str(report.status),
            duration_s=round(report.duration, 6),
            attempts=report.attempts,
            error=cause_text(error),
            location=str(error.location) if error.location else None,
        )

    @hookimpl
    def wfe_workflow_end(self, workflow: WorkflowSpec, result: RunResult) -> None:
        self._emit(
            "workflow_end",
            status=result.status,
            duration_s=round(result.duration, 6),
            succeeded=result.succeeded,
            failed=result.failed,
            not_run=result.not_run,
            skipped_because={n: list(result.tasks[n].skipped_because) for n in result.not_run},
        )

"""Run records: one JSON file per run, rewritten after every event.

``RunRecorder`` is a plugin on the lifecycle hooks. It writes
``<root>/<run_id>/run.json`` when a run starts and rewrites it (atomically: temporary
file + rename) as tasks end (at most every ``interval`` seconds, and at once after a
failure) and at the end, so a crash or a ``kill -9`` leaves a readable record of what
had finished, with status ``running``. A record holds
the workflow's name, file and file hash, its variables (secrets masked), the installed
component distributions, start and end, status, and per task: status, attempts,
duration, the process's peak memory when the task ended, the error, and a summary of
each output (type, shape, columns, bytes).
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wfe.errors import TaskError
from wfe.hookspecs import hookimpl
from wfe.masking import mask_vars
from wfe.report import RunResult, TaskReport
from wfe.spec import TaskSpec, WorkflowSpec
from wfe.summary import describe

__all__ = ["DEFAULT_ROOT", "RunRecorder", "find_record", "read_records"]

DEFAULT_ROOT = Path(".wfe") / "runs"
RECORD_FILE = "run.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


class RunRecorder:
    """Writes the record of each run under ``root`` (see the module docstring)."""

    def __init__(
        self,
        root: Path = DEFAULT_ROOT,
        distributions: Mapping[str, str] | None = None,
        interval: float = 0.5,
    ):
        self.root = Path(root)
        self.distributions = dict(distributions or {})
        self.interval = interval
        self.run_id = ""
        self.path: Path | None = None
        self._record: dict[str, Any] = {}
        self._started = 0.0
        self._written = 0.0

    def _write(self) -> None:
        self._written = time.perf_counter()
        assert self.path is not None
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  closed below, renamed into place
            "w", encoding="utf-8", dir=self.path.parent, prefix=".run.", suffix=".tmp", delete=False
        )
        with handle:
            json.dump(self._record, handle, indent=2, default=str)
        os.replace(handle.name, self.path)

    @hookimpl
    def wfe_workflow_start(self, workflow: WorkflowSpec, workers: int) -> None:
        self.run_id = time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        folder = self.root / self.run_id
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / RECORD_FILE
        self._started = time.perf_counter()
        self._record = {
            "run_id": self.run_id,
            "workflow": workflow.name,
            "source": os.path.abspath(workflow.source)
            if workflow.source != "<string>"
            else workflow.source,
            "source_sha256": workflow.source_sha256,
            "vars": mask_vars(workflow.vars),
            "distributions": self.distributions,
            "workers": workers,
            "status": "running",
            "started": _now(),
            "ended": None,
            "duration_s": None,
            "tasks": {
                t.name: {"component": t.component_name, "status": "pending"} for t in workflow.tasks
            },
        }
        self._write()

    def _task(self, task: TaskSpec, report: TaskReport, **extra: Any) -> None:
        self._record["tasks"][task.name] = {
            "component": task.component_name,
            "status": str(report.status),
            "attempts": report.attempts,
            "duration_s": round(report.duration, 6),
            "peak_rss_mb": _peak_rss_mb(),
            **extra,
        }
        # Rewriting the whole record after every task would be quadratic in a long run.
        if "error" in extra or time.perf_counter() - self._written >= self.interval:
            self._write()

    @hookimpl
    def wfe_task_end(self, task: TaskSpec, report: TaskReport, outputs: Mapping[str, Any]) -> None:
        self._task(task, report, outputs={k: describe(v, detail=True) for k, v in outputs.items()})

    @hookimpl
    def wfe_task_error(self, task: TaskSpec, report: TaskReport, error: TaskError) -> None:
        cause = error.__cause__
        self._task(task, report, error=f"{type(cause).__name__}: {cause}" if cause else str(error))

    @hookimpl
    def wfe_workflow_end(self, workflow: WorkflowSpec, result: RunResult) -> None:
        tasks = self._record["tasks"]
        for name, report in result.tasks.items():  # tasks no hook reported: not run, reused
            if tasks.get(name, {}).get("status") == "pending":
                tasks[name] = {"component": report.component, "status": str(report.status)}
                if report.skipped_because:
                    tasks[name]["skipped_because"] = list(report.skipped_because)
        self._record.update(
            status=result.status,
            ended=_now(),
            duration_s=round(time.perf_counter() - self._started, 6),
        )
        self._write()

    def mark(self, status: str) -> None:
        """Record that the run ended abruptly with ``status`` (e.g. cancelled at once)."""
        if self.path is not None:
            self._record.update(
                status=status,
                ended=_now(),
                duration_s=round(time.perf_counter() - self._started, 6),
            )
            self._write()


def read_records(root: Path = DEFAULT_ROOT) -> list[dict[str, Any]]:
    """Every readable record under ``root``, newest first."""
    records = []
    for path in Path(root).glob(f"*/{RECORD_FILE}"):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # a record being written right now, or damaged: skip it
    return sorted(records, key=lambda r: str(r.get("started", "")), reverse=True)


def find_record(run_id: str, root: Path = DEFAULT_ROOT) -> dict[str, Any] | None:
    """The record of ``run_id`` (a unique prefix is enough), or None."""
    path = Path(root) / run_id / RECORD_FILE
    if path.is_file():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    matches = [r for r in read_records(root) if str(r.get("run_id", "")).startswith(run_id)]
    return matches[0] if len(matches) == 1 else None

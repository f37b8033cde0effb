"""Run records: what each run did, kept on disk at a cost that does not grow per task.

``RunRecorder`` is a plugin on the lifecycle hooks. Each run gets a folder
``<root>/<run_id>/`` holding two files:

``run.json``
    the run's summary: workflow name, file and sha256, variables (secrets masked), the
    installed distributions, executor, options, start, end, status and task counts.
    Small (it holds no per-task data), written atomically when the run starts and when
    it ends: ``wfe runs list`` reads only these, newest first.
``logs/<task>.log``
    what each task printed and logged (when it did), written as the task ends.
``tasks.jsonl``
    an append-only log: a header naming the columns and every task, then one JSON list
    per task as it ends (status, attempts, duration, the process's peak memory, a
    description of each output with small values such as metrics, the error, where its
    log is), and at the end one per task that did not run. Each task costs one short line, so a
    100,000-task run writes no more than 100,000 lines; the log is flushed at least
    every ``flush_interval`` seconds and at once after a failure, so a crash or a
    ``kill -9`` leaves a readable record (status ``running``) of what had finished.

Per-run state is keyed by ``run.id``: one recorder serves any number of runs at once.
:func:`read_record` joins both files back into one record; records that are damaged
or of the wrong shape are flagged, never fatal.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import IO, Any

from wfe.atomicfile import atomic_write
from wfe.errors import TaskError
from wfe.hookspecs import hookimpl
from wfe.masking import mask_vars
from wfe.report import RunResult, TaskReport
from wfe.run import Run
from wfe.spec import TaskSpec, WorkflowSpec

__all__ = [
    "DEFAULT_ROOT",
    "RunRecorder",
    "find_record",
    "read_record",
    "read_summaries",
    "task_log",
]

DEFAULT_ROOT = Path(".wfe") / "runs"
SUMMARY_FILE = "run.json"
TASKS_FILE = "tasks.jsonl"
LOGS_FOLDER = "logs"
#: the fields of a task's line in tasks.jsonl, in order (a line may stop early); lists,
#: not mappings, because encoding a short list costs a third of encoding a dict
COLUMNS = (
    "task",
    "status",
    "attempts",
    "duration_s",
    "peak_rss_mb",
    "outputs",
    "error",
    "log",
    "skipped_because",
    "warnings",
)


def _encoder() -> Callable[[Any], str]:
    """Compact JSON, non-ASCII kept, anything unknown as ``str()``. The C encoder is
    built once: ``json.dumps`` builds it again on every call, which costs more than
    encoding a task's line."""
    if c_make_encoder is None:  # no C accelerator (another Python): the plain way
        return json.JSONEncoder(default=str, ensure_ascii=False, separators=(",", ":")).encode
    encode = c_make_encoder(None, str, encode_basestring, None, ":", ",", False, False, True)
    return lambda value: "".join(encode(value, 0))


_encode = _encoder()


_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}")


def _log_path(task: str) -> str:
    """Where a task's log goes, relative to the run's folder: its name when that is a
    plain file name, else a digest of it (a name never becomes a path of its own)."""
    stem = task if _SAFE_NAME.fullmatch(task) else hashlib.sha256(task.encode()).hexdigest()
    return f"{LOGS_FOLDER}/{stem}.log"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


#: seconds between two readings of the process's peak memory (it only grows, so a task
#: that ends sooner after the last reading shows that reading: at most this stale)
RSS_INTERVAL = 0.01


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(data, indent=2, default=str))


@dataclass
class _Open:
    """One run being recorded."""

    folder: Path
    summary: dict[str, Any]
    log: IO[str]
    started: float
    flushed: float
    reported: set[str] = field(default_factory=set)
    #: the process's peak memory, read at most every RSS_INTERVAL seconds
    rss_mb: float = 0.0
    rss_read: float = float("-inf")


class RunRecorder:
    """Writes the record of each run under ``root`` (see the module docstring)."""

    def __init__(
        self,
        root: str | os.PathLike[str] = DEFAULT_ROOT,
        distributions: Mapping[str, str] | None = None,
        flush_interval: float = 0.5,
        only_run: str | None = None,
    ):
        self.root = Path(root)
        self.distributions = dict(distributions or {})
        self.flush_interval = flush_interval
        #: record this run only (a recorder added for one run of a shared plugin set)
        self.only_run = only_run
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()  # guards _open between runs in different threads

    def folder_of(self, run_id: str) -> Path:
        """Where the record of ``run_id`` is."""
        return self.root / run_id

    @hookimpl
    def wfe_workflow_start(self, run: Run, workflow: WorkflowSpec) -> None:
        if self.only_run is not None and run.id != self.only_run:
            return  # another run of the same plugins: not ours (the other hooks see no state)
        folder = self.folder_of(run.id)
        folder.mkdir(parents=True, exist_ok=True)
        options = run.options
        summary = {
            "run_id": run.id,
            "workflow": workflow.name,
            "source": os.path.abspath(workflow.source)
            if workflow.source != "<string>"
            else workflow.source,
            "source_sha256": workflow.source_sha256,
            "vars": mask_vars(workflow.vars),
            "distributions": self.distributions,
            "executor": run.executor,
            "executor_description": run.executor_description,
            "options": {
                "keep_going": options.keep_going,
                "checkpoint": options.checkpoint,
                "resume": options.resume,
                "only": list(options.only),
                "start_at": options.start_at,
                "stop_after": options.stop_after,
            },
            "status": "running",
            "started": _now(),
            "ended": None,
            "duration_s": None,
            "task_count": len(workflow.tasks),
            "counts": None,
        }
        _write_json(folder / SUMMARY_FILE, summary)
        log = (folder / TASKS_FILE).open("w", encoding="utf-8")
        tasks = [[t.name, t.component_name] for t in workflow.tasks]
        log.write(_encode({"columns": COLUMNS, "tasks": tasks}) + "\n")
        log.flush()
        now = time.perf_counter()
        with self._lock:
            self._open[run.id] = _Open(folder, summary, log, now, now)

    def _record(
        self, run: Run, task: TaskSpec, report: TaskReport, error: str | None, urgent: bool
    ) -> None:
        """Append one task's line (:data:`COLUMNS` order; trailing empty fields left
        out); its log goes to a file of its own."""
        state = self._open.get(run.id)
        if state is None:
            return
        name = task.name
        log_path = None
        if report.log:
            log_path = _log_path(name)
            (state.folder / LOGS_FOLDER).mkdir(exist_ok=True)
            (state.folder / log_path).write_text(report.log, encoding="utf-8")
        now = time.perf_counter()
        if now - state.rss_read >= RSS_INTERVAL:  # a system call: not for every tiny task
            state.rss_mb = _peak_rss_mb()
            state.rss_read = now
        row: list[Any] = [
            name,
            report.status.value,
            report.attempts,
            round(report.duration, 6),
            state.rss_mb,
            report.outputs or None,
        ]
        if error is not None or log_path is not None or report.warnings:
            row += [error, log_path, None, report.warnings or None]
        state.reported.add(name)
        state.log.write(_encode(row) + "\n")
        if urgent or now - state.flushed >= self.flush_interval:
            state.log.flush()
            state.flushed = now

    @hookimpl
    def wfe_task_end(self, run: Run, task: TaskSpec, report: TaskReport) -> None:
        self._record(run, task, report, None, urgent=False)

    @hookimpl
    def wfe_task_error(
        self, run: Run, task: TaskSpec, report: TaskReport, error: TaskError
    ) -> None:
        self._record(run, task, report, error.cause_text or str(error), urgent=True)

    @hookimpl
    def wfe_workflow_end(self, run: Run, result: RunResult) -> None:
        with self._lock:
            state = self._open.pop(run.id, None)
        if state is None:
            return
        for name, report in result.tasks.items():  # tasks no hook reported: not run, reused
            if name not in state.reported:
                row: list[Any] = [name, report.status.value]
                if report.skipped_because:
                    row += [None] * 6 + [list(report.skipped_because)]
                state.log.write(_encode(row) + "\n")
        state.log.close()
        statuses = [str(r.status) for r in result.tasks.values()]
        counts = {s: statuses.count(s) for s in ("succeeded", "reused", "failed", "not_run")}
        self._finish(state, result.status, counts)

    def _finish(self, state: _Open, status: str, counts: dict[str, int] | None) -> None:
        state.summary.update(
            status=status,
            ended=_now(),
            duration_s=round(time.perf_counter() - state.started, 6),
            counts=counts,
        )
        _write_json(state.folder / SUMMARY_FILE, state.summary)

    def mark(self, status: str) -> None:
        """Record that every open run ended abruptly with ``status`` (e.g. cancelled at
        once): flush what is logged and update the summaries."""
        with self._lock:
            states = list(self._open.values())
        for state in states:
            state.log.flush()
            self._finish(state, status, None)


# -- reading ---------------------------------------------------------------------------


def _read_summary(folder: Path) -> dict[str, Any] | None:
    """A run's summary, or None when it is missing, damaged or of the wrong shape."""
    try:
        summary = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(summary, dict) or not isinstance(summary.get("run_id"), str):
        return None
    return summary


def _run_folders(root: Path) -> list[Path]:
    """Run folders, newest first (run ids begin with their start time)."""
    try:
        entries = [e for e in os.scandir(root) if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return []
    return [Path(e.path) for e in sorted(entries, key=lambda e: e.name, reverse=True)]


def read_summaries(root: Path = DEFAULT_ROOT, limit: int | None = None) -> list[dict[str, Any]]:
    """The summaries of the newest ``limit`` readable runs under ``root`` (all when
    None), newest first. Reads one small file per run listed."""
    found: list[dict[str, Any]] = []
    for folder in _run_folders(root):
        if limit is not None and len(found) >= limit:
            break
        summary = _read_summary(folder)
        if summary is not None:
            found.append(summary)
    return found


def _task_lines(path: Path) -> Iterator[dict[str, Any] | list[Any]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError:
        return
    with handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # the last line of a killed run may be cut short
            if isinstance(entry, dict | list):
                yield entry


def read_record(folder: Path) -> dict[str, Any] | None:
    """The whole record of the run in ``folder``: its summary with ``tasks``, a mapping
    of every task to what is known of it (``pending`` when the run stopped before the
    task ended). None when the summary is unreadable."""
    record = _read_summary(folder)
    if record is None:
        return None
    tasks: dict[str, dict[str, Any]] = {}
    columns: tuple[str, ...] = COLUMNS
    for entry in _task_lines(folder / TASKS_FILE):
        if isinstance(entry, dict):  # the header: the columns and every task
            listed = entry.get("tasks")
            if isinstance(entry.get("columns"), list):
                columns = tuple(map(str, entry["columns"]))
            for item in listed if isinstance(listed, list) else ():
                if isinstance(item, list) and len(item) == 2:
                    tasks[str(item[0])] = {"component": item[1], "status": "pending"}
        elif entry and isinstance(entry[0], str):
            known = tasks.setdefault(entry[0], {"component": None, "status": "pending"})
            known.update(
                (k, v) for k, v in zip(columns[1:], entry[1:], strict=False) if v is not None
            )
    record["tasks"] = tasks
    return record


def task_log(record: Mapping[str, Any], task: str, root: Path = DEFAULT_ROOT) -> str | None:
    """The log a task of a recorded run left, or None when it left none."""
    tasks = record.get("tasks")
    entry = tasks.get(task) if isinstance(tasks, dict) else None
    relative = _log_path(task)
    if not isinstance(entry, dict) or entry.get("log") != relative:
        return None  # only the name the recorder writes: never a path read from the file
    try:
        return (Path(root) / str(record["run_id"]) / relative).read_text(encoding="utf-8")
    except OSError:
        return None


def find_record(run_id: str, root: Path = DEFAULT_ROOT) -> dict[str, Any] | None:
    """The record of ``run_id`` (a unique prefix is enough), or None."""
    if run_id and "/" not in run_id and run_id not in (".", ".."):
        exact = Path(root) / run_id
        if exact.is_dir():
            return read_record(exact)
    matches = [f for f in _run_folders(Path(root)) if f.name.startswith(run_id)]
    return read_record(matches[0]) if len(matches) == 1 else None

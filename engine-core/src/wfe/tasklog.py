"""Each task's own log: what it prints, the ``logging`` records and the warnings it emits.

While a task runs, a context variable names its :class:`TaskLog`. Three process-wide
pieces route output by that variable, so tasks running at once in threads each get
their own log and nothing else is touched:

- ``sys.stdout``/``sys.stderr`` are wrapped: a write from a task goes to its log, and
  also to the real stream unless echo is off (``--log-format json`` turns it off, so
  that stdout carries nothing but JSON objects);
- a handler on the root logger copies each record emitted by a task into its log, at
  the level the root logger lets through (``--log-level``), and a filter adds the task's
  name to every record as ``record.wfe_task`` for other handlers (``--log-file``);
- ``warnings.showwarning`` is wrapped: a warning a task emits (as Python's filters let
  it through: by default once per place in the code and process) is written to its log
  and kept as data (category, message and the warning's plain attributes, such as an
  unpinned model's ``sha256`` and ``pin``) for the run record, and still shown as usual.

A log keeps its last :data:`LIMIT` characters (older text is dropped, and the log says
how much), so a task that prints gigabytes cannot exhaust memory. The log travels back
with the task's outcome (also from a worker process), is kept with the run record, and
its tail is shown when the task fails.
"""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from contextvars import ContextVar
from typing import Any, TextIO

from wfe.masking import mask_text

__all__ = [
    "CURRENT",
    "LIMIT",
    "TaskLog",
    "configure",
    "current",
    "hold",
    "release",
    "warning_data",
]

#: characters of a task's log that are kept (the newest ones)
LIMIT = 256 * 1024

#: the log of the task running in this context (None outside tasks)
CURRENT: ContextVar[TaskLog | None] = ContextVar("wfe_task_log", default=None)
#: whether output is being routed to task logs (some run or task holds it)
routing = False
_lock = threading.Lock()
_holders = 0
_installed: tuple[TextIO, TextIO, logging.Handler, logging.Filter, Any] | None = None
_echo = True


class TaskLog:
    """The captured output of one task (the newest :data:`LIMIT` characters)."""

    __slots__ = ("_chunks", "_size", "dropped", "task", "warnings", "written")

    def __init__(self, task: str) -> None:
        self.task = task
        # Made on the first write or warning: most tasks write nothing, and a log is made
        # for every task.
        self._chunks: list[str] | None = None
        self._size = 0
        #: characters dropped from the start to stay within the limit
        self.dropped = 0
        #: the warnings the task emitted, as data (see :func:`warning_data`)
        self.warnings: list[dict[str, Any]] | None = None
        #: whether the task wrote or warned anything
        self.written = False

    def warn(self, data: dict[str, Any]) -> None:
        if self.warnings is None:
            self.warnings = []
        self.warnings.append(data)
        self.write(f"WARNING {data['category']}: {data['message']}\n")

    def write(self, text: str) -> None:
        if not text:
            return
        if self._chunks is None:
            self._chunks = []
            self.written = True
        self._chunks.append(text)
        self._size += len(text)
        if self._size > 2 * LIMIT:  # trim now and then, not on every write
            self._trim()

    def _trim(self) -> None:
        whole = "".join(self._chunks or ())
        keep = whole[-LIMIT:]
        self.dropped += len(whole) - len(keep)
        self._chunks, self._size = [keep], len(keep)

    def text(self) -> str:
        """The log; starts with a note when older text was dropped."""
        if self._chunks is None:
            return ""
        if self._size > LIMIT:
            self._trim()
        body = mask_text("".join(self._chunks))  # URL passwords: see wfe.masking
        if self.dropped:
            return f"[... {self.dropped:,} earlier characters dropped ...]\n{body}"
        return body


def current() -> TaskLog | None:
    """The log of the task running in this context, if any."""
    return CURRENT.get()


class _Router:
    """Stands in for ``sys.stdout``/``sys.stderr``: a task's writes go to its log."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        log = CURRENT.get()
        if log is None:
            return self._stream.write(text)
        log.write(text)
        if _echo:
            self._stream.write(mask_text(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding, buffer, ...
        return getattr(self._stream, name)


class _ToTaskLog(logging.Handler):
    """Copies each record emitted by a task into that task's log."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        log = CURRENT.get()
        if log is not None:
            log.write(self.format(record) + "\n")


class _NameTheTask(logging.Filter):
    """Adds ``record.wfe_task`` (the running task's name, or "") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        log = CURRENT.get()
        record.wfe_task = log.task if log is not None else ""
        return True


def warning_data(message: Warning | str, category: type[Warning]) -> dict[str, Any]:
    """A warning as JSON-ready data: ``category``, ``message`` (masked) and the plain
    attributes of the warning object (strings and numbers not starting with ``_``)."""
    data: dict[str, Any] = {"category": category.__name__, "message": mask_text(str(message))}
    for name, value in vars(message).items() if isinstance(message, Warning) else ():
        if not name.startswith("_") and isinstance(value, str | int | float | bool):
            data[name] = mask_text(value) if isinstance(value, str) else value
    return data


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    log = CURRENT.get()
    if log is not None:
        log.warn(warning_data(message, category))
    assert _installed is not None
    show = _installed[4]
    if log is None or _echo:
        show(message, category, filename, lineno, file, line)


def configure(echo: bool) -> None:
    """Whether a task's prints also reach the real stdout/stderr (default: yes)."""
    global _echo
    _echo = echo


def hold() -> None:
    """Route output to task logs until the matching :func:`release` (counted: runs in
    several threads each hold it)."""
    global _holders, _installed, routing
    with _lock:
        _holders += 1
        if _installed is not None:
            return
        routing = True
        handler, name_filter = _ToTaskLog(), _NameTheTask()
        root = logging.getLogger()
        root.addHandler(handler)
        root.addFilter(name_filter)
        for existing in root.handlers:
            existing.addFilter(name_filter)  # records from child loggers skip root filters
        _installed = (sys.stdout, sys.stderr, handler, name_filter, warnings.showwarning)
        sys.stdout = _Router(sys.stdout)
        sys.stderr = _Router(sys.stderr)
        warnings.showwarning = _show_warning


def release() -> None:
    """Undo one :func:`hold`; the last one restores the streams and the root logger."""
    global _holders, _installed, routing
    with _lock:
        _holders -= 1
        if _holders > 0 or _installed is None:
            return
        stdout, stderr, handler, name_filter, show = _installed
        _installed = None
        routing = False
        sys.stdout, sys.stderr = stdout, stderr
        warnings.showwarning = show
        root = logging.getLogger()
        root.removeHandler(handler)
        root.removeFilter(name_filter)
        for existing in root.handlers:
            existing.removeFilter(name_filter)

"""What a run tells its caller: per-task reports and the workflow's results."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from wfe.errors import RunFailedError, TaskError

__all__ = ["RunResult", "TaskReport", "TaskStatus"]


class TaskStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NOT_RUN = "not_run"
    #: satisfied by a checkpoint instead of running
    REUSED = "reused"


_DONE = (TaskStatus.SUCCEEDED, TaskStatus.REUSED)


@dataclass(slots=True)
class TaskReport:
    """How one task went. ``duration`` is in seconds (all attempts); ``error`` is set
    when it failed; ``skipped_because`` names the failed tasks a not-run task waited on."""

    name: str
    component: str
    status: TaskStatus
    duration: float = 0.0
    error: TaskError | None = None
    attempts: int = 0
    skipped_because: tuple[str, ...] = ()
    #: a description of each output (type, shape, a scalar's value: see
    #: :func:`wfe.summary.describe`)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    #: what the task printed and logged (its newest 256 KiB)
    log: str = ""
    #: the warnings it emitted: ``{"category", "message", ...attributes}``
    warnings: Sequence[Mapping[str, Any]] = ()


@dataclass(slots=True)
class RunResult:
    """The outcome of ``Workflow.run()``.

    ``results`` holds the workflow's results: every output that no task consumes, plus
    the outputs asked for with ``run(outputs=[...])``; ``result["name"]`` reads one.
    Other intermediates were released during the run and are not here.
    """

    workflow: str
    tasks: dict[str, TaskReport]
    results: dict[str, Any] = field(default_factory=dict)
    duration: float = 0.0
    #: the run was stopped from outside (Ctrl-C, SIGTERM, the ``cancel`` event)
    cancelled: bool = False
    #: the run's id (its record's name, when one was written)
    run_id: str = ""

    def __getitem__(self, output: str) -> Any:
        """The value of a result or a kept output."""
        try:
            return self.results[output]
        except KeyError:
            kept = ", ".join(sorted(self.results)) or "none"
            raise KeyError(
                f"no output '{output}' in this run's results (kept: {kept}); "
                f"ask for it with run(outputs=['{output}'])"
            ) from None

    @property
    def ok(self) -> bool:
        return all(r.status in _DONE for r in self.tasks.values())

    @property
    def status(self) -> str:
        """``succeeded``, ``failed`` (a task failed) or ``cancelled``."""
        if self.failed:
            return "failed"
        return "succeeded" if self.ok else "cancelled"

    def _named(self, status: TaskStatus) -> list[str]:
        return [name for name, r in self.tasks.items() if r.status is status]

    @property
    def succeeded(self) -> list[str]:
        return self._named(TaskStatus.SUCCEEDED)

    @property
    def reused(self) -> list[str]:
        return self._named(TaskStatus.REUSED)

    @property
    def failed(self) -> list[str]:
        return self._named(TaskStatus.FAILED)

    @property
    def not_run(self) -> list[str]:
        return self._named(TaskStatus.NOT_RUN)

    @property
    def errors(self) -> list[TaskError]:
        return [r.error for r in self.tasks.values() if r.error is not None]

    def raise_for_status(self) -> RunResult:
        """Raise :class:`RunFailedError` (chained to the first task error) unless ok."""
        if not self.ok:
            errors = self.errors
            raise RunFailedError(
                f"workflow '{self.workflow}' {self.status}: "
                + "; ".join(str(e) for e in errors)
                + (f"; not run: {', '.join(self.not_run)}" if self.not_run else "")
            ) from (errors[0] if errors else None)
        return self

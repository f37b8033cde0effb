"""The one exception hierarchy of wfe.

Everything wfe raises on purpose derives from :class:`WorkflowError`, and each class
also derives from the builtin a caller would naturally catch (``ValueError`` for a bad
definition, ``RuntimeError`` for a failed task, ``ImportError`` for a broken plugin).
The CLI turns any ``WorkflowError`` into a message and an exit code; anything else is
a bug in wfe and is shown as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CheckpointError",
    "ComponentLoadError",
    "DefinitionError",
    "Location",
    "OutputMismatchError",
    "Problem",
    "RunFailedError",
    "SelectionError",
    "TaskError",
    "TaskTimeoutError",
    "WorkflowError",
]


@dataclass(frozen=True, slots=True)
class Location:
    """A position in a source file, 1-based as editors show it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a workflow definition.

    ``path`` locates the offending YAML node from the document root, e.g.
    ``("tasks", 3, "inputs", "df")``; checks that know nothing about YAML (the graph,
    component schemas) fill it in and the loader turns it into a :class:`Location`.
    """

    kind: str
    message: str
    hint: str = ""
    task: str | None = None
    path: tuple[str | int, ...] = ()
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        who = f"task '{self.task}': " if self.task else ""
        text = f"{where}{who}{self.message}"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


class WorkflowError(Exception):
    """Root of every error wfe raises on purpose."""


class DefinitionError(WorkflowError, ValueError):
    """The workflow definition is wrong; nothing has run.

    Carries every problem found in one pass, ordered by position, so a user fixes
    them all at once instead of one per run.
    """

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(_ordered(problems))
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: " if self.source else ""
        head += f"{count} problem{'s' if count != 1 else ''} in the workflow definition"
        return "\n".join([head, *(str(p) for p in self.problems)])

    @property
    def kinds(self) -> list[str]:
        """The kind of each problem, in order (handy in tests and tooling)."""
        return [p.kind for p in self.problems]


def _ordered(problems: Iterable[Problem]) -> Sequence[Problem]:
    def key(p: Problem) -> tuple[int, int, int]:
        if p.location is None:
            return (1, 0, 0)
        return (0, p.location.line, p.location.column)

    return sorted(problems, key=key)


class SelectionError(WorkflowError, ValueError):
    """A slice or a resume cannot be done (unknown task, missing checkpoint, ...)."""


class CheckpointError(WorkflowError, ValueError):
    """Checkpoints cannot be used as asked: a path that would leave the checkpoint
    folder, a task option that does not name locations, ..."""


class ComponentLoadError(WorkflowError, ImportError):
    """A component's module or class could not be imported.

    Names the component, the distribution that declared it and what to install.
    """


class OutputMismatchError(WorkflowError, TypeError):
    """A component returned other outputs than the task declared."""


class TaskError(WorkflowError, RuntimeError):
    """A task failed while running; ``__cause__`` is the component's exception."""

    def __init__(self, task: str, component: str, message: str, location: Location | None = None):
        self.task = task
        self.component = component
        self.location = location
        where = f" (defined at {location})" if location else ""
        super().__init__(f"task '{task}' (component '{component}'){where} failed: {message}")


class TaskTimeoutError(WorkflowError, TimeoutError):
    """A task did not finish within its ``timeout``."""


class RunFailedError(WorkflowError, RuntimeError):
    """Raised by ``RunResult.raise_for_status()`` when a run did not succeed."""

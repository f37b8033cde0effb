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
from typing import Any

from wfe.quoting import quote

__all__ = [
    "CheckpointError",
    "ComponentLoadError",
    "DefinitionError",
    "ExecutorError",
    "Location",
    "OutputMismatchError",
    "PluginError",
    "PolicyError",
    "Problem",
    "ProblemList",
    "RemoteError",
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

    The message and the hint are masked (:func:`wfe.masking.mask_text`) when the problem
    is made: a problem often quotes a value from the file, and the value may be a URL
    with a password; every channel that shows it then shows it masked.
    """

    kind: str
    message: str
    hint: str = ""
    task: str | None = None
    path: tuple[str | int, ...] = ()
    location: Location | None = None

    def __post_init__(self) -> None:
        from wfe.masking import mask_text  # on first use: loading a valid file needs none

        object.__setattr__(self, "message", mask_text(self.message))
        object.__setattr__(self, "hint", mask_text(self.hint))

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        who = f"task {quote(self.task)}: " if self.task else ""
        text = f"{where}{who}{self.message}"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


#: At most this many problems are kept and listed; the rest are only counted.
MAX_PROBLEMS = 1_000


class ProblemList(list[Problem]):
    """A list that keeps the first :data:`MAX_PROBLEMS` problems and counts the rest.

    A hostile (or generated) file can hold millions of mistakes, a million duplicate
    keys say; keeping them all took gigabytes, and no one reads past the first few
    hundred. The first ones are the ones to fix first anyway.
    """

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def append(self, problem: Problem) -> None:
        if len(self) < MAX_PROBLEMS:
            super().append(problem)
        else:
            self.dropped += 1

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)


class WorkflowError(Exception):
    """Root of every error wfe raises on purpose."""


class DefinitionError(WorkflowError, ValueError):
    """The workflow definition is wrong; nothing has run.

    Carries every problem found in one pass, ordered by position, so a user fixes
    them all at once instead of one per run.
    """

    def __init__(self, problems: Iterable[Problem], source: str = "", dropped: int = 0) -> None:
        self.problems: tuple[Problem, ...] = tuple(_ordered(problems))
        self.source = source
        #: how many more problems were found than ``problems`` holds
        self.dropped = dropped
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems) + self.dropped
        head = f"{self.source}: " if self.source else ""
        head += f"{count:,} problem{'s' if count != 1 else ''} in the workflow definition"
        lines = [head, *(str(p) for p in self.problems)]
        if self.dropped:
            lines.append(
                f"... and {self.dropped:,} more (only the first {len(self.problems):,} are listed)"
            )
        return "\n".join(lines)

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


class PolicyError(WorkflowError, ValueError):
    """The operator policy file (``$WFE_POLICY`` or ``/etc/wfe/policy.toml``) is broken:
    not TOML, an unknown key or a wrong type. Nothing is loaded until it is fixed."""


class SelectionError(WorkflowError, ValueError):
    """A slice or a resume cannot be done (unknown task, missing checkpoint, ...)."""


class CheckpointError(WorkflowError, ValueError):
    """Checkpoints cannot be used as asked: a path that would leave the checkpoint
    folder, a task option that does not name locations, ..."""


class ExecutorError(WorkflowError, RuntimeError):
    """The executor could not start (a cluster that cannot be reached, say) or broke
    down; no task result is lost silently: the run stops and says why."""


class PluginError(WorkflowError, TypeError):
    """A plugin breaks the plugin contract: a hook implementation whose name is not a wfe
    hook, or whose arguments are not the hook's. Names the plugin and its distribution."""


class ComponentLoadError(WorkflowError, ImportError):
    """A component's module or class could not be imported.

    Names the component, the distribution that declared it and what to install.
    """


class OutputMismatchError(WorkflowError, TypeError):
    """A component returned other outputs than the task declared."""


class TaskError(WorkflowError, RuntimeError):
    """A task failed while running; ``__cause__`` is the component's exception.

    Pickles (a task may fail in another process): the cause travels with it when it
    pickles, else as a :class:`RemoteError` with the same type name and message.
    ``cause_text`` and ``traceback_text`` survive either way.

    The message, ``cause_text`` and ``traceback_text`` are masked
    (:func:`wfe.masking.mask_text`): displays, records and ``--debug`` show them as they
    are. The cause itself is the component's exception, untouched: whoever shows it
    directly masks it too.
    """

    def __init__(
        self,
        task: str,
        component: str,
        message: str,
        location: Location | None = None,
        cause: BaseException | None = None,
    ):
        from wfe.masking import mask_text  # on first use: a run without failures needs none

        self.task = task
        self.component = component
        self.message = mask_text(message)
        self.location = location
        where = f" (defined at {location})" if location else ""
        super().__init__(f"task '{task}' (component '{component}'){where} failed: {self.message}")
        #: the component's exception as ``Type: message`` ("" when there is none)
        self.cause_text = ""
        #: the cause's traceback, formatted where it happened ("" when there is none)
        self.traceback_text = ""
        if cause is not None:
            self.__cause__ = cause
            self.cause_text = mask_text(f"{type(cause).__name__}: {cause}")
            import traceback  # only when a task fails: not at start-up

            self.traceback_text = mask_text("".join(traceback.format_exception(cause)))

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_task_error,
            (
                self.task,
                self.component,
                self.message,
                self.location,
                _portable(self.__cause__),
                self.cause_text,
                self.traceback_text,
            ),
        )


class RemoteError(WorkflowError, RuntimeError):
    """Stands in for an exception that could not be pickled (it happened in another
    process); ``type_name`` is the original exception's class name."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.type_name = type_name

    def __reduce__(self) -> tuple[Any, ...]:
        return (RemoteError, (self.type_name, str(self)))


def _portable(cause: BaseException | None) -> BaseException | None:
    if cause is None:
        return None
    import pickle  # only when an error travels: not at start-up

    try:
        pickle.loads(pickle.dumps(cause))
    except Exception:
        return RemoteError(type(cause).__name__, str(cause))
    return cause


def _rebuild_task_error(
    task: str,
    component: str,
    message: str,
    location: Location | None,
    cause: BaseException | None,
    cause_text: str,
    traceback_text: str,
) -> TaskError:
    error = TaskError(task, component, message, location)
    error.__cause__ = cause
    error.cause_text = cause_text
    error.traceback_text = traceback_text
    return error


class TaskTimeoutError(WorkflowError, TimeoutError):
    """A task did not finish within its ``timeout``."""


class RunFailedError(WorkflowError, RuntimeError):
    """Raised by ``RunResult.raise_for_status()`` when a run did not succeed."""

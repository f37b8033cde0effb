"""The ``wfe`` application object, shared options and error handling.

Exit codes: 0 success; 1 a task failed; 2 the definition or the command line is
wrong; 130 cancelled or interrupted; 141 the output pipe closed; 70 an internal error of
wfe (a bug: please report it). No traceback reaches the user unless ``--debug``.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from wfe.plugins import Plugins
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


def command_group(name: str, help: str) -> typer.Typer:
    """A ``wfe NAME ...`` group of commands (each module adds its commands to it)."""
    group = typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


class LogFormat(enum.StrEnum):
    text = "text"
    json = "json"


class LogLevel(enum.StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


def configure_logging(level: LogLevel, log_file: Path | None, echo_prints: bool) -> None:
    """The run's logging: records at ``level`` or above go to stderr (and ``log_file``),
    each naming its task, and into that task's own log (see wfe.tasklog). With
    ``echo_prints`` off (JSON output), what tasks print stays in their logs and out of
    stdout."""
    import logging

    from wfe import tasklog
    from wfe.masking import mask_text

    class TaskFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            task = getattr(record, "wfe_task", "")
            record.wfe_where = f"[{task}] " if task else ""
            return mask_text(super().format(record))

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setFormatter(TaskFormatter("%(levelname)s %(wfe_where)s%(name)s: %(message)s"))
    if log_file is not None:
        try:
            to_file = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            error(f"error: cannot write the log file {log_file}: {exc.strerror or exc}")
            exit_with(EXIT_USAGE)
        to_file.setFormatter(
            TaskFormatter("%(asctime)s %(levelname)s %(wfe_where)s%(name)s: %(message)s")
        )
        handlers.append(to_file)
    logging.basicConfig(level=level.value, handlers=handlers, force=True)
    tasklog.configure(echo=echo_prints)


STATE = {"debug": False}

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
ExecutorName = Annotated[
    str | None,
    typer.Option(
        "--executor",
        metavar="NAME",
        help="Where tasks run: sequential, threads, ... (`wfe executors list`).",
    ),
]
ExecutorOptions = Annotated[
    list[str] | None,
    typer.Option(
        "--executor-option",
        metavar="KEY=VALUE",
        help="An option of the executor (repeatable); values are read as YAML scalars.",
    ),
]


def _version(value: bool) -> None:
    if value:
        from wfe._version import __version__

        typer.echo(f"wfe {__version__} (engine-core)")
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
    STATE["debug"] = debug


def error(message: str) -> None:
    """Write ``message`` to stderr, URL passwords masked (every CLI error goes here)."""
    from wfe.masking import mask_text

    typer.echo(mask_text(message), err=True)


def print_traceback(exc: BaseException) -> None:
    """``--debug``: the full error chain, masked like every other message."""
    import traceback

    error("".join(traceback.format_exception(exc)).rstrip("\n"))


def exit_with(code: int) -> NoReturn:
    raise typer.Exit(code)


@contextmanager
def user_errors(debug: bool, log_format: LogFormat = LogFormat.text) -> Iterator[None]:
    """Turn every exception into a message and an exit code."""
    debug = debug or STATE["debug"]
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        error("wfe: interrupted")
        exit_with(EXIT_INTERRUPTED)
    except BrokenPipeError:  # `wfe ... | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        exit_with(EXIT_BROKEN_PIPE)
    except Exception as exc:
        if debug:
            print_traceback(exc)
        exit_with(_report(exc, log_format))


def _report(exc: Exception, log_format: LogFormat) -> int:
    """Show ``exc`` as ``user_errors`` does; the exit code. (wfe.errors is imported
    here, when something went wrong: a command that succeeds does not need it.)"""
    from wfe.errors import DefinitionError, WorkflowError

    if isinstance(exc, DefinitionError):
        if log_format is LogFormat.json:
            import json

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
        error(str(exc))
        return EXIT_USAGE
    if isinstance(exc, WorkflowError):
        error(f"error: {exc}")
        return EXIT_USAGE
    error(
        f"wfe: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in wfe or a plugin; run again with --debug for the traceback."
    )
    return EXIT_INTERNAL


def parse_pairs(pairs: list[str] | None, option: str, typed: bool = False) -> dict[str, Any]:
    """``NAME=VALUE`` strings into a mapping; with ``typed``, values are read as YAML
    scalars (``4`` -> 4, ``true`` -> True)."""
    from wfe.variables import typed_scalar

    values: dict[str, Any] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            error(f"error: {option} expects NAME=VALUE, got '{pair}'")
            exit_with(EXIT_USAGE)
        values[name.strip()] = typed_scalar(value) if typed else value
    return values


def load_workflow(file: Path, pairs: list[str] | None, plugins: Plugins) -> Workflow:
    """``wfe.load``, which also decides whether python_function may import modules
    next to the file (see its docstring)."""
    from wfe.policy import current_policy
    from wfe.workflow import load

    current_policy()  # a broken policy file stops here, before anything is loaded
    return load(file, parse_pairs(pairs, "--var"), plugins=plugins)

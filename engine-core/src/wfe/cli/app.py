"""The ``wfe`` application object, shared options and error handling.

Exit codes: 0 success; 1 a task failed; 2 the definition or the command line is
wrong; 130 cancelled or interrupted; 141 the output pipe closed; 70 an internal error of
wfe (a bug: please report it). No traceback reaches the user unless ``--debug``.
"""

from __future__ import annotations

import enum
import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

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
components_app = typer.Typer(
    help="List and describe the installed components.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(components_app, name="components")
runs_app = typer.Typer(
    help="List and show the records of past runs.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(runs_app, name="runs")
checkpoints_app = typer.Typer(
    help="List and tidy saved checkpoints (see wfe run --checkpoint).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(checkpoints_app, name="checkpoints")


class LogFormat(enum.StrEnum):
    text = "text"
    json = "json"


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


def _version(value: bool) -> None:
    if value:
        from wfe.plugins import core_version

        typer.echo(f"wfe {core_version()} (engine-core)")
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
    typer.echo(message, err=True)


def exit_with(code: int) -> NoReturn:
    raise typer.Exit(code)


@contextmanager
def user_errors(debug: bool, log_format: LogFormat = LogFormat.text) -> Iterator[None]:
    """Turn every exception into a message and an exit code."""
    from wfe.errors import DefinitionError, WorkflowError

    debug = debug or STATE["debug"]
    try:
        yield
    except typer.Exit:
        raise
    except DefinitionError as exc:
        if debug:
            traceback.print_exception(exc)
        if log_format is LogFormat.json:
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
        exit_with(EXIT_USAGE)
    except WorkflowError as exc:
        if debug:
            traceback.print_exception(exc)
        error(f"error: {exc}")
        exit_with(EXIT_USAGE)
    except KeyboardInterrupt:
        error("wfe: interrupted")
        exit_with(EXIT_INTERRUPTED)
    except BrokenPipeError:  # `wfe ... | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        exit_with(EXIT_BROKEN_PIPE)
    except Exception as exc:
        if debug:
            traceback.print_exception(exc)
        error(
            f"wfe: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in wfe or a plugin; run again with --debug for the traceback."
        )
        exit_with(EXIT_INTERNAL)


def parse_vars(pairs: list[str] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            error(f"error: --var expects NAME=VALUE, got '{pair}'")
            exit_with(EXIT_USAGE)
        values[name.strip()] = value
    return values


def load_workflow(file: Path, pairs: list[str] | None, plugins: Plugins) -> Workflow:
    from wfe.workflow import load

    # Like `python script.py`, let python_function import modules next to the file.
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return load(file, parse_vars(pairs), plugins=plugins)

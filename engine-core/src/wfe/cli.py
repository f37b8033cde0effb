"""The ``wfe`` command: a thin layer over the Python API.

Exit codes: 0 success; 1 a task failed; 2 the definition or the command line is
wrong; 130 interrupted; 70 an internal error of wfe (a bug: please report it).
No traceback reaches the user unless ``--debug`` is given.

Heavy modules are imported inside the commands, so ``wfe --help`` and
``wfe components list`` stay fast.
"""

from __future__ import annotations

import enum
import inspect
import json
import sys
import traceback
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


class LogFormat(enum.StrEnum):
    text = "text"
    json = "json"


_state = {"debug": False}

Debug = Annotated[bool, typer.Option("--debug", help="Show the full error chain (tracebacks).")]
Vars = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="NAME=VALUE", help="Set a workflow variable (repeatable)."),
]
WorkflowFile = Annotated[Path, typer.Argument(help="The workflow YAML file.", show_default=False)]


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
    _state["debug"] = debug


def _error(message: str) -> None:
    typer.echo(message, err=True)


def _exit(code: int) -> NoReturn:
    raise typer.Exit(code)


@contextmanager
def _user_errors(debug: bool, log_format: LogFormat = LogFormat.text) -> Iterator[None]:
    """Turn every exception into a message and an exit code."""
    from wfe.errors import DefinitionError, WorkflowError

    debug = debug or _state["debug"]
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
        _error(str(exc))
        _exit(EXIT_USAGE)
    except WorkflowError as exc:
        if debug:
            traceback.print_exception(exc)
        _error(f"error: {exc}")
        _exit(EXIT_USAGE)
    except KeyboardInterrupt:
        _error("wfe: interrupted")
        _exit(EXIT_INTERRUPTED)
    except Exception as exc:
        if debug:
            traceback.print_exception(exc)
        _error(
            f"wfe: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in wfe or a plugin; run again with --debug for the traceback."
        )
        _exit(EXIT_INTERNAL)


def _parse_vars(pairs: list[str] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            _error(f"error: --var expects NAME=VALUE, got '{pair}'")
            _exit(EXIT_USAGE)
        values[name.strip()] = value
    return values


def _load(file: Path, pairs: list[str] | None, plugins: Plugins) -> Workflow:
    from wfe.workflow import load

    # Like `python script.py`, let python_function import modules next to the file.
    folder = str(file.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return load(file, _parse_vars(pairs), plugins=plugins)


@app.command()
def run(
    file: WorkflowFile,
    var: Vars = None,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, help="Run up to N independent tasks at once (threads)."),
    ] = 1,
    log_format: Annotated[
        LogFormat, typer.Option("--log-format", help="Progress as text lines or JSON objects.")
    ] = LogFormat.text,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going", help="After a failure, still run every task that does not depend on it."
        ),
    ] = False,
    debug: Debug = False,
) -> None:
    """Validate and run a workflow. Exit code 1 when a task fails."""
    from wfe.display import JsonDisplay, TextDisplay
    from wfe.plugins import load_plugins

    display = JsonDisplay() if log_format is LogFormat.json else TextDisplay()
    with _user_errors(debug, log_format):
        workflow = _load(file, var, load_plugins([display]))
        result = workflow.run(workers=workers, keep_going=keep_going)
    if not result.ok:
        for error in result.errors:
            if debug or _state["debug"]:
                traceback.print_exception(error)
            _error(f"error: {error}")
        _exit(EXIT_TASK_FAILED)


@app.command()
def validate(file: WorkflowFile, var: Vars = None, debug: Debug = False) -> None:
    """Check a workflow without running it: syntax, references, cycles, components, params."""
    from wfe.plugins import load_plugins

    with _user_errors(debug):
        workflow = _load(file, var, load_plugins())
        registry = workflow.plugins.components()
        used = sorted({t.component_name for t in workflow.spec.tasks})
        origins = ", ".join(f"{n} ({registry.refs[n].distribution or 'in-process'})" for n in used)
        count = len(workflow.spec.tasks)
        typer.echo(
            f"{file}: OK: workflow '{workflow.name}', {count} task{'s' if count != 1 else ''}; "
            f"components: {origins}"
        )


def _report_plugin_failures(plugins: Plugins) -> None:
    for failure in plugins.failures:
        _error(f"warning: {failure}")


@components_app.command("list")
def components_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    debug: Debug = False,
) -> None:
    """List installed components (name, distribution, version, summary)."""
    from wfe.plugins import load_plugins

    with _user_errors(debug):
        plugins = load_plugins()
        refs = list(plugins.components())
        _report_plugin_failures(plugins)
        if as_json:
            rows = [
                {
                    "name": r.name,
                    "summary": r.summary,
                    "distribution": r.distribution,
                    "version": r.version,
                    "target": r.target_path,
                }
                for r in refs
            ]
            typer.echo(json.dumps(rows, indent=2))
            return
        table = [("NAME", "DISTRIBUTION", "VERSION", "SUMMARY")]
        table += [(r.name, r.distribution, r.version, r.summary) for r in refs]
        widths = [max(len(row[i]) for row in table) for i in range(3)]
        for row in table:
            typer.echo(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
                + "  "
                + row[3]
            )


@components_app.command("show")
def components_show(
    name: Annotated[str, typer.Argument(help="The component's name.", show_default=False)],
    debug: Debug = False,
) -> None:
    """Show a component's summary, params, inputs, outputs and documentation."""
    from wfe.plugins import load_plugins
    from wfe.suggest import did_you_mean

    with _user_errors(debug):
        plugins = load_plugins()
        registry = plugins.components()
        ref = registry.get(name)
        if ref is None:
            _report_plugin_failures(plugins)
            hint = did_you_mean(name, registry.refs)
            _error(
                f"error: no component named '{name}'. {hint} `wfe components list` shows them all."
            )
            _exit(EXIT_USAGE)
        typer.echo(
            _describe_component(
                ref.name, ref.summary, ref.distribution, ref.version, registry.load(name)
            )
        )


def _describe_component(name: str, summary: str, distribution: str, version: str, cls: type) -> str:
    lines = [f"{name}  ({distribution or 'in-process'} {version})".rstrip(), f"  {summary}", ""]
    params: Any = getattr(cls, "params_schema", None)
    lines.append(
        "params:" if params else "params: not declared" if params is None else "params: none"
    )
    for key, param in (params or {}).items():
        need = "required" if param.required else f"default: {param.default!r}"
        choices = f"; one of {', '.join(map(repr, param.choices))}" if param.choices else ""
        lines.append(f"  {key}  ({param.type_name()}, {need}{choices})  {param.doc}".rstrip())
    inputs: Any = getattr(cls, "inputs_schema", None)
    lines.append("inputs:" if inputs else "inputs: any names" if inputs is None else "inputs: none")
    for key, spec in (inputs or {}).items():
        lines.append(
            f"  {key}  ({'required' if spec.required else 'optional'})  {spec.doc}".rstrip()
        )
    outputs: Any = getattr(cls, "outputs_schema", None)
    lines.append(
        "outputs (in order):"
        if outputs
        else "outputs: any number"
        if outputs is None
        else "outputs: none"
    )
    for role, doc in (outputs or {}).items():
        lines.append(f"  {role}  {doc}".rstrip())
    doc = inspect.getdoc(cls)
    if doc:
        lines += ["", doc]
    return "\n".join(lines)


def main() -> None:
    """Console-script entry point."""
    app()

"""The `wfe` command as a user runs it (subprocesses): wfe.cli."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import wfe

RunWfe = Callable[..., subprocess.CompletedProcess[str]]
Write = Callable[..., Path]

OK = """\
workflow_name: cli_ok
vars: {start: 1}
tasks:
  - name: first
    component_name: python_function
    params: {function: "wfe_test_functions:const", kwargs: {value: "${start}"}}
    outputs: [a]
  - name: second
    component_name: python_function
    params: {function: "wfe_test_functions:inc"}
    inputs: {x: a}
    outputs: [b]
"""

FAILS = """\
workflow_name: cli_fails
tasks:
  - {name: good, component_name: python_function, params: {function: "wfe_test_functions:pair"}, outputs: [x, y]}
  - {name: bad, component_name: python_function, params: {function: "wfe_test_functions:fail"}, inputs: {v: x}, outputs: [z]}
  - {name: never, component_name: python_function, params: {function: "wfe_test_functions:inc"}, inputs: {x: z}, outputs: [w]}
"""

BROKEN = """\
workflow_name: cli_broken
tasks:
  - {name: t, component_name: python_fnction, outputs: [o]}
"""


def test_version_and_help(run_wfe: RunWfe) -> None:
    version = run_wfe("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("wfe 0.1.0")
    helped = run_wfe("--help")
    assert helped.returncode == 0
    listed = helped.stdout.split("\nCommands:\n", 1)[1].splitlines()
    commands = {line.split()[0] for line in listed if line.startswith("  ")}
    assert {"run", "validate", "graph", "schema", "components", "runs", "new"} <= commands


def test_run_prints_progress_and_exits_0(run_wfe: RunWfe, write_workflow: Write) -> None:
    done = run_wfe("run", str(write_workflow(OK)), "--var", "start=41")
    assert done.returncode == 0, done.stderr
    assert "[2/2] second ok in" in done.stdout
    assert "b=int 42" in done.stdout
    assert "wfe: 'cli_ok' succeeded" in done.stdout


def test_run_with_workers_and_json_log_format(run_wfe: RunWfe, write_workflow: Write) -> None:
    done = run_wfe("run", str(write_workflow(OK)), "--workers", "3", "--log-format", "json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0]["event"] == "workflow_start"
    assert events[0]["workers"] == 3
    assert events[-1]["event"] == "workflow_end"
    assert events[-1]["status"] == "succeeded"
    assert events[-2]["outputs"] == {"b": {"type": "int", "value": 2}}


def test_a_failed_task_exits_1_naming_task_component_and_cause(
    run_wfe: RunWfe, write_workflow: Write
) -> None:
    path = write_workflow(FAILS)
    done = run_wfe("run", str(path))
    assert done.returncode == 1
    assert "1 succeeded, 1 failed (bad), 1 not run (never [after bad failed])" in done.stdout
    assert f"task 'bad' (component 'python_function') (defined at {path}:4:5) failed" in done.stderr
    assert "failed: ValueError: boom: the input was bad" in done.stderr
    assert "Traceback" not in done.stderr
    debug = run_wfe("run", str(path), "--debug")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr
    assert "raise ValueError" in debug.stderr


def test_a_bad_definition_exits_2_with_positions_and_no_traceback(
    run_wfe: RunWfe, write_workflow: Write
) -> None:
    path = write_workflow(BROKEN)
    for command in ("run", "validate"):
        done = run_wfe(command, str(path))
        assert done.returncode == 2
        assert f"{path}:3:31: task 't': unknown component 'python_fnction'" in done.stderr
        assert "did you mean 'python_function'?" in done.stderr
        assert "Traceback" not in done.stderr
    debug = run_wfe("--debug", "validate", str(path))
    assert debug.returncode == 2
    assert "Traceback" in debug.stderr


def test_definition_errors_in_json_mode(run_wfe: RunWfe, write_workflow: Write) -> None:
    done = run_wfe("run", str(write_workflow(BROKEN)), "--log-format", "json")
    assert done.returncode == 2
    [event] = [json.loads(line) for line in done.stdout.splitlines()]
    assert event["event"] == "definition_error"
    assert event["problems"][0]["kind"] == "unknown-component"
    assert event["problems"][0]["location"].endswith(":3:31")


def test_usage_errors_exit_2(run_wfe: RunWfe, write_workflow: Write, tmp_path: Path) -> None:
    path = str(write_workflow(OK))
    bad_var = run_wfe("run", path, "--var", "no_equals_sign")
    assert bad_var.returncode == 2
    assert "--var expects NAME=VALUE" in bad_var.stderr
    assert run_wfe("run", path, "--workers", "0").returncode == 2
    assert run_wfe("run", path, "--log-format", "xml").returncode == 2
    assert run_wfe("frobnicate").returncode == 2
    missing = run_wfe("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
    unused = run_wfe("validate", path, "--var", "strat=2")
    assert unused.returncode == 2
    assert "did you mean 'start'?" in unused.stderr


def test_validate_reports_ok_without_running(
    run_wfe: RunWfe, write_workflow: Write, tmp_path: Path
) -> None:
    marker = tmp_path / "ran.txt"
    path = write_workflow(
        "workflow_name: v\ntasks:\n  - name: t\n    component_name: python_function\n"
        f"    params: {{function: 'pathlib:Path.touch', kwargs: {{self: '{marker}'}}}}\n"
    )
    done = run_wfe("validate", str(path))
    assert done.returncode == 0, done.stderr
    assert "OK: workflow 'v', 1 task; components: python_function (engine-core)" in done.stdout
    assert not marker.exists()
    wfe.load(path).run().raise_for_status()  # running the same file does create it
    assert marker.exists()


def test_functions_next_to_the_workflow_file_are_importable(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "steps_next_to_it.py").write_text("def answer():\n    return 42\n")
    (folder / "flow.yaml").write_text(
        "workflow_name: local\ntasks:\n"
        "  - {name: t, component_name: python_function, params: {function: 'steps_next_to_it:answer'}, outputs: [a]}\n"
    )
    done = run_wfe("run", "project/flow.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "a=int 42" in done.stdout


def test_validate_reads_a_broken_package_without_importing_it(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    # Importing the package fails: that is the user's bug, found when the task runs,
    # never "a bug in wfe" at validate time.
    package = tmp_path / "broken_steps"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('broken at import')\n")
    (package / "calc.py").write_text("def double(x):\n    return 2 * x\n")
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "workflow_name: local\ntasks:\n"
        "  - {name: t, component_name: python_function, params: {function: 'broken_steps.calc:double', kwargs: {x: 2}}, outputs: [a]}\n"
    )
    validated = run_wfe("validate", str(flow))
    assert validated.returncode == 0, validated.stderr
    ran = run_wfe("run", str(flow), "--no-record")
    assert ran.returncode == 1
    assert (
        "ImportError: cannot import module 'broken_steps.calc' for 'broken_steps.calc:double': "
        "RuntimeError: broken at import" in ran.stderr
    )
    assert "Traceback" not in ran.stderr


def test_validate_checks_the_call_against_the_function_next_to_the_workflow(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    (tmp_path / "steps_checked.py").write_text("def scale(frame, factor=2):\n    return frame\n")
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "workflow_name: local\ntasks:\n"
        "  - {name: t, component_name: python_function, params: {function: 'steps_checked:scale', kwargs: {factr: 3}}, outputs: [a]}\n"
    )
    done = run_wfe("validate", str(flow))
    assert done.returncode == 2
    assert "function 'steps_checked:scale' takes no argument named 'factr'" in done.stderr
    assert "did you mean 'factor'?" in done.stderr
    assert "needs the argument 'frame'" in done.stderr


def test_components_list_and_show(run_wfe: RunWfe) -> None:
    table = run_wfe("components", "list")
    assert table.returncode == 0
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["NAME", "DISTRIBUTION", "VERSION", "SUMMARY"]
    assert any(row.split()[:3] == ["python_function", "engine-core", "0.1.0"] for row in rows)
    shown = run_wfe("components", "show", "python_function")
    assert shown.returncode == 0
    assert "function  (a string, required)" in shown.stdout
    assert "kwargs  (a mapping, default: None)" in shown.stdout
    assert "inputs: any names" in shown.stdout
    assert "Call ``function(**inputs, **kwargs)``" in shown.stdout
    unknown = run_wfe("components", "show", "python_functio")
    assert unknown.returncode == 2
    assert "did you mean 'python_function'?" in unknown.stderr


def test_internal_errors_are_reported_without_traceback(
    run_wfe: RunWfe,
    write_workflow: Write,
    tmp_path: Path,
    subprocess_env: Callable[..., dict[str, str]],
) -> None:
    # A display plugin that crashes is a bug outside wfe's control: exit 70, no traceback.
    (tmp_path / "crashing_plugin.py").write_text(
        "from wfe import hookimpl\n\n@hookimpl\ndef wfe_task_start(task):\n    raise RuntimeError('plugin bug')\n"
    )
    info = tmp_path / "crashing-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: crashing\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[wfe.plugins]\ncrashing = crashing_plugin\n")
    done = run_wfe("run", str(write_workflow(OK)), env=subprocess_env(tmp_path))
    assert done.returncode == 70
    assert "internal error: RuntimeError: plugin bug" in done.stderr
    assert "Traceback" not in done.stderr

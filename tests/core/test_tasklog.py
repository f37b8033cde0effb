"""Each task's own log (wfe.tasklog): its prints and logging records, kept with the run
record, shown when it fails; `--log-format json` keeps stdout pure JSON."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import wfe
from wfe import tasklog
from wfe.records import find_record

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


def chatty(name: str, *, fail: bool = False, extra: str = "") -> str:
    return (
        f"  - {{name: {name}, component_name: python_function, outputs: [{name}_out]{extra},"
        f" params: {{function: 'wfe_test_functions:chatty', kwargs: {{label: {name}, fail: {str(fail).lower()}}}}}}}\n"
    )


def write(folder: Path, *tasks: str) -> Path:
    path = folder / "wf.yaml"
    path.write_text("workflow_name: talkative\ntasks:\n" + "".join(tasks))
    return path


@pytest.fixture
def info_logging() -> object:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    yield
    root.setLevel(level)


@pytest.mark.usefixtures("info_logging")
@pytest.mark.parametrize("executor", ["sequential", "threads"])
def test_each_task_keeps_its_own_prints_and_records(
    executor: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = [chatty(f"t{i}") for i in range(6)] + [chatty("timed", extra=", timeout: 30")]
    result = wfe.loads("workflow_name: talkative\ntasks:\n" + "".join(tasks)).run(
        executor=executor, workers=None if executor == "sequential" else 3
    )
    assert result.ok
    for name, report in result.tasks.items():
        assert report.log == f"print from {name}\nINFO chatty: info from {name}\n"
    assert "print from t3" in capsys.readouterr().out  # and still echoed to stdout


def test_a_log_keeps_its_newest_text_within_the_limit() -> None:
    workflow = wfe.loads(
        "workflow_name: loud\ntasks:\n  - {name: loud, component_name: python_function,"
        " outputs: [n], params: {function: 'wfe_test_functions:shout', kwargs: {times: 6000}}}\n"
    )
    tasklog.configure(echo=False)
    try:
        [report] = workflow.run().tasks.values()
    finally:
        tasklog.configure(echo=True)
    head, _, body = report.log.partition("\n")
    assert head == f"[... {6000 * 100 - tasklog.LIMIT:,} earlier characters dropped ...]"
    assert len(body) == tasklog.LIMIT
    assert body.endswith(f"{5999:>10}" + "x" * 89 + "\n")


def test_a_failed_task_shows_its_last_lines_and_the_record_keeps_its_log(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    path = write(tmp_path, chatty("fine"), chatty("broken", fail=True))
    done = run_wfe("run", str(path), "--keep-going", cwd=tmp_path)
    assert done.returncode == 1
    assert "    the last lines broken printed or logged:\n    | print from broken\n" in done.stdout
    assert "    | INFO chatty: info from broken" in done.stdout
    assert "INFO [broken] chatty: info from broken" in done.stderr  # shown live, named
    run_id = done.stdout.rsplit("wfe runs show ", 1)[1].split(")")[0]
    shown = run_wfe("runs", "log", run_id, "broken", cwd=tmp_path)
    assert shown.returncode == 0
    assert shown.stdout == "print from broken\nINFO chatty: info from broken\n"
    missing = run_wfe("runs", "log", run_id, "brokn", cwd=tmp_path)
    assert missing.returncode == 2
    assert "did you mean 'broken'?" in missing.stderr


def test_json_output_stays_json_whatever_a_component_prints(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    path = write(tmp_path, chatty("fine"), chatty("broken", fail=True))
    done = run_wfe("run", str(path), "--log-format", "json", "--keep-going", cwd=tmp_path)
    events = [json.loads(line) for line in done.stdout.splitlines()]  # every line is JSON
    assert events[0]["event"] == "workflow_start"
    [failure] = [e for e in events if e["event"] == "task_error"]
    assert failure["log_tail"] == ["print from broken", "INFO chatty: info from broken"]
    assert "print from" not in done.stdout.replace('"print from', "")


def test_log_level_and_log_file(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = write(tmp_path, chatty("one"))
    log_file = tmp_path / "all.log"
    done = run_wfe(
        "run", str(path), "--log-level", "DEBUG", "--log-file", str(log_file), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    lines = log_file.read_text().splitlines()
    assert any(line.endswith("INFO [one] chatty: info from one") for line in lines)
    assert any(line.endswith("DEBUG [one] chatty: debug from one") for line in lines)
    quiet = run_wfe("run", str(path), "--log-level", "WARNING", "--no-record", cwd=tmp_path)
    assert "info from one" not in quiet.stderr
    bad = run_wfe("run", str(path), "--log-file", str(tmp_path / "no" / "such" / "dir.log"))
    assert bad.returncode == 2
    assert "cannot write the log file" in bad.stderr


def test_warnings_are_kept_per_task_as_data(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(
        "workflow_name: warned\ntasks:\n"
        "  - {name: careful, component_name: python_function, outputs: [c],"
        " params: {function: 'wfe_test_functions:warn_then', kwargs: {label: careful}}}\n"
    )
    done = run_wfe("run", str(path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    message = "loaded unpinned; pin it with sha256: careful-digest"
    assert f"    warning: PinMeWarning: {message}" in done.stdout
    run_id = done.stdout.rsplit("wfe runs show ", 1)[1].split(")")[0]
    record = find_record(run_id, tmp_path / ".wfe" / "runs")
    assert record is not None
    assert record["tasks"]["careful"]["warnings"] == [
        {
            "category": "PinMeWarning",
            "message": message,
            "sha256": "careful-digest",
            "pin": "sha256: careful-digest",
        }
    ]
    events = run_wfe("run", str(path), "--log-format", "json", "--no-record", cwd=tmp_path)
    [end] = [json.loads(line) for line in events.stdout.splitlines() if '"task_end"' in line]
    assert end["warnings"][0]["pin"] == "sha256: careful-digest"

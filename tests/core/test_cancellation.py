"""Ctrl-C and SIGTERM during `wfe run`: signals sent to a real subprocess."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from wfe.records import read_record


def workflow(folder: Path, first_sleep: float) -> Path:
    path = folder / "wf.yaml"
    path.write_text(
        "workflow_name: cancellable\ntasks:\n"
        "  - name: first\n    component_name: python_function\n"
        f"    params: {{function: 'wfe_test_functions:sleep_then', kwargs: {{seconds: {first_sleep}, value: 1}}}}\n"
        "    outputs: [a]\n"
        "  - {name: second, component_name: python_function, params: {function: 'wfe_test_functions:inc'}, inputs: {x: a}, outputs: [b]}\n"
    )
    return path


def run_and_signal(
    folder: Path, args: list[str], signals: list[signal.Signals], gap: float = 0.3
) -> tuple[int, str, float]:
    """Start `wfe run`, wait until the first task started, send the signals; return the
    exit code, the whole stdout and the seconds from the first signal to the exit."""
    command = [sys.executable, "-m", "wfe", "run", *args]
    with subprocess.Popen(
        command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        seen = []
        for line in process.stdout:
            seen.append(line)
            if "first (python_function) started" in line:
                break
        time.sleep(0.2)
        sent = time.perf_counter()
        for number, sig in enumerate(signals):
            if number:
                time.sleep(gap)
            process.send_signal(sig)
        out, _ = process.communicate(timeout=60)
        return process.returncode, "".join(seen) + out, time.perf_counter() - sent


def record(folder: Path) -> dict[str, Any]:
    [path] = list((folder / ".wfe" / "runs").glob("*/run.json"))
    found = read_record(path.parent)
    assert found is not None
    return found


@pytest.mark.parametrize(("sig", "workers"), [(signal.SIGINT, "1"), (signal.SIGTERM, "2")])
def test_a_signal_stops_scheduling_and_lets_the_running_task_finish(
    tmp_path: Path, sig: signal.Signals, workers: str
) -> None:
    path = workflow(tmp_path, first_sleep=1.5)
    code, out, _ = run_and_signal(tmp_path, [str(path), "--workers", workers], [sig])
    assert code == 130
    assert "[1/2] first ok in" in out  # it was allowed to finish
    assert "wfe: 'cancellable' cancelled in" in out
    assert "1 not run (second)" in out
    saved = record(tmp_path)
    assert saved["status"] == "cancelled"
    assert saved["tasks"]["first"]["status"] == "succeeded"
    assert saved["tasks"]["second"]["status"] == "not_run"


def test_a_second_ctrl_c_exits_at_once(tmp_path: Path) -> None:
    path = workflow(tmp_path, first_sleep=60)
    code, _, seconds = run_and_signal(tmp_path, [str(path)], [signal.SIGINT, signal.SIGINT])
    assert code == 130
    assert seconds < 10
    assert record(tmp_path)["status"] == "cancelled"


def test_the_grace_period_ends_a_task_that_does_not_finish(tmp_path: Path) -> None:
    path = workflow(tmp_path, first_sleep=60)
    code, _, seconds = run_and_signal(tmp_path, [str(path), "--grace", "0.5"], [signal.SIGTERM])
    assert code == 130
    assert seconds < 10
    assert record(tmp_path)["status"] == "cancelled"

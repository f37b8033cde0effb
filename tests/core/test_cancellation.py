"""Ctrl-C and SIGTERM during `wfe run`: signals sent to a real subprocess.

No step waits for a sleep to win a race: the first task waits for a file that the test
creates (or never creates), and each signal goes out once wfe has said it got the
previous one.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import pytest

from wfe.records import read_record


def workflow(folder: Path) -> Path:
    """``first`` runs until the file ``release`` exists in ``folder``; ``second`` after it."""
    path = folder / "wf.yaml"
    path.write_text(
        "workflow_name: cancellable\ntasks:\n"
        "  - name: first\n    component_name: python_function\n"
        f"    params: {{function: 'wfe_test_functions:wait_for_file', kwargs: {{path: '{folder / 'release'}', value: 1}}}}\n"
        "    outputs: [a]\n"
        "  - {name: second, component_name: python_function, params: {function: 'wfe_test_functions:inc'}, inputs: {x: a}, outputs: [b]}\n"
    )
    return path


def read_until(stream: IO[str], text: str, seen: list[str]) -> None:
    """Read lines into ``seen`` up to the first one containing ``text``."""
    for line in stream:
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"the output ended before {text!r}:\n{''.join(seen)}")


def run_and_signal(
    folder: Path,
    args: Iterable[str],
    signals: list[signal.Signals],
    env: dict[str, str],
    release: bool = False,
) -> tuple[int, str, float]:
    """Start `wfe run`; once the first task has started, send the signals, each after
    wfe has answered the one before; with ``release``, then let the first task finish.
    Returns the exit code, the whole output and the seconds from the first signal to the
    exit."""
    command = [sys.executable, "-m", "wfe", "run", *args]
    with subprocess.Popen(
        command,
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    ) as process:
        assert process.stdout is not None
        seen: list[str] = []
        read_until(process.stdout, "first (python_function) started", seen)
        sent = time.perf_counter()
        for number, sig in enumerate(signals):
            if number:
                read_until(process.stdout, "cancelling", seen)
            process.send_signal(sig)
        if release:
            read_until(process.stdout, "cancelling", seen)
            (folder / "release").touch()
        out, _ = process.communicate(timeout=60)
        return process.returncode, "".join(seen) + out, time.perf_counter() - sent


def record(folder: Path) -> dict[str, Any]:
    [path] = list((folder / ".wfe" / "runs").glob("*/run.json"))
    found = read_record(path.parent)
    assert found is not None
    return found


Env = Callable[..., dict[str, str]]


@pytest.mark.parametrize(("sig", "workers"), [(signal.SIGINT, "1"), (signal.SIGTERM, "2")])
def test_a_signal_stops_scheduling_and_lets_the_running_task_finish(
    tmp_path: Path, sig: signal.Signals, workers: str, subprocess_env: Env
) -> None:
    path = workflow(tmp_path)
    code, out, _ = run_and_signal(
        tmp_path, [str(path), "--workers", workers], [sig], subprocess_env(), release=True
    )
    assert code == 130
    assert "[1/2] first ok in" in out  # it was allowed to finish
    assert "wfe: 'cancellable' cancelled in" in out
    assert "1 not run (second)" in out
    saved = record(tmp_path)
    assert saved["status"] == "cancelled"
    assert saved["tasks"]["first"]["status"] == "succeeded"
    assert saved["tasks"]["second"]["status"] == "not_run"


def test_a_second_ctrl_c_exits_at_once(tmp_path: Path, subprocess_env: Env) -> None:
    path = workflow(tmp_path)  # never released: only the second Ctrl-C can end it
    code, out, seconds = run_and_signal(
        tmp_path, [str(path)], [signal.SIGINT, signal.SIGINT], subprocess_env()
    )
    assert code == 130
    assert "wfe: cancelled; running tasks were stopped" in out
    assert seconds < 30  # well before the grace period (30 s) would end it
    assert record(tmp_path)["status"] == "cancelled"


def test_the_grace_period_ends_a_task_that_does_not_finish(
    tmp_path: Path, subprocess_env: Env
) -> None:
    path = workflow(tmp_path)  # never released
    code, out, seconds = run_and_signal(
        tmp_path, [str(path), "--grace", "0.5"], [signal.SIGTERM], subprocess_env()
    )
    assert code == 130
    assert "wfe: cancelled; running tasks were stopped" in out
    assert seconds < 30  # the task would wait 60 s for its file
    assert record(tmp_path)["status"] == "cancelled"

"""How tasks complete on a cluster (wfe_dask.completions): a worker that dies mid-task
is an extra attempt in the run's record; a task that kills every worker it touches
fails the run within seconds; ``allowed_failures=0`` never reruns a task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wfe_test_tasks import task, wait_for_marker, write_workflow

import wfe
from wfe import TaskStatus
from wfe.records import read_record


def test_a_worker_killed_mid_task_is_an_extra_attempt_in_the_record(
    on_cluster: dict[str, Any], tmp_path: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    marker = tmp_path / "calls"
    path = write_workflow(
        tmp_path / "wf.yaml",
        task("survivor", "die_once", outputs=["calls"], marker=str(marker)),
        task("after", "wfe_test_functions:inc", inputs={"x": "calls"}, outputs=["more"]),
    )
    command = [
        sys.executable,
        "-m",
        "wfe",
        "run",
        str(path),
        "--executor",
        "dask",
        "--executor-option",
        f"address={on_cluster['address']}",
        "--record-dir",
        str(tmp_path / "runs"),
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env()
    ) as run:
        first_worker = int(wait_for_marker(marker, run).split()[0])
        os.kill(first_worker, signal.SIGKILL)
        out, err = run.communicate(timeout=120)
    assert run.returncode == 0, out + err
    assert "survivor ok in" in out
    assert "(attempt 2)" in out
    [folder] = (tmp_path / "runs").iterdir()
    record = read_record(folder)
    assert record is not None
    assert record["tasks"]["survivor"]["attempts"] == 2
    assert record["tasks"]["survivor"]["outputs"]["calls"]["value"] == 2  # it ran twice
    assert record["tasks"]["after"]["attempts"] == 1


def test_a_task_that_kills_every_worker_fails_the_run_within_seconds(
    on_cluster: dict[str, Any], tmp_path: Path
) -> None:
    marker = tmp_path / "deaths"
    path = write_workflow(
        tmp_path / "wf.yaml",
        task("crash", "kill_own_worker", outputs=["x"], marker=str(marker)),
        task("after", "wfe_test_functions:inc", inputs={"x": "x"}, outputs=["y"]),
    )
    started = time.perf_counter()
    result = wfe.load(path).run(executor="dask", executor_options=on_cluster)
    seconds = time.perf_counter() - started
    assert seconds < 60  # measured: about 2 s; a hang would end at pytest's timeout
    assert result.failed == ["crash"]
    assert result.tasks["after"].status is TaskStatus.NOT_RUN
    crash = result.tasks["crash"]
    assert crash.attempts == 2  # the session cluster reruns a task once
    assert crash.error is not None
    assert "its Dask worker died 2 times while running it" in str(crash.error)
    assert "allowed_failures=1" in str(crash.error)
    assert len(marker.read_text().split()) == 2


def test_allowed_failures_zero_never_reruns_a_task(tmp_path: Path) -> None:
    marker = tmp_path / "deaths"
    path = write_workflow(
        tmp_path / "wf.yaml", task("crash", "kill_own_worker", outputs=["x"], marker=str(marker))
    )
    options = {"workers": 1, "allowed_failures": 0}
    result = wfe.load(path).run(executor="dask", executor_options=options)
    assert result.failed == ["crash"]
    assert result.tasks["crash"].attempts == 1
    assert "died 1 times" in str(result.tasks["crash"].error)
    assert len(marker.read_text().split()) == 1  # ran once: its side effects happened once

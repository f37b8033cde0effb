"""The dask executor (wfe_dask.executor): data stays on the workers and is released
there; only the results come to the client; Dask orders tasks the engine submits
ahead (data and ``after``); an existing scheduler is used and left running."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from distributed import Client
from wfe_test_tasks import task, wait_for_marker, write_workflow

import wfe
from wfe import TaskStatus
from wfe.records import read_record

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


def lines(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text().splitlines()]


def test_intermediates_never_reach_the_client_and_each_result_comes_once(
    on_cluster: dict[str, Any], cluster_client: Client, tmp_path: Path
) -> None:
    log = str(tmp_path / "pickles.log")
    path = write_workflow(
        tmp_path / "wf.yaml",
        task("left", "tracked", outputs=["a"], tag="left", log=log),
        task("right", "tracked", outputs=["b"], tag="right", log=log),
        # reads both: at least one of them comes from the other worker
        task("join", "relay", inputs={"value": "a", "other": "b"}, outputs=["c"]),
        task("last", "relay", inputs={"value": "c"}, outputs=["d"], tag="result", log=log),
        task("side", "relay", inputs={"value": "b"}, outputs=["e"], tag="other", log=log),
    )
    result = wfe.load(path).run(executor="dask", executor_options=on_cluster)
    assert result.ok, result.errors
    assert sorted(result.results) == ["d", "e"]
    assert (result["d"].tag, result["e"].tag) == ("result", "other")
    workers = set(cluster_client.run(os.getpid).values())
    unpickled = [(tag, int(pid)) for word, tag, pid in lines(Path(log)) if word == "unpickled"]
    here = sorted(tag for tag, pid in unpickled if pid == os.getpid())
    assert here == ["other", "result"]  # each result once, nothing else
    assert {pid for tag, pid in unpickled if pid != os.getpid()} <= workers


def test_an_intermediate_is_freed_on_the_cluster_once_its_last_reader_ran(
    on_cluster: dict[str, Any], cluster_client: Client, tmp_path: Path
) -> None:
    log = tmp_path / "pickles.log"
    log.touch()
    path = write_workflow(
        tmp_path / "wf.yaml",
        task("make", "tracked", outputs=["a"], tag="first", log=str(log)),
        task("read", "relay", inputs={"value": "a"}, outputs=["b"], tag="second", log=str(log)),
        # runs while the workflow is running: waits until every copy of `a` is freed
        task(
            "check",
            "wait_until_freed",
            inputs={"after": "b"},
            outputs=["c"],
            log=str(log),
            tag="first",
        ),
    )
    result = wfe.load(path).run(executor="dask", executor_options=on_cluster)
    assert result.ok, result.errors
    assert result.results == {"c": True}
    # After the run nothing of it is left on the cluster.
    run_id = result.run_id
    held = {key for keys in cluster_client.has_what().values() for key in keys}
    assert not [key for key in held if isinstance(key, tuple) and run_id in key]


def test_a_task_after_another_waits_for_it_and_skips_when_it_failed(
    on_cluster: dict[str, Any], tmp_path: Path
) -> None:
    marker = str(tmp_path / "gate.log")
    ok = write_workflow(
        tmp_path / "ok.yaml",
        task("gate", "finish_later", marker=marker, seconds=1),
        task("publish", "expect_line", path=marker, line="finished", task_after=["gate"]),
    )
    assert wfe.load(ok).run(executor="dask", executor_options=on_cluster).ok
    failing = write_workflow(
        tmp_path / "failing.yaml",
        task("gate", "wfe_test_functions:fail"),
        task("publish", "expect_line", path=marker, line="never", task_after=["gate"]),
        task("free", "wfe_test_functions:const", outputs=["x"], value=1),
    )
    result = wfe.load(failing).run(executor="dask", executor_options=on_cluster, keep_going=True)
    assert result.failed == ["gate"]
    assert result.tasks["publish"].status is TaskStatus.NOT_RUN
    assert result.tasks["publish"].skipped_because == ("gate",)
    assert result.results == {"x": 1}


def test_a_task_with_several_outputs_hands_each_on(
    on_cluster: dict[str, Any], tmp_path: Path
) -> None:
    path = write_workflow(
        tmp_path / "wf.yaml",
        task("two", "wfe_test_functions:pair", outputs=["left", "right"]),
        task("one", "wfe_test_functions:inc", inputs={"x": "right"}, outputs=["three"]),
    )
    result = wfe.load(path).run(executor="dask", executor_options=on_cluster, outputs=["left"])
    assert result.results == {"three": 3, "left": 1}
    assert result.tasks["two"].outputs == {
        "left": {"type": "int", "value": 1},
        "right": {"type": "int", "value": 2},
    }


@pytest.mark.slow
def test_churn_on_dask_writes_the_same_table_as_in_process(run_wfe: RunWfe, tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    tables = []
    for executor in ("sequential", "dask"):
        folder = tmp_path / executor
        shutil.copytree(
            repo / "workflows", folder / "workflows", ignore=shutil.ignore_patterns("__pycache__")
        )
        # the README's command
        done = run_wfe("run", "workflows/churn.yaml", "--executor", executor, cwd=folder)
        assert done.returncode == 0, done.stdout + done.stderr
        with sqlite3.connect(folder / "wfe.db") as connection:
            tables.append(
                connection.execute("SELECT * FROM churn_results ORDER BY customer_id").fetchall()
            )
    assert len(tables[0]) == 5000
    assert tables[0] == tables[1]


def test_ctrl_c_lets_the_running_task_finish_and_cancels_the_rest(
    tmp_path: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    marker = tmp_path / "first.log"
    path = write_workflow(
        tmp_path / "wf.yaml",
        task("first", "finish_once_cancelled", outputs=["a"], marker=str(marker), value=1),
        task("second", "wfe_test_functions:inc", inputs={"x": "a"}, outputs=["b"]),
    )
    command = [sys.executable, "-m", "wfe", "run", str(path), "--executor", "dask"]
    command += ["--executor-option", "workers=1", "--record-dir", str(tmp_path / "runs")]
    # In its own process group, which a terminal's Ctrl-C signals as a whole: the
    # LocalCluster's worker processes get the SIGINT too.
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=subprocess_env(),
    ) as run:
        wait_for_marker(marker, run)  # "started"
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=120)
    assert run.returncode == 130, out + err
    assert "SIGINT: cancelling" in err
    assert "[1/2] first ok in" in out
    assert "1 not run (second)" in out
    assert marker.read_text().split() == ["started", "finished"]
    [folder] = (tmp_path / "runs").iterdir()
    record = read_record(folder)
    assert record is not None
    assert record["status"] == "cancelled"
    assert record["tasks"]["first"]["status"] == "succeeded"
    assert record["tasks"]["second"]["status"] == "not_run"
    wait_until_gone(run.pid)  # the cluster's processes ended with the run


def wait_until_gone(group: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, f"processes of group {group} still run"
        time.sleep(0.1)

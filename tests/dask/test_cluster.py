"""Which cluster a run uses (wfe_dask.cluster): an existing scheduler named by
``address`` or ``WFE_DASK_ADDRESS`` (used, never closed), else a LocalCluster sized by
the options; options that do not fit, and a scheduler that cannot be reached, are
clear errors."""

from __future__ import annotations

import importlib.util
import logging
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask
import pytest
from distributed import Client, LocalCluster
from wfe_test_tasks import task, write_workflow

import wfe

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def two_tasks(tmp_path: Path) -> Path:
    return write_workflow(
        tmp_path / "wf.yaml",
        task("one", "wfe_test_functions:const", outputs=["a"], value=1),
        task("two", "wfe_test_functions:inc", inputs={"x": "a"}, outputs=["b"]),
    )


def test_an_existing_scheduler_runs_the_workflow_and_is_left_running(
    run_wfe: RunWfe, scheduler_process: str, two_tasks: Path, tmp_path: Path
) -> None:
    by_option = run_wfe(
        "run",
        str(two_tasks),
        "--executor",
        "dask",
        "--executor-option",
        f"address={scheduler_process}",
        "--no-record",
        cwd=tmp_path,
    )
    assert by_option.returncode == 0, by_option.stderr
    assert f"(2 tasks, dask scheduler {scheduler_process}: 1 worker, 1 thread)" in by_option.stdout
    by_variable = run_wfe(
        "run",
        str(two_tasks),
        "--executor",
        "dask",
        "--no-record",
        cwd=tmp_path,
        env={"WFE_DASK_ADDRESS": scheduler_process},
    )
    assert by_variable.returncode == 0, by_variable.stderr
    assert f"dask scheduler {scheduler_process}" in by_variable.stdout
    with Client(scheduler_process, set_as_default=False) as client:  # still up, worker and all
        assert len(client.scheduler_info()["workers"]) == 1
        assert client.submit(sum, [1, 2]).result() == 3


def test_a_local_cluster_is_sized_by_the_options_and_closed_after_the_run(
    run_wfe: RunWfe, two_tasks: Path, tmp_path: Path
) -> None:
    done = run_wfe(
        "run",
        str(two_tasks),
        "--executor",
        "dask",
        "--executor-option",
        "workers=1",
        "--executor-option",
        "threads_per_worker=2",
        "--executor-option",
        "memory_limit=1GB",
        "--no-record",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "(2 tasks, dask LocalCluster: 1 worker x 2 threads)" in done.stdout


def test_local_cluster_options_with_an_existing_scheduler_are_an_error(
    run_wfe: RunWfe, two_tasks: Path, tmp_path: Path
) -> None:
    done = run_wfe(
        "run",
        str(two_tasks),
        "--executor",
        "dask",
        "--workers",
        "2",
        "--no-record",
        cwd=tmp_path,
        env={"WFE_DASK_ADDRESS": "tcp://127.0.0.1:1"},
    )
    assert done.returncode == 2
    assert "executor option(s) workers shape a LocalCluster" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_scheduler_that_cannot_be_reached_is_a_clear_error(
    run_wfe: RunWfe, two_tasks: Path, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a free port on loopback, closed again: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = run_wfe(
        "run",
        str(two_tasks),
        "--executor",
        "dask",
        "--executor-option",
        f"address=tcp://127.0.0.1:{port}",
        "--no-record",
        cwd=tmp_path,
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert done.returncode == 2
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_options_are_definition_errors_before_anything_starts(
    run_wfe: RunWfe, two_tasks: Path
) -> None:
    done = run_wfe(
        "validate", str(two_tasks), "--executor", "dask", "--executor-option", "worker=2"
    )
    assert done.returncode == 2
    assert "unknown option 'worker'" in done.stderr
    assert "did you mean 'workers'?" in done.stderr
    negative = run_wfe(
        "validate", str(two_tasks), "--executor", "dask", "--executor-option", "allowed_failures=-1"
    )
    assert negative.returncode == 2
    assert "option 'allowed_failures' must be at least 0" in negative.stderr


def test_the_dashboard_is_served_on_a_free_port_when_asked_for(
    run_wfe: RunWfe, two_tasks: Path, tmp_path: Path
) -> None:
    done = run_wfe(
        "run",
        str(two_tasks),
        "--executor",
        "dask",
        "--executor-option",
        "workers=1",
        "--executor-option",
        "dashboard=true",
        "--no-record",
        cwd=tmp_path,
    )
    if importlib.util.find_spec("bokeh") is None:  # optional, and not a test dependency
        assert done.returncode == 2
        assert "Dask's dashboard needs bokeh: pip install bokeh" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert "dashboard http://127.0.0.1:" in done.stdout
        assert ":8787/" not in done.stdout


def test_local_workers_import_modules_next_to_the_workflow_and_share_the_folder(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(
        repo / "workflows", tmp_path / "workflows", ignore=shutil.ignore_patterns("__pycache__")
    )
    # quickstart_steps.py sits next to the workflow file; its params are relative paths
    done = run_wfe(
        "run", "workflows/quickstart.yaml", "--executor", "dask", "--workers", "1", cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with sqlite3.connect(tmp_path / "wfe.db") as connection:  # written by a worker, here
        [(regions,)] = connection.execute("SELECT COUNT(*) FROM revenue_by_region").fetchall()
    assert regions > 0


def test_workers_without_executor_dask_are_an_error_not_a_hang(
    two_tasks: Path, tmp_path: Path
) -> None:
    hide = tmp_path / "hide_wfe_dask.py"  # run in each worker before it starts
    hide.write_text("import sys\nsys.modules['wfe_dask'] = None\n")
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=":0",
        silence_logs=logging.ERROR,
        preload=[str(hide)],
    ) as cluster:
        options = {"address": cluster.scheduler_address}
        with pytest.raises(wfe.WorkflowError) as info:
            wfe.load(two_tasks).run(executor="dask", executor_options=options)
    text = str(info.value)
    assert "1 of the 1 workers of the Dask scheduler at tcp://127.0.0.1:" in text
    assert "cannot import wfe_dask" in text
    assert "install the same executor-dask and engine-core" in text


def test_losing_the_scheduler_mid_run_is_an_executor_error(
    own_scheduler: Any, tmp_path: Path
) -> None:
    marker = tmp_path / "started"
    path = write_workflow(
        tmp_path / "wf.yaml",
        # writes the marker, then waits for a file that never comes (its worker is
        # stopped at the end of the test)
        task("long", "mark_then_wait", outputs=["a"], marker=str(marker), go=str(tmp_path / "no")),
        task("next", "wfe_test_functions:inc", inputs={"x": "a"}, outputs=["b"]),
    )
    workflow = wfe.load(path)
    failure: list[BaseException] = []

    def run() -> None:
        with dask.config.set({"distributed.comm.timeouts.connect": "3s"}):
            try:
                workflow.run(executor="dask", executor_options={"address": own_scheduler.address})
            except BaseException as exc:
                failure.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert runner.is_alive(), failure
        assert time.monotonic() < deadline
        time.sleep(0.05)
    own_scheduler.scheduler.kill()
    runner.join(timeout=120)
    assert not runner.is_alive()
    [error] = failure
    assert isinstance(error, wfe.ExecutorError)
    assert f"the connection to the Dask scheduler at {own_scheduler.address} was lost" in str(error)

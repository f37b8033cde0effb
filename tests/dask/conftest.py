"""Dask clusters for the dask executor's tests, all on 127.0.0.1.

``dask_cluster``: one LocalCluster (2 worker processes, 1 thread each) for the whole
session, which most tests reach through the executor's ``address`` option, as a user
reaches an existing scheduler. ``scheduler_process`` (for a module) and
``own_scheduler`` (for one test): a ``dask scheduler`` and a ``dask worker`` started as
subprocesses, the way a cluster is started by hand.
Tests that must own their cluster (Ctrl-C, worker-killing options) let the executor
start a LocalCluster, as ``wfe run --executor dask`` does.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dask
import pytest
from distributed import Client, LocalCluster

from wfe_dask.pickling import keep_wfe_error_pickling

# Importing distributed just changed how every exception class pickles, wfe's included;
# the other test folders, which run in this process too, rely on wfe's own rules.
keep_wfe_error_pickling()

#: the session cluster reruns a task once after its worker died, as the executor's
#: own LocalCluster does by default
ALLOWED_FAILURES = 1


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[LocalCluster]:
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = LocalCluster(
            processes=True,
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
    try:
        yield cluster
    finally:
        cluster.close()


@pytest.fixture
def on_cluster(dask_cluster: LocalCluster) -> dict[str, Any]:
    """Executor options that run a workflow on the session's cluster."""
    return {"address": dask_cluster.scheduler_address}


@pytest.fixture
def cluster_client(dask_cluster: LocalCluster) -> Iterator[Client]:
    """A client of the session's cluster, for looking at what it holds."""
    client = Client(dask_cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()


class DaskProcesses:
    """A ``dask scheduler`` subprocess and one ``dask worker`` subprocess on 127.0.0.1
    (free ports), as a cluster is started by hand; ``stop()`` ends both."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        scheduler_file = folder / "scheduler.json"
        dask_cli = [sys.executable, "-m", "dask"]
        self.scheduler = _start(
            [
                *dask_cli,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--dashboard-address",
                "127.0.0.1:0",
                "--scheduler-file",
                str(scheduler_file),
            ],
            folder / "scheduler.log",
            env,
        )
        self.worker: subprocess.Popen[bytes] | None = None
        try:
            self.address = _wait_for_address(scheduler_file, self.scheduler)
            self.worker = _start(
                [
                    *dask_cli,
                    "worker",
                    self.address,
                    "--host",
                    "127.0.0.1",
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                ],
                folder / "worker.log",
                env,
            )
            with Client(self.address, set_as_default=False) as client:
                client.wait_for_workers(1, timeout=120)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.worker is not None and self.scheduler.poll() is not None:
            # Its scheduler is gone (a test killed it): a worker asked to stop would
            # first try to reach it for a while. Its worker process follows its nanny.
            self.worker.kill()
            self.worker.wait(timeout=30)
        for process in (self.worker, self.scheduler):
            if process is not None and process.poll() is None:
                _stop(process)


@pytest.fixture(scope="module")
def scheduler_process(
    tmp_path_factory: pytest.TempPathFactory, subprocess_env: Callable[..., dict[str, str]]
) -> Iterator[str]:
    """The address of a scheduler and a worker started as subprocesses for the module."""
    processes = DaskProcesses(tmp_path_factory.mktemp("dask-scheduler"), subprocess_env())
    try:
        yield processes.address
    finally:
        processes.stop()


@pytest.fixture
def own_scheduler(
    tmp_path: Path, subprocess_env: Callable[..., dict[str, str]]
) -> Iterator[DaskProcesses]:
    """A scheduler and a worker as subprocesses for one test, which may kill them."""
    processes = DaskProcesses(tmp_path, subprocess_env())
    try:
        yield processes
    finally:
        processes.stop()


def _start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=env)


def _wait_for_address(scheduler_file: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dask scheduler exited with {process.returncode}")
        try:
            address: str = json.loads(scheduler_file.read_text())["address"]
            return address
        except (OSError, ValueError, KeyError):
            time.sleep(0.05)
    raise TimeoutError("dask scheduler did not write its address within 120 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


#: the modules here that start no cluster: they stay in the quick loop
_NO_CLUSTER = {"test_plugin.py", "test_pickling.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start Dask clusters and worker processes are slow: the quick loop
    (``-m "not slow"``) leaves them out; `pytest tests/dask` and nox run them all."""
    here = Path(__file__).parent
    for item in items:
        path = Path(str(item.fspath))
        if path.parent == here and path.name not in _NO_CLUSTER:
            item.add_marker(pytest.mark.slow)

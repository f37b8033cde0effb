"""The cluster a run uses: a LocalCluster started for it, or an existing scheduler.

A LocalCluster's workers are processes spawned from this one: they start with its
working directory, environment and ``sys.path`` (so modules next to the workflow file,
which ``wfe run`` puts on the path, import there too), bind to 127.0.0.1, and run one
task per process by default. Its scheduler runs in this process; its HTTP server
(the dashboard, when bokeh is installed) takes a free port, never Dask's fixed 8787,
which a second cluster in the same process could not bind.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping
from typing import Any

import dask
from distributed import Client, LocalCluster

from wfe.errors import ExecutorError
from wfe_dask.pickling import keep_wfe_error_pickling
from wfe_dask.remote import IgnoreInterrupts, versions

__all__ = ["Cluster"]

#: options that shape a LocalCluster, meaningless with an existing scheduler
LOCAL_ONLY = ("workers", "threads_per_worker", "memory_limit", "allowed_failures", "dashboard")


class Cluster:
    """A connected client, and the LocalCluster behind it when this run owns one."""

    def __init__(self, options: Mapping[str, Any], address: str | None) -> None:
        keep_wfe_error_pickling()  # this process imported wfe before distributed
        self.local: LocalCluster | None = None
        self.dashboard = bool(options.get("dashboard"))
        if address:
            given = [name for name in LOCAL_ONLY if options.get(name) is not None]
            if given:
                raise ExecutorError(
                    f"executor option(s) {', '.join(given)} shape a LocalCluster; with an "
                    f"existing scheduler ({address}) configure its workers where they are started "
                    "(allowed_failures: the scheduler's distributed.scheduler.allowed-failures)"
                )
            self.address = address
            self.client = _connect(address)
            try:
                _check_workers(self.client, address)
            except BaseException:
                self.client.close()
                raise
        else:
            self.local = _start_local(options)
            self.address = self.local.scheduler_address
            try:
                self.client = Client(self.local, set_as_default=False)
                # Registered with the scheduler: a worker restarted later gets it too.
                self.client.register_plugin(IgnoreInterrupts())
            except BaseException:
                self.local.close()
                raise

    def describe(self) -> str:
        info = self.client.scheduler_info(n_workers=-1)
        workers = len(info["workers"])
        threads = sum(w["nthreads"] for w in info["workers"].values())
        if self.local is None:
            return (
                f"dask scheduler {info['address']}: "
                f"{_count(workers, 'worker')}, {_count(threads, 'thread')}"
            )
        per = threads // max(1, workers)
        text = f"dask LocalCluster: {_count(workers, 'worker')} x {_count(per, 'thread')}"
        if self.dashboard:
            text += f", dashboard {self.local.dashboard_link}"
        return text

    def check_connected(self) -> None:
        """Raise :class:`ExecutorError` when the client has lost its scheduler for good
        (Dask tries to reconnect for ``distributed.comm.timeouts.connect``, then closes
        the client and cancels every future)."""
        if self.client.status in ("closing", "closed"):
            raise self.lost()

    def lost(self, cause: BaseException | None = None) -> ExecutorError:
        detail = f": {cause}" if cause is not None else ""
        return ExecutorError(
            f"the connection to the Dask scheduler at {self.address} was lost{detail}; the run "
            "stopped (tasks that had not finished did not run, results are not available)"
        )

    def close(self) -> None:
        """Close the client, and the LocalCluster if this run started it (an existing
        scheduler and its workers are left running)."""
        try:
            self.client.close()
        finally:
            if self.local is not None:
                self.local.close()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _connect(address: str) -> Client:
    try:
        return Client(address, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(
            f"cannot reach the Dask scheduler at {address}: {exc} (is it running? the address "
            "comes from --executor-option address=... or WFE_DASK_ADDRESS)"
        ) from exc


def _check_workers(client: Client, address: str) -> None:
    """Every worker of an existing cluster runs the same engine-core and executor-dask
    as this process. A worker without them cannot even unpickle a task: Dask would drop
    its connection, and the run would wait for ever."""
    here = versions()
    found = client.run(versions, on_error="return")
    wrong = {worker: seen for worker, seen in found.items() if seen != here}
    if wrong:
        worker, seen = next(iter(wrong.items()))
        what = (
            f"cannot import wfe_dask ({seen})"
            if isinstance(seen, BaseException)
            else f"runs {seen}"
        )
        raise ExecutorError(
            f"{len(wrong)} of the {len(found)} workers of the Dask scheduler at {address} do not "
            f"match this process ({here}); e.g. {worker} {what}: install the same "
            "executor-dask and engine-core (and the components your tasks use) on every worker"
        )


def _start_local(options: Mapping[str, Any]) -> LocalCluster:
    from wfe.native_threads import available_cores

    allowed, memory = options.get("allowed_failures"), options.get("memory_limit")
    dashboard = bool(options.get("dashboard"))
    if dashboard and importlib.util.find_spec("bokeh") is None:
        raise ExecutorError("Dask's dashboard needs bokeh: pip install bokeh")
    config = {"distributed.scheduler.allowed-failures": 1 if allowed is None else allowed}
    try:
        with dask.config.set(config):
            return LocalCluster(
                n_workers=options.get("workers") or available_cores(),
                threads_per_worker=options.get("threads_per_worker") or 1,
                memory_limit="auto" if memory is None else memory,  # 0: no limit
                processes=True,
                host="127.0.0.1",
                dashboard_address=":0",
                scheduler_kwargs={"dashboard": dashboard},
                silence_logs=logging.WARNING,
            )
    except Exception as exc:
        raise ExecutorError(f"could not start a Dask LocalCluster: {exc}") from exc

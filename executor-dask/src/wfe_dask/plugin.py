"""The plugin wfe loads from this distribution's ``wfe.plugins`` entry point.

It only names the executor (a lazy ``"module:Class"`` target): ``wfe executors list``
and ``wfe components list`` import neither it nor Dask.
"""

from __future__ import annotations

from wfe import ExecutorRef, hookimpl


@hookimpl
def wfe_register_executors() -> list[ExecutorRef]:
    return [
        ExecutorRef(
            "dask",
            "wfe_dask.executor:DaskExecutor",
            "Tasks on a Dask cluster (a LocalCluster, or address=tcp://HOST:PORT); "
            "data stays on the workers",
        )
    ]

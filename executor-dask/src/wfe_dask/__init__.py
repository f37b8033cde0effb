"""wfe's ``dask`` executor: run a workflow's tasks on a Dask cluster.

``wfe run FILE --executor dask`` starts a LocalCluster for the run;
``--executor-option address=tcp://HOST:PORT`` (or ``WFE_DASK_ADDRESS``) uses an
existing scheduler. See :mod:`wfe_dask.executor`.
"""

from __future__ import annotations

from typing import Any

# Imported on first use (PEP 562): plugin discovery imports this package to reach
# wfe_dask.plugin, and must stay light (the executor module brings pickle and wfe's
# component machinery; Dask itself only when a run picks the executor).
__all__ = ["DaskExecutor"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'wfe_dask' has no attribute {name!r}")
    from wfe_dask import executor

    return getattr(executor, name)

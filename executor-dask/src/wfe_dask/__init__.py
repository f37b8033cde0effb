"""wfe's ``dask`` executor: run a workflow's tasks on a Dask cluster.

``wfe run FILE --executor dask`` starts a LocalCluster for the run;
``--executor-option address=tcp://HOST:PORT`` (or ``WFE_DASK_ADDRESS``) uses an
existing scheduler. See :mod:`wfe_dask.executor`.
"""

from __future__ import annotations

__all__ = ["DaskExecutor"]

from wfe_dask.executor import DaskExecutor

"""The engine's native-thread limit on the pools scikit-learn and NumPy really load
(threadpoolctl comes with scikit-learn, so these run wherever components-ml is)."""

from __future__ import annotations

import numpy  # noqa: F401  loads the BLAS pool before the run starts
import sklearn.ensemble  # noqa: F401  loads the OpenMP pool before the run starts
from threadpoolctl import threadpool_info

import wfe
from wfe.native_threads import available_cores

WORKFLOW = (
    "workflow_name: pools\ntasks:\n"
    "  - {name: one, component_name: python_function, outputs: [one],"
    " params: {function: 'wfe_test_functions:native_thread_counts'}}\n"
    "  - {name: two, component_name: python_function, outputs: [two],"
    " params: {function: 'wfe_test_functions:native_thread_counts'}}\n"
)


def test_loaded_pools_are_capped_while_tasks_run_in_parallel_and_restored_after() -> None:
    before = sorted({int(p["num_threads"]) for p in threadpool_info()})
    result = wfe.loads(WORKFLOW).run(executor="threads", executor_options={"workers": 2})
    share = max(1, available_cores() // 2)
    assert result.results == {"one": [share], "two": [share]}
    assert sorted({int(p["num_threads"]) for p in threadpool_info()}) == before

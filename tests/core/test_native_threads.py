"""Tasks running at once do not oversubscribe the cores (wfe.native_threads)."""

from __future__ import annotations

import os

import pytest

import wfe
from wfe.native_threads import NativeThreadLimit, available_cores

WORKFLOW = (
    "workflow_name: threads\ntasks:\n"
    "  - {name: omp, component_name: python_function, outputs: [omp],"
    " params: {function: 'wfe_test_functions:environment', kwargs: {name: OMP_NUM_THREADS}}}\n"
    "  - {name: blas, component_name: python_function, outputs: [blas],"
    " params: {function: 'wfe_test_functions:environment', kwargs: {name: OPENBLAS_NUM_THREADS}}}\n"
)


@pytest.fixture(autouse=True)
def _no_user_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)


def test_parallel_tasks_share_the_cores_and_the_limit_is_lifted_after() -> None:
    workflow = wfe.loads(WORKFLOW)
    result = workflow.run(executor="threads", executor_options={"workers": 2})
    expected = str(max(1, available_cores() // 2))
    assert result.results == {"omp": expected, "blas": expected}
    assert "OMP_NUM_THREADS" not in os.environ  # lifted when the run ended


def test_one_task_at_a_time_and_the_switch_leave_threads_alone() -> None:
    workflow = wfe.loads(WORKFLOW)
    assert workflow.run().results == {"omp": None, "blas": None}
    off = {"workers": 2, "limit_native_threads": False}
    assert workflow.run(executor="threads", executor_options=off).results == {
        "omp": None,
        "blas": None,
    }


def test_a_limit_the_user_set_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    result = wfe.loads(WORKFLOW).run(executor="threads", executor_options={"workers": 2})
    assert result.results["omp"] == "7"
    assert os.environ["OMP_NUM_THREADS"] == "7"


def test_no_limit_is_needed_for_one_task() -> None:
    assert NativeThreadLimit.for_parallel_tasks(1) is None
    limit = NativeThreadLimit.for_parallel_tasks(available_cores() * 4)
    assert limit is not None
    assert limit.threads == 1

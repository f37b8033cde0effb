"""The cross-executor tests of tests/core/test_executor.py, run on dask.

Every test there that is parametrised over ``(executor, options)`` runs here once more,
with the executor ``dask`` on the session's cluster: fail-fast, keep-going, retries,
timeouts and checkpoints mean the same on a cluster. tests/core itself never needs
Dask; a new cross-executor test there runs here without being listed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from wfe_test_tasks import load_test_module

CORE_TESTS = Path(__file__).resolve().parents[1] / "core" / "test_executor.py"


def _cross_executor_tests(module: ModuleType) -> list[Callable[..., None]]:
    found = []
    for name, function in vars(module).items():
        marks = getattr(function, "pytestmark", [])
        if name.startswith("test_") and any(
            mark.name == "parametrize" and mark.args[0] == ("executor", "options") for mark in marks
        ):
            found.append(function)
    return found


CHECKS = _cross_executor_tests(load_test_module(CORE_TESTS))


def test_the_core_tests_were_found() -> None:
    assert len(CHECKS) >= 5


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_cross_executor_rules_hold_on_dask(
    check: Callable[..., None], on_cluster: dict[str, Any], tmp_path: Path
) -> None:
    extra = {"tmp_path": tmp_path} if "tmp_path" in inspect.signature(check).parameters else {}
    check("dask", on_cluster, **extra)

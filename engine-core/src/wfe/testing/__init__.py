"""Test helpers for component authors: wfe tests its own components with these.

Installing engine-core installs a pytest plugin (``wfe.testing.pytest_plugin``, entry
point ``pytest11: wfe``) with the ``run_workflow`` fixture. The helpers here need no
fixture::

    from wfe.testing import check_distribution, run_component

    def test_my_distribution_keeps_the_plugin_contract():
        check_distribution("my-components")

    def test_scale():
        assert run_component("scale", {"numbers": [1, 2]}, {"factor": 3}) == {"scaled": [3, 6]}

Importing this package is cheap: each helper imports the engine when it is called, so
a test module that imports them does not slow down pytest's collection.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wfe.testing.components import run_component
    from wfe.testing.contract import ContractError, DistributionReport, check_distribution
    from wfe.testing.workflows import WorkflowRunner

_EXPORTS = {
    "run_component": "wfe.testing.components",
    "ContractError": "wfe.testing.contract",
    "DistributionReport": "wfe.testing.contract",
    "check_distribution": "wfe.testing.contract",
    "WorkflowRunner": "wfe.testing.workflows",
}

__all__ = [
    "ContractError",
    "DistributionReport",
    "WorkflowRunner",
    "check_distribution",
    "run_component",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wfe.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])

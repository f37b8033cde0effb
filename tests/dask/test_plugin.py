"""The distribution's plugin (wfe_dask.plugin): ``dask`` is discovered through the
``wfe.plugins`` entry point, and listing or validating never imports Dask."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from wfe_test_tasks import load_test_module

RunWfe = Callable[..., subprocess.CompletedProcess[str]]
DASK = {"dask", "distributed"}
#: tests/core/test_startup.py, whose ``imported_by`` runs the CLI in a subprocess and
#: returns the modules it imported
PROBE = load_test_module(Path(__file__).resolve().parents[1] / "core" / "test_startup.py")


def test_dask_is_listed_with_its_distribution(run_wfe: RunWfe) -> None:
    listed = run_wfe("executors", "list")
    assert listed.returncode == 0, listed.stderr
    [row] = [line.split() for line in listed.stdout.splitlines() if line.startswith("dask ")]
    assert row[1:3] == ["executor-dask", "0.1.0"]


@pytest.mark.parametrize(
    "args", [["executors", "list"], ["components", "list"], ["--help"]], ids=" ".join
)
def test_listing_imports_no_dask(args: list[str], tmp_path: Path) -> None:
    modules = PROBE.imported_by(args, tmp_path)
    assert "wfe.cli" in modules
    assert "wfe_dask.plugin" in modules or args == ["--help"]
    assert not {m for m in modules if m.split(".")[0] in DASK}


def test_validating_with_the_dask_executor_imports_its_class_but_not_dask(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(
        "workflow_name: w\ntasks:\n  - {name: t, component_name: python_function,"
        " params: {function: 'wfe_test_functions:pair'}, outputs: [a, b]}\n"
    )
    modules = PROBE.imported_by(["validate", str(path), "--executor", "dask"], tmp_path)
    assert "wfe_dask.executor" in modules  # its options were checked
    assert not {m for m in modules if m.split(".")[0] in DASK}

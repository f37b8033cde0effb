"""The distribution's plugin (wfe_dask.plugin): ``dask`` is discovered through the
``wfe.plugins`` entry point, and listing or validating never imports Dask (listing does
not import the executor's module either)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from wfe_test_tasks import load_test_module

RunWfe = Callable[..., subprocess.CompletedProcess[str]]
SubprocessEnv = Callable[..., dict[str, str]]
DASK = {"dask", "distributed"}
#: the script tests/core/test_startup.py runs: `wfe ARGS`, then prints sys.modules
PROBE: str = load_test_module(
    Path(__file__).resolve().parents[1] / "core" / "test_startup.py"
).PROBE


def imported_by(args: list[str], env: dict[str, str]) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    marker = done.stdout.rindex("@@MODULES@@")
    return set(json.loads(done.stdout[marker + len("@@MODULES@@") :]))


def test_dask_is_listed_with_its_distribution(run_wfe: RunWfe) -> None:
    listed = run_wfe("executors", "list")
    assert listed.returncode == 0, listed.stderr
    [row] = [line.split() for line in listed.stdout.splitlines() if line.startswith("dask ")]
    assert row[1:3] == ["executor-dask", "0.1.0"]


@pytest.mark.parametrize(
    "args", [["executors", "list"], ["components", "list"], ["--help"]], ids=" ".join
)
def test_listing_imports_no_dask(args: list[str], subprocess_env: SubprocessEnv) -> None:
    modules = imported_by(args, subprocess_env())
    assert "wfe.cli" in modules
    assert not {m for m in modules if m.split(".")[0] in DASK}


@pytest.mark.parametrize("args", [["executors", "list"], ["components", "list"]], ids=" ".join)
def test_discovery_imports_the_plugin_not_the_executor(
    args: list[str], subprocess_env: SubprocessEnv
) -> None:
    modules = imported_by(args, subprocess_env())
    assert "wfe_dask.plugin" in modules
    assert "wfe_dask.executor" not in modules  # pickle, wfe's component machinery: later


def test_the_package_still_exports_the_executor() -> None:
    import wfe_dask
    from wfe_dask.executor import DaskExecutor

    assert wfe_dask.DaskExecutor is DaskExecutor
    with pytest.raises(AttributeError, match="no attribute 'Executor'"):
        _ = wfe_dask.Executor  # type: ignore[attr-defined]


def test_validating_with_the_dask_executor_imports_its_class_but_not_dask(
    tmp_path: Path, subprocess_env: SubprocessEnv
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(
        "workflow_name: w\ntasks:\n  - {name: t, component_name: python_function,"
        " params: {function: 'wfe_test_functions:pair'}, outputs: [a, b]}\n"
    )
    modules = imported_by(["validate", str(path), "--executor", "dask"], subprocess_env())
    assert "wfe_dask.executor" in modules  # its options were checked
    assert not {m for m in modules if m.split(".")[0] in DASK}

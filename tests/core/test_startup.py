"""Start-up stays light: the CLI and discovery import no heavy library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "sklearn", "boto3", "sqlalchemy", "numpy")

PROBE = """
import json, sys
sys.argv = ["wfe", *json.loads(sys.argv[1])]
try:
    from wfe.cli import main
    main()
except SystemExit:
    pass
print("@@MODULES@@" + json.dumps(sorted(sys.modules)))
"""


@pytest.fixture
def decoys(tmp_path: Path) -> Path:
    """Stand-ins for the heavy libraries, first on the path: importing one would put its
    name in sys.modules even on a machine where the real library is not installed."""
    folder = tmp_path / "decoys"
    for name in HEAVY:
        (folder / name).mkdir(parents=True)
        (folder / name / "__init__.py").write_text("")
    return folder


def imported_by(args: list[str], decoys: Path, cwd: Path | None = None) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(decoys), os.environ["PYTHONPATH"]])}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=60,
    )
    marker = done.stdout.rindex("@@MODULES@@")
    return set(json.loads(done.stdout[marker + len("@@MODULES@@") :]))


@pytest.mark.parametrize(
    "args", [["--help"], ["components", "list"], ["components", "list", "--json"], ["--version"]]
)
def test_cli_and_discovery_import_no_heavy_library(args: list[str], decoys: Path) -> None:
    modules = imported_by(args, decoys)
    assert "wfe.cli" in modules  # the probe really ran the CLI
    assert not {m for m in modules if m.split(".")[0] in HEAVY}


def test_version_reads_no_metadata(decoys: Path) -> None:
    modules = imported_by(["--version"], decoys)
    assert "wfe.cli" in modules
    assert "pluggy" not in modules
    assert "importlib.metadata" not in modules


def test_help_imports_neither_yaml_nor_pluggy(decoys: Path) -> None:
    modules = imported_by(["--help"], decoys)
    assert "typer" in modules
    assert "yaml" not in modules
    assert "pluggy" not in modules


def test_run_imports_only_the_components_it_uses(decoys: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "workflow_name: light\ntasks:\n"
        "  - {name: t, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [a, b]}\n"
    )
    modules = imported_by(["run", str(path)], decoys)
    assert "wfe.python_function" in modules
    assert "wfe_test_functions" in modules
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
    # Component distributions contribute their light plugin module only.
    for package in ("wfe_io", "wfe_ml"):
        loaded = {m for m in modules if m.split(".")[0] == package}
        assert loaded <= {package, f"{package}.plugin"}, loaded

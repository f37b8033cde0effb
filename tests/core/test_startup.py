"""Start-up stays light: the CLI and discovery import no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest

HEAVY = ("pandas", "sklearn", "boto3", "sqlalchemy", "numpy", "moto")

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


ImportedBy = Callable[..., set[str]]


@pytest.fixture
def imported_by(decoys: Path, subprocess_env: Callable[..., dict[str, str]]) -> ImportedBy:
    """``imported_by(args, probe=PROBE)``: the modules a process running ``probe`` with
    these arguments (by default: `wfe ARGS`) had imported at its end."""

    def imported(args: list[str], probe: str = PROBE) -> set[str]:
        done = subprocess.run(
            [sys.executable, "-c", probe, json.dumps(args)],
            capture_output=True,
            text=True,
            env=subprocess_env(decoys),
            check=False,
            timeout=60,
        )
        assert "@@MODULES@@" in done.stdout, done.stdout + done.stderr
        marker = done.stdout.rindex("@@MODULES@@")
        return set(json.loads(done.stdout[marker + len("@@MODULES@@") :]))

    return imported


@pytest.mark.parametrize(
    "args", [["--help"], ["components", "list"], ["components", "list", "--json"], ["--version"]]
)
def test_cli_and_discovery_import_no_heavy_library(
    args: list[str], imported_by: ImportedBy
) -> None:
    modules = imported_by(args)
    assert "wfe.cli" in modules  # the probe really ran the CLI
    assert not {m for m in modules if m.split(".")[0] in HEAVY}


def test_version_reads_no_metadata(imported_by: ImportedBy) -> None:
    modules = imported_by(["--version"])
    assert "wfe.cli" in modules
    assert "pluggy" not in modules
    assert "importlib.metadata" not in modules


def test_help_imports_neither_yaml_nor_pluggy(imported_by: ImportedBy) -> None:
    modules = imported_by(["--help"])
    assert "typer" in modules
    assert "yaml" not in modules
    assert "pluggy" not in modules


def test_run_imports_only_the_components_it_uses(imported_by: ImportedBy, tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(
        "workflow_name: light\ntasks:\n"
        "  - {name: t, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [a, b]}\n"
    )
    modules = imported_by(["run", str(path)])
    assert "wfe.python_function" in modules
    assert "wfe_test_functions" in modules
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
    # Component distributions contribute their light plugin module only.
    for package in ("wfe_io", "wfe_ml"):
        loaded = {m for m in modules if m.split(".")[0] == package}
        assert loaded <= {package, f"{package}.plugin"}, loaded


PYTEST_PROBE = """
import json, sys
import pytest
code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *json.loads(sys.argv[1])])
print("@@MODULES@@" + json.dumps(sorted(sys.modules)) if code == 0 else f"exit code {code}")
"""


def test_the_pytest_plugins_import_nothing_heavy_while_collecting(
    imported_by: ImportedBy, tmp_path: Path
) -> None:
    test_file = tmp_path / "test_uses_the_fixtures.py"
    test_file.write_text(
        "from wfe.testing import check_distribution, run_component\n\n\n"
        "def test_it(run_workflow):\n    pass\n"
    )
    modules = imported_by([str(test_file), "--rootdir", str(tmp_path)], PYTEST_PROBE)
    ours = {
        entry_point.value
        for entry_point in entry_points(group="pytest11")
        if entry_point.dist is not None
        and entry_point.dist.name in ("engine-core", "components-io", "components-ml")
    }
    assert "wfe.testing.pytest_plugin" in ours
    assert ours <= modules  # pytest loaded each through its entry point
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
    assert "wfe.workflow" not in modules  # the engine waits until a fixture is used

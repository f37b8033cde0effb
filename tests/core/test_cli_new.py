"""`wfe new distribution|workflow` (wfe.cli.new), end to end: what it writes works."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml
from wfe_test_installs import pip_install_offline

import wfe
from wfe.schema import workflow_schema

RunWfe = Callable[..., subprocess.CompletedProcess[str]]
Env = Callable[..., dict[str, str]]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
    )


@pytest.mark.slow  # pip-installs the scaffold and runs its tests
def test_a_new_distribution_installs_passes_its_tests_and_serves_a_workflow(
    run_wfe: RunWfe, subprocess_env: Env, tmp_path: Path
) -> None:
    made = run_wfe("new", "distribution", "wfe-weather", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "wrote distribution 'wfe-weather' (import package wfe_weather)" in made.stdout
    folder = tmp_path / "wfe-weather"
    site = tmp_path / "site"
    pip_install_offline(site, ".", cwd=folder)
    env = subprocess_env(site)

    tests = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], folder, env)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout

    listed = run_wfe("components", "list", env=env)
    assert [
        row.split()[:3] for row in listed.stdout.splitlines() if row.startswith("wfe_weather")
    ] == [["wfe_weather_scale", "wfe-weather", "0.1.0"]]
    used = run_wfe("run", "example.yaml", "--var", "factor=3", "--no-record", cwd=folder, env=env)
    assert used.returncode == 0, used.stderr
    assert "scale ok in" in used.stdout
    assert "scaled=list of 3" in used.stdout


def test_bad_names_and_existing_files_exit_2_and_write_nothing(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    bad = run_wfe("new", "distribution", "project", "--name", "2fast", cwd=tmp_path)
    assert bad.returncode == 2
    assert "error: the distribution name '2fast' gives the import package '2fast'" in bad.stderr
    assert not (tmp_path / "project").exists()
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "README.md").write_text("mine")
    taken = run_wfe("new", "distribution", "project", "--name", "wfe-sky", cwd=tmp_path)
    assert taken.returncode == 2
    assert "refusing to overwrite existing files: project/README.md" in taken.stderr
    assert [p.name for p in (tmp_path / "project").iterdir()] == ["README.md"]
    assert (tmp_path / "project" / "README.md").read_text() == "mine"


def test_a_new_workflow_validates_runs_and_matches_the_schema(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    made = run_wfe("new", "workflow", "flows/nightly.yaml", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    path = tmp_path / "flows" / "nightly.yaml"
    text = path.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./wfe-workflow.schema.json"
    assert "wfe schema > wfe-workflow.schema.json" in text
    checked = run_wfe("validate", "flows/nightly.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "OK: workflow 'nightly', 2 tasks" in checked.stdout
    result = wfe.load(path).run().raise_for_status()
    assert result["report"] == '[\n  "Ada",\n  "Grace"\n]'
    schema = workflow_schema(wfe.load_plugins())
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(text))) == []
    again = run_wfe("new", "workflow", "flows/nightly.yaml", cwd=tmp_path)
    assert again.returncode == 2
    assert "refusing to overwrite existing files: flows/nightly.yaml" in again.stderr
    assert path.read_text() == text


@pytest.mark.parametrize("command", ["distribution", "workflow"])
def test_help_says_what_each_command_writes(run_wfe: RunWfe, command: str) -> None:
    helped = run_wfe("new", command, "--help")
    assert helped.returncode == 0
    assert {"distribution": "entry point", "workflow": "points editors"}[command] in helped.stdout

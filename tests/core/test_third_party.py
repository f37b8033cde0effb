"""The docs' third-party component distribution (docs/writing-components.md), installed
for real and run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from wfe_test_installs import pip_install_offline

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "wfe-greetings"
README_FILE_BLOCK = re.compile(
    r"`(examples/wfe-greetings/[^`]+)`[^\n]*:\n\n```\w*\n(.*?)```", re.DOTALL
)


def test_readme_shows_every_file_of_the_example_exactly() -> None:
    page = REPO / "docs" / "writing-components.md"
    blocks = dict(README_FILE_BLOCK.findall(page.read_text(encoding="utf-8")))
    files = {
        str(p.relative_to(REPO)): p.read_text(encoding="utf-8")
        for p in EXAMPLE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert set(blocks) == set(files)
    for name, text in files.items():
        assert blocks[name] == text, f"the docs' copy of {name} differs from the file"


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example (so that building it leaves the repository clean)."""
    copy = tmp_path_factory.mktemp("third_party") / "wfe-greetings"
    shutil.copytree(EXAMPLE, copy)
    return copy


@pytest.fixture(scope="module")
def installed(source: Path, subprocess_env: Callable[..., dict[str, str]]) -> dict[str, str]:
    """pip-install the example into a folder; returns the environment that puts that
    folder on a subprocess's path."""
    target = source.parent / "site"
    pip_install_offline(target, source)
    return subprocess_env(target)


RunWfe = Callable[..., subprocess.CompletedProcess[str]]


@pytest.mark.slow  # pip-installs the example (module fixture)
def test_installed_distribution_is_discovered(run_wfe: RunWfe, installed: dict[str, str]) -> None:
    listed = run_wfe("components", "list", "--json", env=installed)
    assert listed.returncode == 0, listed.stderr
    [greet] = [row for row in json.loads(listed.stdout)["components"] if row["name"] == "greet"]
    assert greet == {
        "name": "greet",
        "summary": "Greet each name in a list",
        "distribution": "wfe-greetings",
        "version": "1.0.0",
        "target": "wfe_greetings.components:Greet",
    }
    shown = run_wfe("components", "show", "greet", env=installed)
    assert "greeting  (a string, default: 'Hello')  the word to greet with" in shown.stdout
    assert "names  (required)  a list of names" in shown.stdout


@pytest.mark.slow  # pip-installs the example (module fixture)
def test_installed_distribution_runs_the_readme_workflow(
    run_wfe: RunWfe, installed: dict[str, str], tmp_path: Path
) -> None:
    probe = "import wfe; r = wfe.load({!r}).run(); r.raise_for_status(); print(r.results['greetings'])".format(
        str(EXAMPLE / "greetings.yaml")
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        env=installed,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['Hi, Ada!', 'Hi, Grace!']"
    cli = run_wfe("run", str(EXAMPLE / "greetings.yaml"), env=installed)
    assert cli.returncode == 0, cli.stderr
    assert "greetings=list of 2" in cli.stdout


@pytest.mark.slow  # pip-installs the example (module fixture)
def test_a_bad_param_for_the_third_party_component_is_caught(
    run_wfe: RunWfe, installed: dict[str, str], write_workflow: Callable[..., Path]
) -> None:
    path = write_workflow(
        "workflow_name: g\ntasks:\n  - {name: g, component_name: greet, params: {greting: Yo}, outputs: [x]}\n"
    )
    done = run_wfe("validate", str(path), env=installed)
    assert done.returncode == 2
    assert "unknown param 'greting'" in done.stderr
    assert "did you mean 'greeting'?" in done.stderr
    assert "missing required input 'names'" in done.stderr


@pytest.mark.slow  # pip-installs the example (module fixture)
def test_the_example_passes_its_own_tests(source: Path, installed: dict[str, str]) -> None:
    # As its author would run them: pytest in its folder, wfe's plugin from engine-core.
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests"],
        cwd=source,
        env=installed,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout

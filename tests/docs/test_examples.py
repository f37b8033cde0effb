"""Every shell and Python example in README.md and docs/ runs, exactly as printed.

Each fenced block is either run here or claimed by the test that runs it (a block
whose run needs its own set-up: a checkpoint session compared with its printed output,
files compared with an installed example). Claims are checked too: the claiming test
must name the page. A new block that nobody runs fails :func:`test_every_example_is_run`.

Shell blocks run line by line, in a copy of ``workflows/`` and ``examples/``, as a
user types them, with these rules (the only ones):

- ``python -m venv ...`` and ``. .venv/bin/activate``: the tests already run inside
  a virtual environment (nox's);
- ``pip install`` of the monorepo's own distributions: nox's tests session installs
  exactly those; ``python -m pip install nox && python -m nox`` is what CI runs;
- ``pip install`` of anything else (an example, a scaffold): installed without network,
  ``--no-build-isolation --no-deps --no-index --target <folder>`` (``-e`` dropped), the
  folder put on the path of the commands after it;
- ``cd DIR`` changes the folder for the commands after it in the block.

Every other command must exit 0. Python blocks run as scripts in the same copy.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from wfe_test_installs import pip_install_offline

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
OWN_DISTRIBUTIONS = {"./engine-core", "./components-io", "./components-ml", "./executor-dask"}

#: (page, first line of the block) -> the test that runs that block as printed
CLAIMED = {
    (
        "docs/checkpoints.md",
        "wfe run workflows/churn.yaml --checkpoint .wfe/checkpoints            # saves as it goes",
    ): "tests/workflows/test_readme_checkpoints.py",
    ("docs/checkpoints.md", "$ rm wfe.db"): "tests/workflows/test_readme_checkpoints.py",
    (
        "docs/checkpoints.md",
        "wfe checkpoints list --checkpoint .wfe/checkpoints                # size and age per task and fingerprint",
    ): "tests/workflows/test_readme_checkpoints.py",
    (
        "docs/checkpoints.md",
        "from wfe import Component, Param",
    ): "tests/workflows/test_readme_checkpoints.py",
    ("docs/writing-components.md", "[build-system]"): "tests/core/test_third_party.py",
    (
        "docs/writing-components.md",
        '"""Example wfe components: greetings."""',
    ): "tests/core/test_third_party.py",
    (
        "docs/writing-components.md",
        "from wfe import ComponentRef, hookimpl",
    ): "tests/core/test_third_party.py",
    (
        "docs/writing-components.md",
        "from wfe import Component, Input, Param",
    ): "tests/core/test_third_party.py",
    ("docs/writing-components.md", "workflow_name: greetings"): "tests/core/test_third_party.py",
    ("docs/writing-components.md", "from pathlib import Path"): "tests/core/test_third_party.py",
    ("docs/writing-components.md", "import pandas as pd"): "tests/io/test_testing_fixtures.py",
    (
        "docs/safety.md",
        "# /etc/wfe/policy.toml, or the file named by WFE_POLICY",
    ): "tests/docs/test_examples.py",
}
#: languages whose blocks are shown, not run (usage lines, printed output, diagrams)
SHOWN_ONLY = {"text", ""}


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    body: str

    @property
    def first(self) -> str:
        return self.body.strip().splitlines()[0] if self.body.strip() else ""

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def blocks() -> Iterator[Block]:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^ *```(\w*)\n(.*?)^ *```", text, re.M | re.S):
            line = text[: match.start()].count("\n") + 1
            body = (
                re.sub(r"(?m)^  ", "", match.group(2))
                if match.group(0).startswith(" ")
                else match.group(2)
            )
            yield Block(str(page.relative_to(REPO)), line, match.group(1), body)


def to_run(language: str) -> list[Block]:
    return [b for b in blocks() if b.language == language and (b.page, b.first) not in CLAIMED]


def test_every_example_is_run_here_or_by_the_test_that_claims_it() -> None:
    seen = set()
    for block in blocks():
        key = (block.page, block.first)
        seen.add(key)
        if key in CLAIMED:
            claimer = REPO / CLAIMED[key]
            assert claimer.is_file(), f"{block}: claimed by {claimer}, which does not exist"
            # the claiming test must read this page (the same file name, here or in docs/)
            assert Path(block.page).name in claimer.read_text(encoding="utf-8"), (
                f"{block} is claimed by {CLAIMED[key]}, which does not read {block.page}"
            )
        else:
            assert block.language in {"bash", "python", "yaml", *SHOWN_ONLY}, (
                f"{block}: a {block.language!r} block that no test runs; run it here or "
                "claim it in CLAIMED"
            )
    assert set(CLAIMED) <= seen, f"claims for blocks that are gone: {set(CLAIMED) - seen}"


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A user's checkout: the example workflows and distributions, nothing else."""
    for folder in ("workflows", "examples"):
        shutil.copytree(
            REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


class Shell:
    """Runs a block's commands as a user types them (see the module docstring)."""

    def __init__(self, cwd: Path, env: Callable[..., dict[str, str]]) -> None:
        self.cwd = cwd
        self.env = env
        self.site = cwd / ".installed"
        bin_folder = str(Path(sys.executable).parent)
        self.path = os.pathsep.join([bin_folder, os.environ.get("PATH", "")])

    def run(self, line: str) -> None:
        for command in re.split(r"\s*&&\s*", line.strip()):
            words = shlex.split(command, comments=True)
            if not words:
                continue
            self.one(words)

    def one(self, words: list[str]) -> None:
        if words[:3] == ["python", "-m", "venv"] or words[0] == ".":
            return  # the tests run inside a virtual environment already
        if words[:4] == ["python", "-m", "pip", "install"] and words[4:] == ["nox"]:
            return  # the next command, python -m nox, is what CI runs
        if words[:3] == ["python", "-m", "nox"]:
            return
        if words[0] == "cd":
            self.cwd = (self.cwd / words[1]).resolve()
            return
        if words[:2] == ["pip", "install"]:
            self.install([w for w in words[2:] if w != "-e"])
            return
        done = subprocess.run(
            shlex.join(words),
            shell=True,
            cwd=self.cwd,
            env={**self.env(self.site), "PATH": self.path},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{shlex.join(words)}\n{done.stdout}\n{done.stderr}"

    def install(self, targets: list[str]) -> None:
        if set(targets) <= OWN_DISTRIBUTIONS:
            return  # nox's tests session installs exactly these
        pip_install_offline(self.site, *(t.split("[")[0] for t in targets), cwd=self.cwd)


@pytest.mark.slow  # runs churn.yaml several times, and pip installs
@pytest.mark.parametrize("block", to_run("bash"), ids=str)
def test_shell_examples_run_as_printed(
    block: Block, sandbox: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    shell = Shell(sandbox, subprocess_env)
    for line in block.body.splitlines():
        shell.run(line)


@pytest.mark.slow
@pytest.mark.parametrize("block", to_run("python"), ids=str)
def test_python_examples_run_as_printed(
    block: Block, sandbox: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    script = sandbox / "example.py"
    script.write_text(block.body, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=sandbox,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("block", to_run("yaml"), ids=str)
def test_workflow_examples_validate(
    block: Block, sandbox: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    path = sandbox / "workflows" / "example.yaml"  # next to the modules it calls
    path.write_text(block.body, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "wfe", "validate", str(path)],
        cwd=sandbox,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"


def test_the_policy_example_refuses_as_printed(
    tmp_path: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    page = "docs/safety.md"
    [policy] = [b for b in blocks() if b.page == page and b.language == "toml"]
    [printed] = [
        b for b in blocks() if b.page == page and "is refused by the operator policy" in b.body
    ]
    path = tmp_path / "policy.toml"
    path.write_text(policy.body, encoding="utf-8")
    flow = tmp_path / "flow.yaml"
    flow.write_text(
        "workflow_name: refused\ntasks:\n  - name: shell\n    component_name: python_function\n"
        "    params:\n      function: os:system\n      kwargs: {command: 'echo hi'}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "wfe", "validate", "flow.yaml"],
        cwd=tmp_path,
        env={**subprocess_env(), "WFE_POLICY": str(path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    expected = printed.body.strip().replace("/etc/wfe/policy.toml", str(path))
    assert expected in done.stderr

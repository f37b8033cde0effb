"""The checkpoint examples of docs/checkpoints.md, run exactly as printed (hex digests
aside)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import wfe
from wfe.fingerprint import fingerprints

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "docs" / "checkpoints.md").read_text(encoding="utf-8")
SECTION = README[: README.index("## What checkpoints need to know about a component")]
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", SECTION, re.DOTALL)
DIGEST = re.compile(r"\b[0-9a-f]{12}\b")


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``command`` as a user types it, with this environment's ``wfe`` first on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(
        command,
        shell=True,
        cwd=cwd,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_the_checkpoint_examples_run_as_printed(tmp_path: Path) -> None:
    shutil.copytree(
        REPO / "workflows", tmp_path / "workflows", ignore=shutil.ignore_patterns("__pycache__")
    )
    [first, tidy] = [text for kind, text in BLOCKS if kind == "bash"]
    [session] = [text for kind, text in BLOCKS if kind == "text"]
    for line in first.splitlines():
        command = shlex.split(line, comments=True)
        assert command[0] == "wfe"
        done = shell(shlex.join(command), tmp_path)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    steps = re.split(r"^\$ (.*)\n", session, flags=re.MULTILINE)[1:]
    for command, printed in zip(steps[::2], steps[1::2], strict=True):
        done = shell(command, tmp_path)
        assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
        assert DIGEST.sub("<digest>", done.stdout) == DIGEST.sub("<digest>", printed), command
    for line in tidy.splitlines():
        done = shell(shlex.join(shlex.split(line, comments=True)), tmp_path)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    remaining = sorted(p.name for p in (tmp_path / ".wfe" / "checkpoints").iterdir())
    assert "train_model" not in remaining
    assert "split" in remaining


def test_the_component_example_declares_what_it_reads(tmp_path: Path) -> None:
    section = README[README.index("## What checkpoints need to know about a component") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), "docs/checkpoints.md", "exec"), namespace)
    table = tmp_path / "table.csv"
    table.write_text("a\n1\n")

    class Plugin:
        @wfe.hookimpl
        def wfe_register_components(self) -> list[wfe.ComponentRef]:
            return [wfe.ComponentRef("load_table", namespace["LoadTable"], "")]  # type: ignore[arg-type]

    plugins = wfe.load_plugins([Plugin()], environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"})
    text = f"workflow_name: r\ntasks:\n  - {{name: t, component_name: load_table, params: {{path: '{table}'}}, outputs: [x]}}\n"
    workflow = wfe.loads(text, plugins=plugins)
    [found] = fingerprints(workflow.graph, plugins.components(), workflow.classes).values()
    assert list(found.identity["data"]) == [str(table)]

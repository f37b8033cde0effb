"""Shared fixtures for every test folder (core, io, ml, workflows).

Test helper modules live in tests/support, which pytest puts on ``sys.path`` (the
``pythonpath`` option in pyproject.toml); ``subprocess_env`` gives subprocesses the same.
Fixtures for real services (S3, PostgreSQL) and for running workflows and components
come from the pytest plugins of components-io and engine-core, as for any component
author (``wfe_io.testing``, ``wfe.testing``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

SubprocessEnv = Callable[..., dict[str, str]]


@pytest.fixture(scope="session", autouse=True)
def cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """wfe's caches (see wfe.memofiles) go to a folder of this session, for every test
    and its subprocesses: the suite neither reads what the user's ``~/.cache/wfe``
    remembers nor leaves its thousands of temporary modules there."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def subprocess_env(pytestconfig: pytest.Config) -> SubprocessEnv:
    """``subprocess_env(*folders)``: the environment for a Python subprocess of a test:
    this process's environment as it is at the call (so a test's ``monkeypatch.setenv``
    reaches it), with ``folders`` and then tests/support first on PYTHONPATH (so
    ``python_function`` finds tests/support/wfe_test_functions.py in a ``wfe`` process)."""
    support = [str(path) for path in pytestconfig.getini("pythonpath")]

    def environment(*folders: str | os.PathLike[str]) -> dict[str, str]:
        inherited = os.environ.get("PYTHONPATH", "")
        paths = [*map(os.fspath, folders), *support, *([inherited] if inherited else [])]
        return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}

    return environment


@pytest.fixture
def write_workflow(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "workflow.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_wfe(subprocess_env: SubprocessEnv) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``wfe`` command as a user would, in a subprocess:
    ``run_wfe("run", path, cwd=..., env={...})``; ``env`` adds to ``subprocess_env()``."""

    def run(
        *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "wfe", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**subprocess_env(), **(env or {})},
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def use_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """``use_policy(toml_text)``: write an operator policy file and point WFE_POLICY at it
    (a new file each call: wfe reads a policy once per process and file name)."""
    count = 0

    def use(text: str) -> Path:
        nonlocal count
        count += 1
        path = tmp_path / f"policy-{count}.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("WFE_POLICY", str(path))
        return path

    return use

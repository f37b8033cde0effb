"""Installing a distribution in a test, as pip would, without the network.

Tests reach no address but loopback, so the build backend cannot be fetched: the build
runs without isolation (setuptools comes from the test group), dependencies are not
resolved (the test environment has them), and the result goes into a folder of its own
that the test puts on a subprocess's path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def pip_install_offline(target: Path, *sources: str | Path, cwd: Path | None = None) -> None:
    """``pip install SOURCES`` into ``target`` without network; fails the test, with
    pip's message, when pip fails."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(target),
            *map(str, sources),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, f"pip install {list(sources)} failed:\n{done.stderr}"

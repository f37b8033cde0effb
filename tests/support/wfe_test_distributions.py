"""Installed-looking distributions made on the fly, for discovery and contract tests."""

from __future__ import annotations

import textwrap
from pathlib import Path


def install_fake_distribution(
    site: Path, name: str, entry_points: str, modules: dict[str, str]
) -> None:
    """Write a distribution's metadata and modules into ``site`` (a folder on sys.path),
    as an installer would: importlib.metadata finds it like any installed one, and
    ``packages_distributions()`` knows its modules."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    (info / "top_level.txt").write_text("".join(f"{module}\n" for module in modules))
    for module, source in modules.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source))

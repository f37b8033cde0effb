"""The ``wfe`` command: a thin layer over the Python API.

``app`` (in :mod:`wfe.cli.app`) holds the shared options and error handling; each
module here adds its commands. Heavy modules are imported inside the commands, so
``wfe --help`` and ``wfe components list`` stay fast.
"""

from __future__ import annotations

import importlib

from wfe.cli.app import app

# Importing these modules registers their commands, in the order `wfe --help` lists them.
for _module in ("run", "inspection", "components", "executors", "runs", "checkpoints", "new"):
    importlib.import_module(f"wfe.cli.{_module}")

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()

"""The ``wfe`` command: a thin layer over the Python API.

``app`` (in :mod:`wfe.cli.app`) holds the shared options and error handling; each
module here adds its commands. Heavy modules are imported inside the commands, and
``main`` imports only the module of the command being run (all of them for ``--help``
or a name it does not know), so ``wfe components list`` does not pay for defining and
building every other command.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from wfe.cli.app import app

#: command (or command group) -> the module that defines it, in `wfe --help`'s order
#: (each group is added to ``app`` when its module is imported)
COMMANDS = {
    "run": "run",
    "validate": "inspection",
    "graph": "inspection",
    "schema": "inspection",
    "components": "components",
    "runs": "runs",
    "checkpoints": "checkpoints",
    "executors": "executors",
    "new": "new",
}

__all__ = ["COMMANDS", "app", "load_commands", "main"]


def load_commands(argv: Sequence[str] | None = None) -> None:
    """Register the commands ``argv`` needs (every command when ``argv`` is None)."""
    words = [a for a in argv or () if not a.startswith("-")]
    if argv is not None and not words and "--version" in argv:
        modules: list[str] = []  # answered by the eager --version option alone
    elif argv is not None and words and words[0] in COMMANDS:
        modules = [COMMANDS[words[0]]]
    else:
        modules = list(dict.fromkeys(COMMANDS.values()))
    for module in modules:
        importlib.import_module(f"wfe.cli.{module}")


def main() -> None:
    """Console-script entry point."""
    load_commands(sys.argv[1:])
    app()

"""Run a workflow in a test: from a file or from YAML text, in a temporary folder.

Behind the ``run_workflow`` fixture of :mod:`wfe.testing.pytest_plugin`. A workflow's
relative paths (``path: data/in.csv``, ``sqlite:///wfe.db``) resolve in the working
folder, the test's ``tmp_path``, so a test never writes into the repository and two
tests never share files.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wfe.plugins import Plugins
    from wfe.report import RunResult
    from wfe.workflow import Workflow

__all__ = ["WorkflowRunner"]


class WorkflowRunner:
    """``runner(text_or_path, vars=..., executor=..., outputs=[...]) -> RunResult``.

    ``folder`` is the working folder: the workflow is loaded and run there.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(
        self,
        source: str | os.PathLike[str],
        vars: Mapping[str, str] | None = None,
        *,
        executor: str | None = None,
        executor_options: Mapping[str, Any] | None = None,
        workers: int | None = None,
        keep_going: bool = False,
        outputs: Iterable[str] = (),
        plugins: Plugins | None = None,
    ) -> RunResult:
        """Load and run the workflow; return its :class:`wfe.RunResult`.

        ``source`` is a path (a :class:`pathlib.Path`, or a string without a line
        break; relative to the current folder) or YAML text (a string with at least one
        line break). ``vars`` override the workflow's variables like ``--var``; the
        other arguments go to :meth:`wfe.Workflow.run`. A bad definition raises
        :class:`wfe.DefinitionError`; a failed task does not raise: check
        ``result.ok``, or chain ``.raise_for_status()``, which returns the result.
        """
        workflow = self.load(source, vars, plugins=plugins)
        with contextlib.chdir(self.folder):
            return workflow.run(
                workers,
                keep_going,
                executor=executor,
                executor_options=executor_options,
                outputs=outputs,
            )

    def load(
        self,
        source: str | os.PathLike[str],
        vars: Mapping[str, str] | None = None,
        *,
        plugins: Plugins | None = None,
    ) -> Workflow:
        """Load and validate the workflow in the working folder, without running it."""
        from wfe.workflow import load, loads

        if isinstance(source, str) and "\n" in source:
            with contextlib.chdir(self.folder):
                return loads(source, vars, source="<run_workflow text>", plugins=plugins)
        path = Path(source).resolve()
        if not path.is_file():
            raise FileNotFoundError(
                f"no workflow file {os.fspath(source)!r} (looked for {path}); pass a path to "
                "an existing file, or YAML text as a string with at least one line break"
            )
        with contextlib.chdir(self.folder):
            return load(path, vars, plugins=plugins)

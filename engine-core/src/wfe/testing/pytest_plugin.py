"""wfe's pytest plugin: fixtures for testing components and workflows.

pytest loads it wherever engine-core is installed (entry point ``pytest11: wfe``;
``-p no:wfe`` turns it off). It is loaded at every pytest start-up, so it imports
nothing but pytest: the engine is imported when a fixture is used.

Fixtures:

``run_workflow``
    ``run_workflow(text_or_path, vars=..., executor=..., workers=..., outputs=[...])``
    loads and runs a workflow with its working folder in the test's ``tmp_path`` and
    returns the :class:`wfe.RunResult` (see :class:`wfe.testing.WorkflowRunner`).

Helpers that need no fixture live in :mod:`wfe.testing`: ``run_component`` and
``check_distribution``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from wfe.testing.workflows import WorkflowRunner


@pytest.fixture
def run_workflow(tmp_path: Path) -> WorkflowRunner:
    """Run a workflow (a path, or YAML text) with ``tmp_path`` as its working folder."""
    from wfe.testing.workflows import WorkflowRunner

    return WorkflowRunner(tmp_path)

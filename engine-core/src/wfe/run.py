"""A run's identity and options: what every lifecycle hook receives as ``run``.

Plugins key their state by ``run.id``, so two runs in one process (two threads calling
``Workflow.run()``, a notebook and a scheduler) never mix their records or displays.
All of a run's choices travel in one :class:`RunOptions`, so adding an option or an
executor never changes the engine's signature.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wfe.spec import WorkflowSpec

__all__ = ["Run", "RunOptions", "new_run_id"]


def _no_options() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RunOptions:
    """Everything a caller chose for one run. ``executor`` is a registered executor's
    name (``None``: the workflow's ``executor:``, else ``sequential``)."""

    executor: str | None = None
    executor_options: Mapping[str, Any] = field(default_factory=_no_options)
    #: after a failure, still run every task that does not depend on it
    keep_going: bool = False
    #: checkpoint folder (``None``: the workflow's ``checkpoint:``, if any)
    checkpoint: str | None = None
    #: reuse checkpoints whose fingerprint still matches
    resume: bool = False
    #: a slice of the DAG: these tasks only, and/or from one task, and/or up to one
    only: tuple[str, ...] = ()
    start_at: str | None = None
    stop_after: str | None = None
    #: outputs to keep and return besides the workflow's results (those no task reads)
    outputs: tuple[str, ...] = ()


@dataclass(eq=False, slots=True)
class Run:
    """One run of a workflow: its ``id`` (unique, sortable by start time), the validated
    ``workflow``, the ``options`` it was started with, and the executor running it."""

    id: str
    workflow: WorkflowSpec
    options: RunOptions
    #: the executor's name and a few words about it ("threads", "4 threads")
    executor: str = ""
    executor_description: str = ""
    #: Unix time the run started
    started: float = field(default_factory=time.time)


def new_run_id() -> str:
    """``20261125T190717.123-1a2b3c4d``: the start time to the millisecond (ids sort by
    it), then random hex (two runs that start in the same millisecond still differ)."""
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now))
    return f"{stamp}.{int(now * 1000) % 1000:03d}-{secrets.token_hex(4)}"

"""``wfe checkpoints list|clear|prune``: what a checkpoint folder holds, and tidying it.

Checkpoints are a cache: every one can be deleted, at the price of running its task
again. ``prune`` keeps the newest checkpoint of each task (the one a ``--resume`` of
the same definition and data reuses); ``clear`` removes them all, or one task's.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wfe.cli.app import Debug, command_group, user_errors

if TYPE_CHECKING:
    from wfe.checkpoints import Entry

checkpoints_app = command_group(
    "checkpoints", "List and tidy saved checkpoints (see wfe run --checkpoint)."
)

CheckpointDir = Annotated[
    Path,
    typer.Option(
        "--checkpoint",
        help="The checkpoint folder, as given to wfe run --checkpoint.",
        show_default=False,
    ),
]


def _size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def _age(seconds: float) -> str:
    seconds = max(seconds, 0.0)
    for unit, length in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= length:
            return f"{seconds / length:.0f} {unit}"
    return f"{seconds:.0f} s"


def _summary(entries: list[Entry], verb: str, folder: Path) -> str:
    tasks = len({e.task for e in entries})
    total = _size(sum(e.bytes for e in entries))
    return f"{verb} {len(entries)} checkpoint(s) of {tasks} task(s), {total}, in {folder}"


@checkpoints_app.command("list")
def checkpoints_list(
    checkpoint: CheckpointDir,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    debug: Debug = False,
) -> None:
    """List checkpoints by task, newest first, with their size and age."""
    from wfe.checkpoints import CheckpointStore

    with user_errors(debug):
        entries = CheckpointStore(checkpoint).entries()
    if as_json:
        import json
        from dataclasses import asdict

        typer.echo(json.dumps([asdict(e) for e in entries], indent=2))
        return
    if not entries:
        typer.echo(f"no checkpoints in {checkpoint}")
        return
    now = time.time()
    rows = [("TASK", "FINGERPRINT", "SIZE", "AGE", "STATE")]
    rows += [(e.task, e.fingerprint, _size(e.bytes), _age(now - e.saved), e.state) for e in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    typer.echo(_summary(entries, "total:", checkpoint))


@checkpoints_app.command("clear")
def checkpoints_clear(
    checkpoint: CheckpointDir,
    tasks: Annotated[
        list[str] | None,
        typer.Argument(
            help="Tasks whose checkpoints to remove (default: every task).", show_default=False
        ),
    ] = None,
    debug: Debug = False,
) -> None:
    """Remove every checkpoint of the named tasks, or of all tasks."""
    from wfe.checkpoints import CheckpointStore

    with user_errors(debug):
        removed = CheckpointStore(checkpoint).clear(tasks or ())
    typer.echo(_summary(removed, "removed", checkpoint))


@checkpoints_app.command("prune")
def checkpoints_prune(
    checkpoint: CheckpointDir,
    older_than: Annotated[
        float | None,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            min=0,
            help="Remove checkpoints saved more than DAYS ago, newest or not.",
        ),
    ] = None,
    debug: Debug = False,
) -> None:
    """Remove every checkpoint but the newest of each task (or those older than DAYS),
    and what crashed saves left behind."""
    from wfe.checkpoints import CheckpointStore

    with user_errors(debug):
        removed = CheckpointStore(checkpoint).prune(older_than)
    typer.echo(_summary(removed, "removed", checkpoint))

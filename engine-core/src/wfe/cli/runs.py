"""``wfe runs list|show``: read back run records."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from wfe.cli.app import DEFAULT_RECORDS, EXIT_USAGE, RecordDir, error, exit_with, runs_app


def _task_counts(record: dict[str, Any]) -> str:
    statuses = [t.get("status") for t in record.get("tasks", {}).values()]
    return "/".join(str(statuses.count(s)) for s in ("succeeded", "failed", "not_run"))


@runs_app.command("list")
def runs_list(
    record_dir: RecordDir = DEFAULT_RECORDS,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List recorded runs, newest first (tasks: succeeded/failed/not run)."""
    from wfe.records import read_records

    records = read_records(record_dir)
    if as_json:
        typer.echo(json.dumps(records, indent=2))
        return
    rows = [("RUN_ID", "STATUS", "WORKFLOW", "STARTED", "SECONDS", "TASKS ok/failed/not-run")]
    for r in records:
        seconds = f"{r['duration_s']:.2f}" if isinstance(r.get("duration_s"), int | float) else "-"
        rows.append(
            (
                r["run_id"],
                r["status"],
                r["workflow"],
                str(r["started"])[:19],
                seconds,
                _task_counts(r),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@runs_app.command("show")
def runs_show(
    run_id: Annotated[
        str, typer.Argument(help="A run id (a unique prefix is enough).", show_default=False)
    ],
    record_dir: RecordDir = DEFAULT_RECORDS,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
) -> None:
    """Show one run: workflow, status, variables and every task."""
    from wfe.records import find_record, read_records
    from wfe.suggest import did_you_mean

    record = find_record(run_id, record_dir)
    if record is None:
        known = [str(r["run_id"]) for r in read_records(record_dir)]
        hint = (
            did_you_mean(run_id, known) or f"`wfe runs list --record-dir {record_dir}` shows them"
        )
        error(f"error: no run '{run_id}' under {record_dir} (or the prefix is not unique). {hint}")
        exit_with(EXIT_USAGE)
    if as_json:
        typer.echo(json.dumps(record, indent=2))
        return
    typer.echo(f"run {record['run_id']}: workflow '{record['workflow']}' {record['status']}")
    typer.echo(f"  file     {record['source']} (sha256 {str(record['source_sha256'])[:12]}...)")
    typer.echo(f"  started  {record['started']}, ended {record['ended']}, {record['duration_s']} s")
    typer.echo(f"  vars     {json.dumps(record['vars'])}")
    typer.echo("  installed " + ", ".join(f"{d} {v}" for d, v in record["distributions"].items()))
    for name, task in record["tasks"].items():
        line = f"  - {name} ({task['component']}): {task['status']}"
        if "duration_s" in task:
            line += f" in {task['duration_s']:.3f} s, {task['attempts']} attempt(s), peak RSS {task['peak_rss_mb']} MB"
        if task.get("error"):
            line += f"; {task['error']}"
        if task.get("skipped_because"):
            line += f"; skipped: {', '.join(task['skipped_because'])} failed"
        typer.echo(line)
        for output, summary in task.get("outputs", {}).items():
            typer.echo(f"      {output}: {json.dumps(summary)}")

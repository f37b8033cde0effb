"""``wfe runs list|show``: read back run records.

Records come from disk and may be damaged, cut short by a crash, or written by another
version: every field is read defensively, and a record that cannot be read is skipped
(``list``) or reported (``show``), never a traceback.

Records are masked again as they are shown: a record written by an older wfe, or by
another tool, may hold a secret that today's masking would have hidden.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from wfe.cli.app import DEFAULT_RECORDS, EXIT_USAGE, RecordDir, command_group, error, exit_with

runs_app = command_group("runs", "List and show the records of past runs.")


def _text(record: dict[str, Any], key: str, default: str = "-") -> str:
    value = record.get(key)
    return default if value is None or isinstance(value, dict | list) else str(value)


def _masked(record: dict[str, Any]) -> dict[str, Any]:
    """A record as it may be shown: URLs masked everywhere, variables also by name."""
    from wfe.masking import mask_value, mask_vars

    shown: dict[str, Any] = mask_value(record, by_name=False)
    if isinstance(record.get("vars"), dict):
        shown["vars"] = mask_vars(record["vars"])
    return shown


def _task_counts(record: dict[str, Any]) -> str:
    counts = record.get("counts")
    if not isinstance(counts, dict):
        return "-"
    return "/".join(str(counts.get(s, 0)) for s in ("succeeded", "failed", "not_run"))


def _seconds(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "-"


@runs_app.command("list")
def runs_list(
    record_dir: RecordDir = DEFAULT_RECORDS,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Show at most this many runs, newest first.")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List recorded runs, newest first (tasks: succeeded/failed/not run)."""
    from wfe.records import read_summaries

    records = read_summaries(record_dir, limit)
    if as_json:
        import json

        typer.echo(json.dumps([_masked(r) for r in records], indent=2, default=str))
        return
    rows = [("RUN_ID", "STATUS", "WORKFLOW", "STARTED", "SECONDS", "TASKS ok/failed/not-run")]
    for r in records:
        rows.append(
            (
                _text(r, "run_id"),
                _text(r, "status"),
                _text(r, "workflow"),
                _text(r, "started")[:19],
                _seconds(r.get("duration_s")),
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
    import json

    from wfe.records import find_record, read_summaries
    from wfe.suggest import did_you_mean

    record = find_record(run_id, record_dir)
    if record is None:
        known = [_text(r, "run_id") for r in read_summaries(record_dir)]
        hint = (
            did_you_mean(run_id, known) or f"`wfe runs list --record-dir {record_dir}` shows them"
        )
        error(f"error: no run '{run_id}' under {record_dir} (or the prefix is not unique). {hint}")
        exit_with(EXIT_USAGE)
    record = _masked(record)
    if as_json:
        typer.echo(json.dumps(record, indent=2, default=str))
        return
    sha = _text(record, "source_sha256")[:12]
    typer.echo(
        f"run {_text(record, 'run_id')}: workflow '{_text(record, 'workflow')}' "
        f"{_text(record, 'status')}"
    )
    typer.echo(f"  file     {_text(record, 'source')} (sha256 {sha}...)")
    typer.echo(
        f"  started  {_text(record, 'started')}, ended {_text(record, 'ended')}, "
        f"{_seconds(record.get('duration_s'))} s"
    )
    how = _text(record, "executor_description", "") or _text(record, "executor")
    typer.echo(f"  executor {how}")
    typer.echo(f"  vars     {json.dumps(record.get('vars'), default=str)}")
    distributions = record.get("distributions")
    if isinstance(distributions, dict):
        typer.echo("  installed " + ", ".join(f"{d} {v}" for d, v in distributions.items()))
    tasks = record.get("tasks")
    for name, task in (tasks if isinstance(tasks, dict) else {}).items():
        typer.echo(_task_line(name, task if isinstance(task, dict) else {}))
        outputs = task.get("outputs") if isinstance(task, dict) else None
        for output, summary in (outputs if isinstance(outputs, dict) else {}).items():
            typer.echo(f"      {output}: {json.dumps(summary, default=str)}")


def _task_line(name: str, task: dict[str, Any]) -> str:
    line = f"  - {name} ({_text(task, 'component')}): {_text(task, 'status')}"
    if isinstance(task.get("duration_s"), int | float):
        line += (
            f" in {task['duration_s']:.3f} s, {_text(task, 'attempts')} attempt(s), "
            f"peak RSS {_text(task, 'peak_rss_mb')} MB"
        )
    if task.get("error"):
        line += f"; {_text(task, 'error')}"
    skipped = task.get("skipped_because")
    if isinstance(skipped, list) and skipped:
        line += f"; skipped: {', '.join(map(str, skipped))} failed"
    return line


@runs_app.command("log")
def runs_log(
    run_id: Annotated[
        str, typer.Argument(help="A run id (a unique prefix is enough).", show_default=False)
    ],
    task: Annotated[str, typer.Argument(help="The task's name.", show_default=False)],
    record_dir: RecordDir = DEFAULT_RECORDS,
) -> None:
    """Print what a task printed and logged during a recorded run."""
    from wfe.records import find_record, task_log
    from wfe.suggest import did_you_mean

    record = find_record(run_id, record_dir)
    if record is None:
        error(f"error: no run '{run_id}' under {record_dir}; `wfe runs list` shows them")
        exit_with(EXIT_USAGE)
    tasks = record.get("tasks")
    names = list(tasks) if isinstance(tasks, dict) else []
    if task not in names:
        hint = did_you_mean(task, names) or "`wfe runs show` lists its tasks"
        error(f"error: run {record['run_id']} has no task '{task}'. {hint}")
        exit_with(EXIT_USAGE)
    text = task_log(record, task, record_dir)
    if text is None:
        typer.echo(
            f"(task '{task}' printed and logged nothing in run {record['run_id']})", err=True
        )
        return
    from wfe.masking import mask_text

    typer.echo(mask_text(text), nl=False)

"""Run records (wfe.records) and `wfe runs list|show`, through the CLI."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wfe.records import read_record

RunWfe = Callable[..., subprocess.CompletedProcess[str]]

WORKFLOW = """\
workflow_name: recorded
vars:
  db_password: hunter2
  db_url: postgresql://etl:s3cret@127.0.0.1/warehouse
  n: 3
tasks:
  - name: make
    component_name: python_function
    params: {function: 'wfe_test_functions:const', kwargs: {value: [1, 2, 3]}}
    outputs: [numbers]
  - name: echo_secret_free
    component_name: python_function
    params: {function: 'wfe_test_functions:const', kwargs: {value: "${n} ${db_url} ${db_password}"}}
    outputs: [text]
  - name: broken
    component_name: python_function
    params: {function: 'wfe_test_functions:fail'}
    inputs: {x: numbers}
    outputs: [never]
  - name: after_broken
    component_name: python_function
    params: {function: 'wfe_test_functions:inc'}
    inputs: {x: never}
    outputs: [nothing]
"""


def only_record(folder: Path) -> dict[str, Any]:
    [path] = list((folder / ".wfe" / "runs").glob("*/run.json"))
    found = read_record(path.parent)
    assert found is not None
    return found


def test_a_run_writes_a_complete_record(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(WORKFLOW)
    done = run_wfe("run", str(path), "--keep-going", cwd=tmp_path)
    assert done.returncode == 1
    record = only_record(tmp_path)
    assert f"wfe: run record .wfe/runs/{record['run_id']}/run.json" in done.stdout
    assert record["workflow"] == "recorded"
    assert record["status"] == "failed"
    assert record["source"] == str(path)
    assert record["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["distributions"]["engine-core"] == "0.1.0"
    assert record["started"] < record["ended"]
    assert record["vars"] == {
        "n": 3,
        "db_url": "postgresql://etl:***@127.0.0.1/warehouse",
        "db_password": "***",
    }
    assert "hunter2" not in json.dumps(record)
    assert "s3cret" not in json.dumps(record)
    make = record["tasks"]["make"]
    assert make["status"] == "succeeded"
    assert make["attempts"] == 1
    assert 0 < make["duration_s"] <= record["duration_s"]  # a part of the run's time
    assert make["peak_rss_mb"] > 1
    assert make["outputs"] == {"numbers": {"type": "list", "len": 3}}
    assert record["tasks"]["broken"]["error"] == "ValueError: boom: the input was bad"
    assert record["tasks"]["after_broken"] == {
        "component": "python_function",
        "status": "not_run",
        "skipped_because": ["broken"],
    }


def test_no_record_writes_nothing(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(WORKFLOW)
    done = run_wfe("run", str(path), "--no-record", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # it ran (one task fails on purpose)...
    assert "wfe: 'recorded' failed" in done.stdout
    assert "run record" not in done.stdout
    assert not (tmp_path / ".wfe").exists()  # ...and wrote no record


def test_a_killed_run_leaves_a_readable_record(
    tmp_path: Path, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(
        "workflow_name: killed\ntasks:\n"
        "  - {name: quick, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [a, b]}\n"
        "  - {name: fails_fast, component_name: python_function, params: {function: 'wfe_test_functions:fail'}, inputs: {x: a}, outputs: [c]}\n"
        "  - {name: slow, component_name: python_function, inputs: {value: b},"
        " params: {function: 'wfe_test_functions:sleep_then', kwargs: {seconds: 60}}, outputs: [d]}\n"
    )
    command = [sys.executable, "-m", "wfe", "run", str(path), "--keep-going"]
    with subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, text=True, env=subprocess_env()
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if "slow (python_function) started" in line:
                break
        # No wait needed: the failure before it was flushed to the record at once
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    record = only_record(tmp_path)
    assert record["status"] == "running"  # it never ended
    assert record["tasks"]["quick"]["status"] == "succeeded"
    assert record["tasks"]["fails_fast"]["status"] == "failed"
    assert record["tasks"]["slow"]["status"] == "pending"


def test_runs_list_and_show(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(WORKFLOW)
    records = tmp_path / "records"
    for _ in range(2):
        run_wfe("run", str(path), "--record-dir", str(records))
    listed = run_wfe("runs", "list", "--record-dir", str(records))
    assert listed.returncode == 0
    header, *rows = listed.stdout.splitlines()
    assert header.split()[:3] == ["RUN_ID", "STATUS", "WORKFLOW"]
    assert len(rows) == 2
    assert all(" failed " in row and "recorded" in row and row.endswith("2/1/1") for row in rows)
    as_json = json.loads(run_wfe("runs", "list", "--record-dir", str(records), "--json").stdout)
    newest, other = as_json[0]["run_id"], as_json[1]["run_id"]
    prefix = next(newest[:n] for n in range(1, len(newest) + 1) if not other.startswith(newest[:n]))
    shown = run_wfe("runs", "show", prefix, "--record-dir", str(records))  # a unique prefix
    assert shown.returncode == 0, shown.stderr
    assert f"run {newest}: workflow 'recorded' failed" in shown.stdout
    assert "- broken (python_function): failed in" in shown.stdout
    assert "ValueError: boom: the input was bad" in shown.stdout
    assert "- after_broken (python_function): not_run; skipped: broken failed" in shown.stdout
    assert (
        json.loads(run_wfe("runs", "show", newest, "--record-dir", str(records), "--json").stdout)[
            "run_id"
        ]
        == newest
    )
    missing = run_wfe("runs", "show", "nope", "--record-dir", str(records))
    assert missing.returncode == 2
    assert "no run 'nope'" in missing.stderr

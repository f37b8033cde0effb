"""``wfe checkpoints list|clear|prune`` (wfe.cli.checkpoints), in a subprocess."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


def saved_twice(run_wfe: RunWfe, folder: Path) -> Path:
    """Checkpoints of tasks a and b, b under two fingerprints (its param changed)."""
    path = folder / "wf.yaml"
    for value in (1, 2):
        path.write_text(
            "workflow_name: listed\ntasks:\n"
            "  - {name: a, component_name: python_function, params: {function: 'wfe_test_functions:const', kwargs: {value: 1}}, outputs: [x]}\n"
            f"  - {{name: b, component_name: python_function, params: {{function: 'wfe_test_functions:inc'}}, inputs: {{x: x}}, outputs: [y], code_version: {value}}}\n"
        )
        done = run_wfe("run", str(path), "--checkpoint", "ck", "--no-record", cwd=folder)
        assert done.returncode == 0, done.stderr
    return folder / "ck"


def test_list_shows_each_checkpoint_with_size_and_age(run_wfe: RunWfe, tmp_path: Path) -> None:
    saved_twice(run_wfe, tmp_path)
    listed = run_wfe("checkpoints", "list", "--checkpoint", "ck", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["TASK", "FINGERPRINT", "SIZE", "AGE", "STATE"]
    assert [line.split()[0] for line in lines[1:-1]] == ["a", "b", "b"]
    assert all(line.split()[-1] == "complete" for line in lines[1:-1])
    assert lines[-1].startswith("total: 3 checkpoint(s) of 2 task(s), ")
    as_json = json.loads(
        run_wfe("checkpoints", "list", "--checkpoint", "ck", "--json", cwd=tmp_path).stdout
    )
    assert [(e["task"], len(e["fingerprint"]), e["state"]) for e in as_json] == [
        ("a", 32, "complete"),
        ("b", 32, "complete"),
        ("b", 32, "complete"),
    ]
    assert as_json[1]["saved"] >= as_json[2]["saved"]  # newest first


def test_prune_keeps_the_newest_of_each_task_and_clear_removes(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    store = saved_twice(run_wfe, tmp_path)
    newest_b = json.loads(
        run_wfe("checkpoints", "list", "--checkpoint", "ck", "--json", cwd=tmp_path).stdout
    )[1]["fingerprint"]
    pruned = run_wfe("checkpoints", "prune", "--checkpoint", "ck", cwd=tmp_path)
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.startswith("removed 1 checkpoint(s) of 1 task(s), ")
    assert sorted(p.name for p in (store / "b").iterdir()) == [newest_b]
    cleared = run_wfe("checkpoints", "clear", "b", "--checkpoint", "ck", cwd=tmp_path)
    assert cleared.returncode == 0, cleared.stderr
    assert sorted(p.name for p in store.iterdir()) == ["a"]
    old = run_wfe("checkpoints", "prune", "--checkpoint", "ck", "--older-than", "0", cwd=tmp_path)
    assert old.stdout.startswith("removed 1 checkpoint(s) of 1 task(s)")
    empty = run_wfe("checkpoints", "list", "--checkpoint", "ck", cwd=tmp_path)
    assert empty.stdout == "no checkpoints in ck\n"


def test_bad_requests_are_usage_errors(run_wfe: RunWfe, tmp_path: Path) -> None:
    saved_twice(run_wfe, tmp_path)
    unknown = run_wfe("checkpoints", "clear", "bb", "--checkpoint", "ck", cwd=tmp_path)
    assert unknown.returncode == 2
    assert unknown.stderr == "error: no checkpoints of task 'bb' in ck. did you mean 'b'?\n"
    escaping = run_wfe("checkpoints", "clear", "../x", "--checkpoint", "ck", cwd=tmp_path)
    assert escaping.returncode == 2
    assert "cannot name a checkpoint folder" in escaping.stderr
    negative = run_wfe(
        "checkpoints", "prune", "--checkpoint", "ck", "--older-than", "-1", cwd=tmp_path
    )
    assert negative.returncode == 2
    no_folder = run_wfe("checkpoints", "list", cwd=tmp_path)
    assert no_folder.returncode == 2
    assert "Missing option '--checkpoint'" in no_folder.stderr

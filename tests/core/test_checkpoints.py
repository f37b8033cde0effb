"""Checkpoints, --resume, slices and --dry-run (wfe.checkpoints), through the CLI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


def flow(folder: Path, step: int = 1) -> Path:
    """a -> b -> c (fails while `blocker` exists) -> d; `lonely` stands apart.
    Every execution appends its name to `calls.log`."""
    log, blocker = folder / "calls.log", folder / "blocker"
    path = folder / "wf.yaml"
    path.write_text(
        f"workflow_name: checkpointed\nvars: {{step: {step}}}\ntasks:\n"
        f"  - {{name: a, component_name: python_function, params: {{function: 'wfe_test_functions:logged', kwargs: {{log: '{log}', label: a, value: 1}}}}, outputs: [x]}}\n"
        f"  - {{name: b, component_name: python_function, params: {{function: 'wfe_test_functions:logged', kwargs: {{log: '{log}', label: b, value: '${{step}}'}}}}, inputs: {{x: x}}, outputs: [y]}}\n"
        f"  - {{name: c, component_name: python_function, params: {{function: 'wfe_test_functions:fail_if_exists', kwargs: {{path: '{blocker}'}}}}, inputs: {{y: y}}, outputs: [z]}}\n"
        f"  - {{name: d, component_name: python_function, params: {{function: 'wfe_test_functions:logged', kwargs: {{log: '{log}', label: d}}}}, inputs: {{z: z}}, outputs: [w]}}\n"
        f"  - {{name: lonely, component_name: python_function, params: {{function: 'wfe_test_functions:logged', kwargs: {{log: '{log}', label: lonely, value: 5}}}}, outputs: [v]}}\n"
    )
    return path


def calls(folder: Path) -> list[str]:
    log = folder / "calls.log"
    calls = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return calls


def test_a_failed_run_resumes_to_success_rerunning_only_what_failed(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    path, store = flow(tmp_path), str(tmp_path / "checkpoints")
    (tmp_path / "blocker").touch()
    first = run_wfe("run", str(path), "--checkpoint", store, cwd=tmp_path)
    assert first.returncode == 1
    assert sorted(calls(tmp_path)) == ["a", "b", "lonely"]
    (tmp_path / "blocker").unlink()
    resumed = run_wfe("run", str(path), "--checkpoint", store, "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert calls(tmp_path) == ["d"]  # only the failed task (c logs nothing) and what follows it
    assert "c ok in" in resumed.stdout
    assert "b reused from its checkpoint" in resumed.stdout
    assert "3 reused (a, b, lonely)" in resumed.stdout
    again = run_wfe("run", str(path), "--checkpoint", store, "--resume", cwd=tmp_path)
    assert calls(tmp_path) == []  # everything reused
    from wfe.records import find_record, read_summaries

    records = tmp_path / ".wfe" / "runs"
    newest = find_record(read_summaries(records)[0]["run_id"], records)  # newest first
    assert newest is not None
    assert {t["status"] for t in newest["tasks"].values()} == {"reused"}
    [summary] = [line for line in again.stdout.splitlines() if " succeeded in " in line]
    assert "0 succeeded" in summary
    assert "reused" in summary


def test_a_changed_param_reruns_that_task_and_what_follows(run_wfe: RunWfe, tmp_path: Path) -> None:
    store = str(tmp_path / "checkpoints")
    assert (
        run_wfe("run", str(flow(tmp_path, step=1)), "--checkpoint", store, cwd=tmp_path).returncode
        == 0
    )
    calls(tmp_path)
    changed = run_wfe(
        "run", str(flow(tmp_path, step=2)), "--checkpoint", store, "--resume", cwd=tmp_path
    )
    assert changed.returncode == 0, changed.stderr
    assert sorted(calls(tmp_path)) == [
        "b",
        "d",
    ]  # a and lonely reused; b changed; c (no log) and d follow


def test_damaged_and_partial_checkpoints_are_recomputed_never_loaded(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    path, store = flow(tmp_path), tmp_path / "checkpoints"
    run_wfe("run", str(path), "--checkpoint", str(store), cwd=tmp_path)
    calls(tmp_path)
    [d_manifest] = list((store / "d").glob("*/manifest.json"))
    d_manifest.unlink()  # partial: no manifest, so d runs again and needs c's output
    [c_output] = list((store / "c").glob("*/output-0.pkl"))
    c_output.write_bytes(
        c_output.read_bytes()[:-1] + b"\x00"
    )  # damaged: its digest no longer matches
    resumed = run_wfe("run", str(path), "--checkpoint", str(store), "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert calls(tmp_path) == ["d"]
    assert "c ok in" in resumed.stdout  # recomputed, not loaded
    assert "b reused from its checkpoint" in resumed.stdout  # c's input, loaded intact
    from wfe.checkpoints import CheckpointStore

    [c_folder] = list((store / "c").iterdir())
    assert CheckpointStore(store).exists("c", c_folder.name, verify=True)  # rewritten whole


def test_slices_take_their_inputs_from_checkpoints(run_wfe: RunWfe, tmp_path: Path) -> None:
    path, store = flow(tmp_path), str(tmp_path / "checkpoints")
    missing = run_wfe("run", str(path), "--checkpoint", store, "--only", "d", cwd=tmp_path)
    assert missing.returncode == 2
    assert "task 'c' must run first: its outputs are needed" in missing.stderr
    assert (
        run_wfe("run", str(path), "--checkpoint", store, "--to", "c", cwd=tmp_path).returncode == 0
    )
    assert sorted(calls(tmp_path)) == ["a", "b"]  # --to c: c and what it needs, not d or lonely
    only = run_wfe("run", str(path), "--checkpoint", store, "--only", "d,lonely", cwd=tmp_path)
    assert only.returncode == 0, only.stderr
    assert sorted(calls(tmp_path)) == ["d", "lonely"]
    start = run_wfe(
        "run", str(path), "--checkpoint", store, "--from", "b", "--to", "c", cwd=tmp_path
    )
    assert start.returncode == 0
    assert calls(tmp_path) == ["b"]
    unknown = run_wfe("run", str(path), "--checkpoint", store, "--only", "dd", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "no task named 'dd'" in unknown.stderr
    no_store = run_wfe("run", str(path), "--only", "d", cwd=tmp_path)
    assert no_store.returncode == 2
    assert "needs checkpoints: pass --checkpoint DIR" in no_store.stderr


def test_dry_run_prints_the_plan_and_runs_nothing(run_wfe: RunWfe, tmp_path: Path) -> None:
    path, store = flow(tmp_path), str(tmp_path / "checkpoints")
    run_wfe("run", str(path), "--checkpoint", store, "--to", "b", cwd=tmp_path)
    calls(tmp_path)
    plan = run_wfe("run", str(path), "--checkpoint", store, "--resume", "--dry-run", cwd=tmp_path)
    assert plan.returncode == 0
    assert calls(tmp_path) == []
    assert "a: reuse (not needed)" in plan.stdout
    assert "b: reuse (load its checkpoint)" in plan.stdout
    assert "c: run" in plan.stdout
    assert "3 to run, 2 reused; nothing was run (--dry-run)" in plan.stdout


def test_the_workflow_can_name_its_checkpoint_folder(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = flow(tmp_path)
    path.write_text(path.read_text().replace("vars:", "checkpoint: saved\nvars:", 1))
    run_wfe("run", str(path), cwd=tmp_path)
    manifests = list((tmp_path / "saved").glob("*/*/manifest.json"))
    assert {m.parent.parent.name for m in manifests} == {"a", "b", "c", "d", "lonely"}
    manifest = json.loads(manifests[0].read_text())
    assert manifest["outputs"][next(iter(manifest["outputs"]))]["format"] == "pickle"


def test_checkpoint_files_are_written_atomically(tmp_path: Path) -> None:
    from wfe.checkpoints import CheckpointStore

    store = CheckpointStore(tmp_path)

    class Unpicklable:
        def __reduce__(self) -> tuple[object, ...]:
            raise RuntimeError("cannot pickle (injected)")

    with pytest.raises(RuntimeError, match="injected"):
        store.save("t", "f" * 32, {"ok": 1, "bad": Unpicklable()})
    assert not store.exists("t", "f" * 32)
    assert list((tmp_path / "t").iterdir()) == []  # no half-written folder left

"""Plans of runs with checkpoints (wfe.plan): --resume, slices, --dry-run and why each task runs."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import wfe
from wfe import Component, Param

from .conftest import MakePlugins

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
    assert CheckpointStore(store).problem("c", c_folder.name, verify=True) is None  # rewritten


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
    lines = plan.stdout.splitlines()
    assert lines[0] == f"plan for 'checkpointed' with checkpoints in {store}:"
    assert lines[-1] == "3 to run, 2 reused; nothing was run (--dry-run)"
    said = {line.split(". ", 1)[1].split(":", 1)[0]: line.split(": ", 1)[1] for line in lines[1:-1]}
    assert said["a"].startswith("reuse, not needed (checkpoint ")
    assert said["a"].endswith(" matches)")
    assert said["b"].startswith("reuse, load its checkpoint (checkpoint ")
    assert said["c"] == said["d"] == said["lonely"] == "run (no checkpoint)"
    fresh = run_wfe("run", str(path), "--checkpoint", store, "--dry-run", cwd=tmp_path)
    assert "    1. a: run (--resume not given)" in fresh.stdout
    bare = run_wfe("run", str(path), "--dry-run", cwd=tmp_path)
    assert "    1. a: run (no --checkpoint)" in bare.stdout


def test_dry_run_says_what_changed_in_the_code(run_wfe: RunWfe, tmp_path: Path) -> None:
    (tmp_path / "steps.py").write_text("def make():\n    return 1\n\n\ndef use(x):\n    return x\n")
    path = tmp_path / "wf.yaml"
    path.write_text(
        "workflow_name: code\ntasks:\n"
        "  - {name: make, component_name: python_function, params: {function: 'steps:make'}, outputs: [x]}\n"
        "  - {name: use, component_name: python_function, params: {function: 'json:dumps'}, inputs: {obj: x}, outputs: [y]}\n"
    )
    assert run_wfe("run", str(path), "--checkpoint", "ck", cwd=tmp_path).returncode == 0
    (tmp_path / "steps.py").write_text("def make():\n    return 2\n\n\ndef use(x):\n    return x\n")
    plan = run_wfe("run", str(path), "--checkpoint", "ck", "--resume", "--dry-run", cwd=tmp_path)
    assert plan.stdout.splitlines()[1:3] == [
        "    1. make: run (code changed: module steps changed)",
        "    2. use: run (input 'obj': task 'make' changed)",
    ]


def test_the_workflow_can_name_its_checkpoint_folder(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = flow(tmp_path)
    path.write_text(path.read_text().replace("vars:", "checkpoint: saved\nvars:", 1))
    run_wfe("run", str(path), cwd=tmp_path)
    manifests = list((tmp_path / "saved").glob("*/*/manifest.json"))
    assert {m.parent.parent.name for m in manifests} == {"a", "b", "c", "d", "lonely"}
    manifest = json.loads(manifests[0].read_text())
    assert manifest["outputs"][next(iter(manifest["outputs"]))]["format"] == "pickle"


class ReadText(Component):
    """Reads the file `path` (declared in `reads`)."""

    params_schema = {"path": Param(str)}
    reads = ("path",)

    def run(self) -> str:
        return Path(self.params["path"]).read_text()


class Shout(Component):
    params_schema = {"suffix": Param(str, default="!")}

    def run(self, text: str) -> str:
        return text.upper() + self.params["suffix"]


class WriteText(Component):
    """Writes the file `path` (declared in `writes`)."""

    params_schema = {"path": Param(str)}
    writes = ("path",)

    def run(self, text: str) -> None:
        Path(self.params["path"]).write_text(text)


def pipeline(folder: Path, suffix: str = "!") -> str:
    return (
        "workflow_name: causes\ntasks:\n"
        f"  - {{name: read, component_name: read_text, params: {{path: '{folder / 'in.txt'}'}}, outputs: [text]}}\n"
        f"  - {{name: shout, component_name: shout, params: {{suffix: '{suffix}'}}, inputs: {{text: text}}, outputs: [loud]}}\n"
        f"  - {{name: write, component_name: write_text, params: {{path: '{folder / 'out.txt'}'}}, inputs: {{text: loud}}}}\n"
    )


Explain = Callable[..., dict[str, tuple[str, str]]]


@pytest.fixture
def explain(make_plugins: MakePlugins, tmp_path: Path) -> Explain:
    """``explain(suffix=...)``: {task: (mode, reason)} of a resumed run of `pipeline`;
    ``explain(run=True)`` runs it (saving checkpoints) instead."""

    def plan(suffix: str = "!", run: bool = False) -> dict[str, tuple[str, str]]:
        plugins = make_plugins(read_text=ReadText, shout=Shout, write_text=WriteText)
        workflow = wfe.loads(pipeline(tmp_path, suffix), plugins=plugins)
        if run:
            workflow.run(checkpoint=tmp_path / "ck", resume=True).raise_for_status()
            return {}
        found = workflow.plan(tmp_path / "ck", resume=True, explain=True)
        return {name: (found.modes[name], found.reasons[name]) for name in found.modes}

    (tmp_path / "in.txt").write_text("hello")
    return plan


def test_why_no_checkpoint(explain: Explain) -> None:
    assert explain() == {
        "read": ("run", "no checkpoint"),
        "shout": ("run", "no checkpoint"),
        "write": ("run", "no checkpoint"),
    }


def test_why_everything_is_reused(explain: Explain) -> None:
    explain(run=True)
    modes = {name: mode for name, (mode, _) in explain().items()}
    assert modes == {"read": "skip", "shout": "skip", "write": "skip"}
    assert explain()["write"][1].startswith("checkpoint ")


def test_why_a_param_changed(explain: Explain) -> None:
    explain(run=True)
    assert explain(suffix="?") == {
        "read": ("load", explain()["read"][1]),
        "shout": ("run", 'param \'suffix\' changed ("!" -> "?")'),
        "write": ("run", "input 'text': task 'shout' changed"),
    }


def test_why_the_data_changed(explain: Explain, tmp_path: Path) -> None:
    explain(run=True)
    (tmp_path / "in.txt").write_text("hello, world")
    plan = explain()
    assert plan["read"] == ("run", f"data: {tmp_path / 'in.txt'}: size changed (5 -> 12 bytes)")
    assert plan["shout"] == ("run", "input 'text': task 'read' changed")
    (tmp_path / "in.txt").write_text("HELLO")
    assert explain()["read"] == ("run", f"data: {tmp_path / 'in.txt'}: content changed")
    (tmp_path / "in.txt").unlink()
    assert explain()["read"] == ("run", f"data: {tmp_path / 'in.txt'}: gone")


def test_why_a_target_is_gone_or_changed(explain: Explain, tmp_path: Path) -> None:
    explain(run=True)
    out = tmp_path / "out.txt"
    out.write_text("edited by hand")
    plan = explain()
    assert plan["write"] == (
        "run",
        f"target: {out}: size changed (6 -> 14 bytes) since the task wrote it",
    )
    assert plan["shout"] == ("load", plan["shout"][1])  # the writer runs again: it needs its input
    out.unlink()
    assert explain()["write"] == ("run", f"target: {out}: gone since the task wrote it")
    explain(run=True)
    assert out.read_text() == "HELLO!"  # written again; nothing upstream ran
    assert explain()["write"][0] == "skip"


def test_why_a_damaged_checkpoint_is_not_loaded(explain: Explain, tmp_path: Path) -> None:
    explain(run=True)
    (tmp_path / "out.txt").unlink()  # the writer runs, so shout's checkpoint is loaded...
    [output] = (tmp_path / "ck" / "shout").glob("*/output-0.*")
    output.write_bytes(output.read_bytes()[:-1] + b"\0")  # ...and it is damaged
    mode, reason = explain()["shout"]
    assert mode == "run"
    assert reason.startswith("its checkpoint is damaged (output-0.pkl: ")


@pytest.mark.slow  # plans 10,000 and 100,000 tasks
def test_the_plan_is_linear_in_the_number_of_tasks(
    make_plugins: MakePlugins, tmp_path: Path
) -> None:
    from wfe.checkpoints import CheckpointStore
    from wfe.fingerprint import fingerprints
    from wfe.plan import plan_run

    def seconds(tasks: int) -> float:
        text = "workflow_name: long\ntasks:\n" + "".join(
            f"  - {{name: t{i}, component_name: shout, outputs: [o{i}]"
            + (f", inputs: {{text: o{i - 1}}}" if i else "")
            + "}\n"
            for i in range(tasks)
        )
        workflow = wfe.loads(text, plugins=make_plugins(shout=Shout))
        started = time.perf_counter()
        prints = fingerprints(workflow.graph, workflow.plugins.components(), workflow.classes)
        plan_run(
            workflow.graph, prints, CheckpointStore(tmp_path), set(workflow.graph.tasks), True, True
        )
        return time.perf_counter() - started

    seconds(200)  # warm up
    small, large = min(seconds(500) for _ in range(3)), min(seconds(5000) for _ in range(3))
    assert large < 30 * small  # 10x the tasks: well under 100x the time (not quadratic)

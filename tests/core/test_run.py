"""A run's identity (wfe.run): hooks see which run they serve, so one plugin set serves
several runs at once."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import wfe
from wfe import hookimpl
from wfe.display import TextDisplay
from wfe.records import RunRecorder, find_record
from wfe.run import new_run_id


def chain(name: str, length: int) -> str:
    tasks = "".join(
        f"  - {{name: t{i}, component_name: python_function, outputs: [o{i}],"
        f" params: {{function: 'wfe_test_functions:sleep_then', kwargs: {{seconds: 0.01, value: {i}}}}}}}\n"
        for i in range(length)
    )
    return f"workflow_name: {name}\ntasks:\n{tasks}"


class RunIds:
    """Collects which run each hook call served."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}
        self.lock = threading.Lock()

    @hookimpl
    def wfe_task_start(self, run: wfe.Run, task: wfe.TaskSpec) -> None:
        with self.lock:
            self.seen.setdefault(run.id, set()).add(task.name)


def test_two_runs_at_once_in_one_process_keep_complete_records(tmp_path: Path) -> None:
    recorder = RunRecorder(tmp_path / "runs")
    ids = RunIds()
    stream = io.StringIO()
    plugins = wfe.load_plugins([recorder, ids, TextDisplay(stream)])
    workflows = {
        "left": wfe.loads(chain("left", 20), plugins=plugins),
        "right": wfe.loads(chain("right", 30), plugins=plugins),
    }
    results: dict[str, wfe.RunResult] = {}
    start = threading.Barrier(2)

    def run(name: str) -> None:
        start.wait()
        results[name] = workflows[name].run(executor="threads", workers=2)

    threads = [threading.Thread(target=run, args=(name,)) for name in workflows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {name: r.ok for name, r in results.items()} == {"left": True, "right": True}
    assert results["left"].run_id != results["right"].run_id
    for name, size in (("left", 20), ("right", 30)):
        run_id = results[name].run_id
        assert ids.seen[run_id] == {f"t{i}" for i in range(size)}
        record = find_record(run_id, tmp_path / "runs")
        assert record is not None
        assert record["workflow"] == name
        assert record["status"] == "succeeded"
        assert record["counts"] == {"succeeded": size, "reused": 0, "failed": 0, "not_run": 0}
        assert len(record["tasks"]) == size
        assert {t["status"] for t in record["tasks"].values()} == {"succeeded"}
        assert record["tasks"]["t3"]["outputs"] == {"o3": {"type": "int", "value": 3}}
    summaries = [line for line in stream.getvalue().splitlines() if " succeeded in " in line]
    assert sorted(s.split("'")[1] for s in summaries) == ["left", "right"]
    assert all(f"{n} succeeded" in s for s, n in zip(sorted(summaries), (20, 30), strict=True))


def test_run_ids_sort_by_start_time_and_are_unique() -> None:
    ids = [new_run_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert [i.split("-")[0] for i in ids] == sorted(i.split("-")[0] for i in ids)


def test_the_python_api_writes_a_run_record_for_its_run_only(tmp_path: Path) -> None:
    plugins = wfe.load_plugins()
    recorded = wfe.loads(chain("recorded", 3), plugins=plugins)
    other = wfe.loads(chain("other", 2), plugins=plugins)
    records = tmp_path / "records"
    result = recorded.run(record_dir=records)
    assert other.run().ok  # the same plugins, no record asked for
    record = find_record(result.run_id, records)
    assert record is not None
    assert record["workflow"] == "recorded"
    assert record["counts"]["succeeded"] == 3
    assert [p.name for p in records.iterdir()] == [result.run_id]
    assert len(plugins.manager.get_plugins()) == len(wfe.load_plugins().manager.get_plugins())

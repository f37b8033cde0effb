"""References, cycles and lifetimes: wfe.graph."""

from __future__ import annotations

from pathlib import Path

import pytest

import wfe
from wfe.graph import Graph, build_graph
from wfe.spec import TaskSpec


def task(
    name: str, inputs: dict[str, str] | None = None, outputs: tuple[str, ...] = (), index: int = 0
) -> TaskSpec:
    return TaskSpec(
        name=name, component_name="c", inputs=inputs or {}, outputs=outputs, index=index
    )


def test_dependencies_consumers_and_results() -> None:
    graph, problems = build_graph(
        [
            task("load", outputs=("raw",)),
            task("clean", {"df": "raw"}, ("clean",)),
            task("stats", {"df": "raw", "again": "raw"}, ("stats",)),
            task("train", {"df": "clean"}, ("model", "report")),
        ]
    )
    assert problems == []
    assert graph.dependencies[graph.tasks["train"]] == (graph.tasks["clean"],)
    assert graph.consumes[graph.tasks["stats"]] == ("raw",)  # read twice, counted once
    assert graph.consumers == {"raw": 2, "clean": 1, "stats": 0, "model": 0, "report": 0}
    assert graph.results == {"stats", "model", "report"}
    assert graph.order().index("load") < graph.order().index("clean") < graph.order().index("train")


def test_output_produced_twice_is_reported() -> None:
    _, problems = build_graph([task("a", outputs=("x",)), task("b", outputs=("x",), index=1)])
    [problem] = problems
    assert problem.kind == "duplicate-output"
    assert problem.task == "b"
    assert "also produced by task 'a'" in problem.message
    assert problem.path == ("tasks", 1, "outputs", 0)


def test_cycle_is_reported_with_its_path() -> None:
    _, problems = build_graph(
        [
            task("a", {"in": "z"}, ("x",)),
            task("b", {"in": "x"}, ("y",), 1),
            task("c", {"in": "y"}, ("z",), 2),
            task("d", {"in": "x"}, ("w",), 3),
        ]
    )
    [problem] = problems
    assert problem.kind == "cycle"
    cycle = problem.message.split(": ", 1)[1]
    rotations = {
        "a -[x]-> b -[y]-> c -[z]-> a",
        "b -[y]-> c -[z]-> a -[x]-> b",
        "c -[z]-> a -[x]-> b -[y]-> c",
    }
    assert cycle in rotations


def test_task_reading_its_own_output_is_a_cycle() -> None:
    _, problems = build_graph([task("a", {"in": "x"}, ("x",))])
    assert [p.message for p in problems] == ["tasks depend on each other in a cycle: a -[x]-> a"]


def test_cycle_error_through_loads_points_at_the_task() -> None:
    text = "workflow_name: c\ntasks:\n" + "".join(
        f"  - {{name: {n}, component_name: python_function, params: {{function: 'wfe_test_functions:inc'}},"
        f" inputs: {{x: {i}}}, outputs: [{o}]}}\n"
        for n, i, o in [("a", "oc", "oa"), ("b", "oa", "ob"), ("c", "ob", "oc")]
    )
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="c.yaml")
    assert (
        "c.yaml:3:5: task 'a': tasks depend on each other in a cycle: a -[oa]-> b -[ob]-> c -[oc]-> a"
        in str(info.value)
    )


@pytest.mark.slow
def test_a_100000_task_chain_builds_without_recursion() -> None:
    n = 100_000
    tasks = [task("t0", outputs=("o0",))] + [
        task(f"t{i}", {"x": f"o{i - 1}"}, (f"o{i}",), i) for i in range(1, n)
    ]
    graph, problems = build_graph(tasks)
    assert problems == []
    order = graph.order()
    assert order[0] == "t0"
    assert order[-1] == f"t{n - 1}"
    assert graph.results == {f"o{n - 1}"}


def test_after_orders_tasks_without_data() -> None:
    graph, problems = build_graph(
        [
            task("write", outputs=()),
            task("read", outputs=("rows",), index=1),
        ]
    )
    assert problems == []
    ordered = TaskSpec(name="read2", component_name="c", outputs=("r2",), after=("write",), index=2)
    graph, problems = build_graph([*graph.tasks.values(), ordered])
    assert problems == []
    assert graph.dependencies[graph.tasks["read2"]] == (graph.tasks["write"],)


def test_after_with_an_unknown_task_or_a_cycle_is_reported() -> None:
    _, problems = build_graph(
        [
            TaskSpec(name="a", component_name="c", after=("wrte",)),
            TaskSpec(name="write", component_name="c", index=1),
        ]
    )
    [problem] = problems
    assert problem.kind == "unknown-task"
    assert problem.hint == "did you mean 'write'?"
    assert problem.path == ("tasks", 0, "after", 0)
    _, problems = build_graph(
        [
            TaskSpec(name="a", component_name="c", after=("b",)),
            TaskSpec(name="b", component_name="c", after=("a",), index=1),
        ]
    )
    assert [p.kind for p in problems] == ["cycle"]
    assert "-[after]->" in problems[0].message


def test_after_in_yaml_runs_side_effects_in_order(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    text = (
        "workflow_name: ordered\ntasks:\n"
        "  - name: second\n    component_name: python_function\n    after: [first]\n"
        f"    params: {{function: 'wfe_test_functions:append_line', kwargs: {{path: '{log}', line: two}}}}\n"
        "  - name: first\n    component_name: python_function\n"
        f"    params: {{function: 'wfe_test_functions:append_line', kwargs: {{path: '{log}', line: one}}}}\n"
    )
    for workers in (1, 2):
        log.unlink(missing_ok=True)
        assert wfe.loads(text).run(workers=workers).ok
        assert log.read_text().split() == ["one", "two"]
    with pytest.raises(wfe.DefinitionError, match="after must be a list of names"):
        wfe.loads(text.replace("after: [first]", "after: first"))


def test_a_task_reading_thousands_of_outputs_is_linear() -> None:
    count = 50_000  # list membership made this quadratic: minutes
    sources = [task(f"s{i}", outputs=(f"o{i}",), index=i) for i in range(count)]
    sink = task("sink", {f"i{i}": f"o{i}" for i in range(count)}, index=count)
    sink = TaskSpec(
        name="sink",
        component_name="c",
        inputs=sink.inputs,
        after=tuple(f"s{i}" for i in range(count)),
    )
    graph, problems = build_graph([*sources, sink])
    assert problems == []
    assert len(graph.dependencies[graph.tasks["sink"]]) == count


def test_a_long_cycle_is_named_with_its_middle_cut() -> None:
    count = 1_000
    tasks = [task(f"t{i}", {"x": f"o{(i - 1) % count}"}, (f"o{i}",), i) for i in range(count)]
    _, [problem] = build_graph(tasks)
    assert problem.kind == "cycle"
    assert "(980 more steps)" in problem.message
    assert problem.message.count("-[") == 20
    assert len(problem.message) < 600


def _drain(graph: Graph, finish_order: str = "fifo") -> list[str]:
    """Run a schedule to the end, finishing tasks first-in-first-out or newest first;
    returns the names in the order they became ready."""
    schedule = graph.schedule()
    started: list[str] = []
    pending = list(schedule.get_ready())
    while pending:
        current = pending.pop(0 if finish_order == "fifo" else -1)
        started.append(current.name)
        schedule.done(current)
        pending.extend(schedule.get_ready())
    return started


def test_a_schedule_releases_each_task_once_after_all_its_upstream_tasks() -> None:
    graph, problems = build_graph(
        [
            task("load", outputs=("raw",)),
            task("left", {"df": "raw"}, ("l",), index=1),
            task("right", {"df": "raw", "again": "raw"}, ("r",), index=2),
            task("join", {"a": "l", "b": "r"}, ("joined",), index=3),
            task("other", outputs=("o",), index=4),
        ]
    )
    assert problems == []
    for finish_order in ("fifo", "lifo"):
        started = _drain(graph, finish_order)
        assert sorted(started) == sorted(graph.tasks)  # every task, exactly once
        for name, spec in graph.tasks.items():
            for upstream in graph.dependencies[spec]:
                assert started.index(upstream.name) < started.index(name)


def test_each_run_gets_a_fresh_schedule() -> None:
    graph, _ = build_graph([task("a", outputs=("x",)), task("b", {"x": "x"}, ("y",), index=1)])
    first = graph.schedule()
    (a,) = first.get_ready()
    assert first.get_ready() == ()  # b waits for a
    first.done(a)
    assert [t.name for t in first.get_ready()] == ["b"]
    second = graph.schedule()  # the first run's progress does not leak into the next
    assert [t.name for t in second.get_ready()] == ["a"]
    assert second.get_ready() == ()

"""Scheduling, data passing, release of intermediates and fail-fast: wfe.engine."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from typing import Any

import pytest

import wfe
from wfe import Component, Param, TaskStatus, hookimpl

from .conftest import MakePlugins


class Blob:
    """A value that can be weakly referenced, to watch when the engine lets go of it."""


class MakeBlob(Component):
    """Produce a new Blob."""

    params_schema = {"tag": Param(str, default="")}

    def run(self) -> Blob:
        return Blob()


class Passthrough(Component):
    """Return the input object itself."""

    def run(self, value: Any) -> Any:
        return value


class Watch(Component):
    """Record whether the watched object is still alive when this task runs."""

    seen: dict[str, bool] = {}
    refs: dict[str, weakref.ref[Any]] = {}

    def run(self, value: Any) -> Any:
        for name, ref in self.refs.items():
            self.seen[name] = ref() is not None
        return value


class Remember(Component):
    """Pass the value through and keep a weak reference to it."""

    def run(self, value: Any) -> Any:
        Watch.refs[self.params["as"]] = weakref.ref(value)
        return Blob()


class Boom(Component):
    """Always fails."""

    def run(self, **_: Any) -> Any:
        raise KeyError("tenure")


class Slow(Component):
    """Wait until the engine has seen a task fail (or return at once with ``wait:
    false``); records when it started and ended."""

    params_schema = {"wait": Param(bool, default=True)}
    events: list[tuple[str, str]] = []
    failure_seen = threading.Event()

    def run(self, **_: Any) -> str:
        self.events.append(("start", threading.current_thread().name))
        if self.params["wait"]:
            assert self.failure_seen.wait(timeout=30), "no task failure was reported"
        self.events.append(("end", threading.current_thread().name))
        return "slow-done"


class FailureSeen:
    """A plugin that tells Slow when the scheduling loop has handled a task's failure."""

    @hookimpl
    def wfe_task_error(self) -> None:
        Slow.failure_seen.set()


class WrongOutputs:
    """A seed-style component (no base class) that returns the wrong keys."""

    def __init__(
        self, inputs: Mapping[str, Any], outputs: list[str], params: Mapping[str, Any]
    ) -> None:
        self.outputs = outputs

    def execute(self) -> dict[str, Any]:
        return {"unexpected": 1}


def flow(*tasks: str) -> str:
    return "workflow_name: engine_test\ntasks:\n" + "".join(f"  - {t}\n" for t in tasks)


def test_data_is_passed_by_reference_and_results_are_unconsumed_outputs(
    make_plugins: MakePlugins,
) -> None:
    workflow = wfe.loads(
        flow(
            "{name: make, component_name: make_blob, outputs: [blob]}",
            "{name: same, component_name: passthrough, inputs: {value: blob}, outputs: [same_blob]}",
            "{name: also, component_name: passthrough, inputs: {value: blob}, outputs: [also_blob]}",
        ),
        plugins=make_plugins(make_blob=MakeBlob, passthrough=Passthrough),
    )
    result = workflow.run()
    assert result.ok
    assert set(result.results) == {"same_blob", "also_blob"}
    assert result.results["same_blob"] is result.results["also_blob"]
    assert isinstance(result.results["same_blob"], Blob)


def test_intermediate_is_released_after_its_last_consumer(make_plugins: MakePlugins) -> None:
    Watch.refs.clear()
    Watch.seen.clear()
    workflow = wfe.loads(
        flow(
            "{name: make, component_name: make_blob, outputs: [big]}",
            "{name: use, component_name: remember, params: {as: big}, inputs: {value: big}, outputs: [small]}",
            "{name: later, component_name: watch, inputs: {value: small}, outputs: [final]}",
        ),
        plugins=make_plugins(make_blob=MakeBlob, remember=Remember, watch=Watch),
    )
    for workers in (1, 2):
        result = workflow.run(workers=workers)
        assert result.ok
        assert Watch.seen == {"big": False}, (
            f"'big' still alive after its last consumer ({workers=})"
        )
        assert set(result.results) == {"final"}


def test_component_exception_names_task_component_and_cause(make_plugins: MakePlugins) -> None:
    workflow = wfe.loads(
        flow(
            "{name: bad, component_name: boom, outputs: [x]}",
            "{name: independent, component_name: make_blob, outputs: [y]}",
            "{name: after, component_name: passthrough, inputs: {value: x}, outputs: [z]}",
        ),
        source="wf.yaml",
        plugins=make_plugins(boom=Boom, make_blob=MakeBlob, passthrough=Passthrough),
    )
    result = workflow.run()
    assert not result.ok
    assert result.status == "failed"
    assert result.failed == ["bad"]
    assert result.succeeded == []
    assert sorted(result.not_run) == ["after", "independent"]  # fail-fast: nothing new starts
    [error] = result.errors
    assert isinstance(error, wfe.TaskError)
    assert isinstance(error.__cause__, KeyError)
    assert (
        str(error)
        == "task 'bad' (component 'boom') (defined at wf.yaml:3:5) failed: KeyError: 'tenure'"
    )
    with pytest.raises(wfe.RunFailedError, match="not run: ") as info:
        result.raise_for_status()
    assert info.value.__cause__ is error


def test_wrong_outputs_are_named(make_plugins: MakePlugins) -> None:
    workflow = wfe.loads(
        flow("{name: w, component_name: wrong, outputs: [a, b]}"),
        plugins=make_plugins(wrong=WrongOutputs),
    )
    [error] = workflow.run().errors
    assert "task 'w'" in str(error)
    assert "missing ['a', 'b'], unexpected ['unexpected']" in str(error)
    assert isinstance(error.__cause__, wfe.OutputMismatchError)


def test_thread_pool_runs_independent_tasks_concurrently() -> None:
    workflow = wfe.loads(
        flow(
            "{name: one, component_name: python_function, params: {function: 'wfe_test_functions:meet'}, outputs: [a]}",
            "{name: two, component_name: python_function, params: {function: 'wfe_test_functions:meet'}, outputs: [b]}",
        )
    )
    # Each task returns only when both are inside meet() at once.
    result = workflow.run(workers=2)
    assert result.ok, result.errors
    assert result.results == {"a": "met", "b": "met"}


def test_thread_pool_fail_fast_lets_running_tasks_finish(make_plugins: MakePlugins) -> None:
    Slow.events.clear()
    Slow.failure_seen.clear()
    # 'slow' runs until the engine has handled 'bad''s failure: fail-fast is tested, not
    # which of two threads a loaded machine happens to run first.
    workflow = wfe.loads(
        flow(
            "{name: slow, component_name: slow, outputs: [s]}",
            "{name: bad, component_name: boom, outputs: [b]}",
            "{name: queued, component_name: slow, params: {wait: false}, outputs: [q]}",
            "{name: after_slow, component_name: passthrough, inputs: {value: s}, outputs: [a]}",
        ),
        plugins=make_plugins(FailureSeen(), slow=Slow, boom=Boom, passthrough=Passthrough),
    )
    result = workflow.run(workers=2)
    assert result.tasks["slow"].status is TaskStatus.SUCCEEDED  # it was running: it finished
    assert result.tasks["bad"].status is TaskStatus.FAILED
    assert result.tasks["queued"].status is TaskStatus.NOT_RUN  # no free worker before the failure
    assert result.tasks["after_slow"].status is TaskStatus.NOT_RUN
    assert [e for e, _ in Slow.events] == ["start", "end"]
    assert Slow.events[0][1].startswith("wfe-task")


@pytest.mark.parametrize("workers", [1, 2])
def test_sys_exit_in_a_component_is_a_task_failure(workers: int) -> None:
    workflow = wfe.loads(
        flow(
            "{name: quits, component_name: python_function, params: {function: 'wfe_test_functions:exit_process'}}",
        )
    )
    result = workflow.run(workers=workers)
    assert result.failed == ["quits"]
    assert isinstance(result.errors[0].__cause__, SystemExit)


def test_workers_must_be_positive() -> None:
    workflow = wfe.loads(
        flow(
            "{name: t, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [a, b]}"
        )
    )
    with pytest.raises(ValueError, match="at least 1"):
        workflow.run(workers=0)


class Recorder:
    """A plugin that records every lifecycle hook call."""

    def __init__(self) -> None:
        self.events: list[tuple[str, ...]] = []

    @hookimpl
    def wfe_workflow_start(self, run: wfe.Run, workflow: wfe.WorkflowSpec, workers: int) -> None:
        assert run.workflow is workflow
        self.events.append(("workflow_start", workflow.name, str(workers)))

    @hookimpl
    def wfe_task_start(self, task: wfe.TaskSpec) -> None:  # a subset of the arguments
        self.events.append(("task_start", task.name))

    @hookimpl
    def wfe_task_end(self, task: wfe.TaskSpec, report: wfe.TaskReport) -> None:
        self.events.append(("task_end", task.name, str(report.status), ",".join(report.outputs)))

    @hookimpl
    def wfe_task_error(
        self, task: wfe.TaskSpec, report: wfe.TaskReport, error: wfe.TaskError
    ) -> None:
        self.events.append(
            ("task_error", task.name, str(report.status), type(error.__cause__).__name__)
        )

    @hookimpl
    def wfe_workflow_end(self, run: wfe.Run, result: wfe.RunResult) -> None:
        self.events.append(("workflow_end", run.workflow.name, result.status))


def test_lifecycle_hooks_are_called_in_order(make_plugins: MakePlugins) -> None:
    recorder = Recorder()
    workflow = wfe.loads(
        flow(
            "{name: make, component_name: make_blob, outputs: [x]}",
            "{name: bad, component_name: boom, inputs: {v: x}, outputs: [y]}",
        ),
        plugins=make_plugins(recorder, make_blob=MakeBlob, boom=Boom),
    )
    workflow.run()
    assert recorder.events == [
        ("workflow_start", "engine_test", "1"),
        ("task_start", "make"),
        ("task_end", "make", "succeeded", "x"),
        ("task_start", "bad"),
        ("task_error", "bad", "failed", "KeyError"),
        ("workflow_end", "engine_test", "failed"),
    ]


class Cache:
    """A plugin that answers one task itself (wfe_execute_task is firstresult)."""

    @hookimpl
    def wfe_execute_task(self, task: wfe.TaskSpec, component: Any) -> Mapping[str, Any] | None:
        if task.name == "cached":
            return {"x": "from cache"}
        return None


def test_execute_task_hook_can_replace_execution(make_plugins: MakePlugins) -> None:
    workflow = wfe.loads(
        flow(
            "{name: cached, component_name: boom, outputs: [x]}",
            "{name: real, component_name: passthrough, inputs: {value: x}, outputs: [y]}",
        ),
        plugins=make_plugins(Cache(), boom=Boom, passthrough=Passthrough),
    )
    result = workflow.run()
    assert result.ok, result.errors
    assert result.results == {"y": "from cache"}


@pytest.mark.slow
def test_a_100000_task_chain_validates_and_runs() -> None:
    n = 100_000
    lines = [
        "workflow_name: long_chain",
        "tasks:",
        "  - {name: t0, component_name: python_function,"
        " params: {function: 'wfe_test_functions:const', kwargs: {value: 0}}, outputs: [o0]}",
    ]
    lines += [
        f"  - {{name: t{i}, component_name: python_function, params: {{function: 'wfe_test_functions:inc'}},"
        f" inputs: {{x: o{i - 1}}}, outputs: [o{i}]}}"
        for i in range(1, n)
    ]
    workflow = wfe.loads("\n".join(lines) + "\n")
    for workers in (1, 4):
        result = workflow.run(workers=workers)
        assert result.ok
        assert result.results == {f"o{n - 1}": n - 1}
        assert len(result.succeeded) == n

"""The executor seam (wfe.executor): executors are plugins, chosen by name, and every
run rule means the same on each of them: sequential, threads, and a test executor that
runs every task in a spawned process (tests/support/wfe_test_executors.py)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import wfe_test_executors

import wfe
from wfe import TaskStatus

RunWfe = Callable[..., subprocess.CompletedProcess[str]]

EXECUTORS = [
    pytest.param("sequential", {}, id="sequential"),
    pytest.param("threads", {"workers": 2}, id="threads"),
    pytest.param("spawned", {"workers": 2}, id="spawned"),
]
#: an executor without slots: it takes every ready task and queues them itself
UNBOUNDED = pytest.param("spawned", {"workers": 2, "queue_all": True}, id="spawned-unbounded")


def plugins() -> wfe.Plugins:
    """Installed plugins plus the test executor."""
    return wfe.load_plugins([wfe_test_executors])


def fn(
    name: str,
    function: str,
    *,
    inputs: str = "{}",
    outputs: str = "[]",
    kwargs: str = "{}",
    extra: str = "",
) -> str:
    return (
        f"  - {{name: {name}, component_name: python_function, inputs: {inputs}, "
        f"outputs: {outputs}, params: {{function: 'wfe_test_functions:{function}', "
        f"kwargs: {kwargs}}}{extra}}}\n"
    )


def load(*tasks: str, head: str = "") -> wfe.Workflow:
    return wfe.loads(
        "workflow_name: seam\n" + head + "tasks:\n" + "".join(tasks), plugins=plugins()
    )


@pytest.mark.parametrize(("executor", "options"), [*EXECUTORS, UNBOUNDED])
def test_data_flows_and_results_come_back(executor: str, options: dict[str, Any]) -> None:
    workflow = load(
        fn("one", "const", kwargs="{value: 1}", outputs="[a]"),
        fn("two", "inc", inputs="{x: a}", outputs="[b]"),
        fn("three", "add", inputs="{a: a, b: b}", outputs="[c]"),
    )
    result = workflow.run(executor=executor, executor_options=options, outputs=["a"])
    assert result.ok, result.errors
    assert result.results == {"c": 3, "a": 1}  # the result, and the output asked for
    assert result["a"] == 1
    assert result.tasks["three"].outputs == {"c": {"type": "int", "value": 3}}
    with pytest.raises(KeyError, match="ask for it with run\\(outputs=\\['b'\\]\\)"):
        result["b"]


@pytest.mark.parametrize(("executor", "options"), EXECUTORS)
def test_fail_fast_starts_nothing_new(executor: str, options: dict[str, Any]) -> None:
    workflow = load(
        fn("bad", "fail", outputs="[x]"),
        fn("after", "inc", inputs="{x: x}", outputs="[y]"),
        fn("later", "inc", inputs="{x: y}", outputs="[z]"),
    )
    result = workflow.run(executor=executor, executor_options=options)
    assert result.status == "failed"
    assert result.failed == ["bad"]
    assert sorted(result.not_run) == ["after", "later"]
    assert result.tasks["later"].skipped_because == ("bad",)
    [error] = result.errors
    assert error.cause_text == "ValueError: boom: the input was bad"
    assert isinstance(error.__cause__, ValueError)
    assert "in fail" in error.traceback_text  # made where the task ran


@pytest.mark.parametrize(("executor", "options"), EXECUTORS)
def test_keep_going_runs_what_does_not_depend_on_a_failure(
    executor: str, options: dict[str, Any]
) -> None:
    workflow = load(
        fn("bad", "fail", outputs="[x]"),
        fn("blocked", "inc", inputs="{x: x}", outputs="[y]"),
        fn("free", "const", kwargs="{value: 5}", outputs="[f]"),
        fn("free_too", "inc", inputs="{x: f}", outputs="[g]"),
    )
    result = workflow.run(executor=executor, executor_options=options, keep_going=True)
    assert sorted(result.succeeded) == ["free", "free_too"]
    assert result.results == {"g": 6}
    assert result.tasks["blocked"].status is TaskStatus.NOT_RUN
    assert result.tasks["blocked"].skipped_because == ("bad",)


@pytest.mark.parametrize(("executor", "options"), EXECUTORS)
def test_retries_and_timeouts_apply_where_the_task_runs(
    executor: str, options: dict[str, Any], tmp_path: Path
) -> None:
    key = f"{executor}-{tmp_path.name}"
    workflow = load(
        fn(
            "flaky",
            "flaky",
            kwargs=f"{{key: {key}, failures: 2}}",
            outputs="[n]",
            extra=", retries: 2, retry_delay: 0.01",
        ),
        fn(
            "slow",
            "sleep_then",
            inputs="{value: n}",
            kwargs="{seconds: 5}",
            outputs="[s]",
            extra=", timeout: 0.2",
        ),
    )
    result = workflow.run(executor=executor, executor_options=options)
    flaky = result.tasks["flaky"]
    assert flaky.status is TaskStatus.SUCCEEDED
    assert flaky.attempts == 3
    assert flaky.outputs == {"n": {"type": "int", "value": 3}}
    slow = result.tasks["slow"]
    assert slow.status is TaskStatus.FAILED
    assert slow.error is not None
    assert isinstance(slow.error.__cause__, wfe.TaskTimeoutError)


@pytest.mark.parametrize(("executor", "options"), EXECUTORS)
def test_checkpoints_are_written_and_reused_on_every_executor(
    executor: str, options: dict[str, Any], tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    workflow = load(
        fn("first", "logged", kwargs=f"{{log: '{log}', label: first, value: 1}}", outputs="[a]"),
        fn(
            "second",
            "logged",
            inputs="{x: a}",
            kwargs=f"{{log: '{log}', label: second}}",
            outputs="[b]",
        ),
    )
    store = tmp_path / "checkpoints"
    first = workflow.run(executor=executor, executor_options=options, checkpoint=store)
    assert first.results == {"b": 1}
    again = workflow.run(executor=executor, executor_options=options, checkpoint=store, resume=True)
    assert again.ok
    assert again.results == {"b": 1}  # loaded from its checkpoint
    assert again.reused == ["first", "second"]
    assert log.read_text().split() == ["first", "second"]  # nothing ran twice
    kept = workflow.run(
        executor=executor, executor_options=options, checkpoint=store, resume=True, outputs=["a"]
    )
    assert kept.results == {"b": 1, "a": 1}  # an output asked for is loaded, not skipped


def test_an_executor_is_chosen_by_the_workflow_and_the_caller_wins() -> None:
    workflow = load(
        fn("one", "const", kwargs="{value: 1}", outputs="[a]"),
        head="executor: {name: threads, options: {workers: 3}}\n",
    )
    from wfe.run import RunOptions

    assert workflow.executor_for(RunOptions())[0] == "threads"
    assert workflow.executor_for(RunOptions())[2]["workers"] == 3
    assert workflow.executor_for(RunOptions(), workers=2)[2]["workers"] == 2
    assert workflow.executor_for(RunOptions(executor="sequential"))[0] == "sequential"
    assert workflow.run().ok


def test_workers_alone_picks_threads_and_one_worker_is_sequential() -> None:
    from wfe.run import RunOptions

    workflow = load(fn("one", "const", kwargs="{value: 1}", outputs="[a]"))
    assert workflow.executor_for(RunOptions())[0] == "sequential"
    assert workflow.executor_for(RunOptions(), workers=1)[0] == "sequential"
    name, _, values = workflow.executor_for(RunOptions(), workers=4)
    assert (name, values["workers"]) == ("threads", 4)
    with pytest.raises(wfe.DefinitionError, match="at least 1"):
        workflow.run(workers=0)
    with pytest.raises(wfe.DefinitionError, match="unknown option 'workers'"):
        workflow.run(executor="sequential", workers=2)


def test_unknown_executors_and_options_are_definition_errors_with_hints(tmp_path: Path) -> None:
    text = "workflow_name: seam\nexecutor:\n  name: thread\n  options: {workers: 2}\ntasks:\n" + fn(
        "one", "const", kwargs="{value: 1}", outputs="[a]"
    )
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml", plugins=plugins())
    [problem] = info.value.problems
    assert problem.kind == "unknown-executor"
    assert str(problem.location) == "wf.yaml:3:9"
    assert "did you mean 'threads'?" in problem.hint

    text = text.replace("name: thread", "name: threads").replace("workers: 2", "wokers: 2")
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="wf.yaml", plugins=plugins())
    [problem] = info.value.problems
    assert problem.message == "unknown option 'wokers'"
    assert str(problem.location) == "wf.yaml:4:21"
    assert "did you mean 'workers'?" in problem.hint

    # An executor wfe knows of but that is not installed: with no installed plugins
    # loaded, since executor-dask may well be installed here.
    bare = wfe.load_plugins(environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"})
    text = "workflow_name: seam\ntasks:\n" + fn("one", "const", kwargs="{value: 1}", outputs="[a]")
    with pytest.raises(wfe.DefinitionError, match=r"pip install \./executor-dask"):
        wfe.loads(text, plugins=bare).run(executor="dask")


def test_the_cli_chooses_executors_and_lists_them(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text(
        "workflow_name: seam\ntasks:\n"
        + fn("one", "const", kwargs="{value: 1}", outputs="[a]")
        + fn("two", "inc", inputs="{x: a}", outputs="[b]")
    )
    done = run_wfe(
        "run",
        str(path),
        "--executor",
        "threads",
        "--executor-option",
        "workers=3",
        "--no-record",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "(2 tasks, 3 threads)" in done.stdout
    wrong = run_wfe("run", str(path), "--executor", "threds", "--no-record", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "unknown executor 'threds'" in wrong.stderr
    assert "did you mean 'threads'?" in wrong.stderr
    bad_option = run_wfe(
        "validate", str(path), "--executor", "threads", "--executor-option", "workers=many"
    )
    assert bad_option.returncode == 2
    assert "option 'workers' must be an integer, got the string 'many'" in bad_option.stderr
    malformed = run_wfe("run", str(path), "--executor-option", "workers")
    assert malformed.returncode == 2
    assert "--executor-option expects NAME=VALUE" in malformed.stderr
    listed = run_wfe("executors", "list")
    assert listed.returncode == 0
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()[1:] if line.strip()}
    assert rows["sequential"].split()[1:3] == ["engine-core", wfe.__version__]
    assert "threads" in rows


def test_task_calls_and_errors_pickle() -> None:
    import pickle

    workflow = load(fn("one", "const", kwargs="{value: {a: 1}}", outputs="[a]"))
    task = workflow.spec.tasks[0]
    copy = pickle.loads(pickle.dumps(task))
    assert (copy.name, dict(copy.params), copy.outputs) == (task.name, dict(task.params), ("a",))
    spec = pickle.loads(pickle.dumps(workflow.spec))
    assert spec.task("one").params == task.params

    class Unpicklable(Exception):
        def __init__(self, a: int, b: int) -> None:  # pickling calls cls(message): fails
            super().__init__(f"{a} and {b}")

    try:
        raise Unpicklable(1, 2)
    except Unpicklable as exc:
        error = wfe.TaskError("one", "python_function", "Unpicklable: 1 and 2", None, exc)
    copy_error = pickle.loads(pickle.dumps(error))
    assert str(copy_error) == str(error)
    assert isinstance(copy_error.__cause__, wfe.RemoteError)
    assert copy_error.__cause__.type_name == "Unpicklable"
    assert copy_error.cause_text == "Unpicklable: 1 and 2"
    assert "raise Unpicklable(1, 2)" in copy_error.traceback_text


class Unreachable(wfe.Executor):
    """An executor whose cluster cannot be reached."""

    closed = False

    def start(self, run: wfe.Run) -> None:
        raise ConnectionRefusedError("tcp://127.0.0.1:1 refused the connection")

    def submit(self, call: wfe.TaskCall) -> None:
        raise AssertionError("nothing is submitted to an executor that did not start")

    def wait(self, timeout: float | None) -> list[wfe.TaskReport]:
        return []

    def release(self, output: str) -> None:
        """Holds nothing."""

    def gather(self, outputs: Any) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        Unreachable.closed = True


def test_an_executor_that_cannot_start_is_an_executor_error_and_is_closed() -> None:
    class Plugin:
        @wfe.hookimpl
        def wfe_register_executors(self) -> list[wfe.ExecutorRef]:
            return [wfe.ExecutorRef("unreachable", Unreachable, "never starts")]

    workflow = wfe.loads(
        "workflow_name: seam\ntasks:\n" + fn("one", "const", kwargs="{value: 1}", outputs="[a]"),
        plugins=wfe.load_plugins([Plugin()]),
    )
    with pytest.raises(
        wfe.ExecutorError,
        match=re.escape(
            "the executor 'unreachable' could not start: "
            "ConnectionRefusedError: tcp://127.0.0.1:1 refused"
        ),
    ):
        workflow.run(executor="unreachable")
    assert Unreachable.closed

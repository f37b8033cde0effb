"""Runs a graph: schedule tasks, pass data by reference, release intermediates.

Both executors are the same ``TopologicalSorter.get_ready()/done()`` loop; the
sequential one runs each ready task in the calling thread, the threaded one keeps up to
``workers`` tasks in a thread pool. Fail-fast: after the first failure no new task
starts, running tasks finish, and the result lists succeeded, failed and not-run tasks.

All bookkeeping (the data context, hooks, reports) happens in the calling thread;
worker threads only run components. Data is passed by reference: a task's inputs are
the very objects its upstream tasks returned. An output is dropped from the context as
soon as the last task that reads it has finished, unless it is a workflow result.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from wfe.errors import OutputMismatchError, TaskError
from wfe.graph import Graph
from wfe.plugins import Plugins
from wfe.report import RunResult, TaskReport, TaskStatus
from wfe.spec import TaskSpec, WorkflowSpec

__all__ = ["run_graph"]

_perf_counter = time.perf_counter


class _Outcome:
    """What a worker hands back: outputs or an error, and the time taken."""

    __slots__ = ("duration", "error", "outputs")

    def __init__(self, outputs: Mapping[str, Any] | None, error: TaskError | None, duration: float):
        self.outputs = outputs
        self.error = error
        self.duration = duration


class _Run:
    """The state of one run: context, remaining consumers, reports."""

    def __init__(
        self,
        spec: WorkflowSpec,
        graph: Graph,
        classes: Mapping[str, type],
        plugins: Plugins,
    ) -> None:
        self.spec = spec
        self.graph = graph
        self.classes = classes
        self.context: dict[str, Any] = {}
        self.remaining = dict(graph.consumers)
        self.reports: dict[str, TaskReport] = {}
        self.failed = False
        hook = plugins.hook
        # Calling a hook nobody implements still costs a microsecond or two per task;
        # skip the lifecycle hooks that have no implementation in this run.
        self.on_start = hook.wfe_task_start if hook.wfe_task_start.get_hookimpls() else None
        self.on_end = hook.wfe_task_end if hook.wfe_task_end.get_hookimpls() else None
        self.on_error = hook.wfe_task_error
        self.execute_hook: Callable[..., Mapping[str, Any] | None] = hook.wfe_execute_task

    def inputs_of(self, task: TaskSpec) -> dict[str, Any]:
        context = self.context
        inputs = {name: context[ref] for name, ref in task.inputs.items()}
        if task.literals:
            inputs.update(task.literals)
        return inputs

    def execute(self, task: TaskSpec, inputs: dict[str, Any]) -> _Outcome:
        """Run one task (in any thread). Never raises for a component's failure."""
        start = _perf_counter()
        try:
            component = self.classes[task.component_name](inputs, task.outputs, task.params)
            del inputs  # the component holds them now; nothing else should
            outputs = self.execute_hook(task=task, component=component)
            del component
            if outputs is None:
                outputs = {}
            declared = task.outputs
            if len(outputs) != len(declared) or not all(o in outputs for o in declared):
                missing = [o for o in declared if o not in outputs]
                extra = [str(k) for k in outputs if k not in declared]
                raise OutputMismatchError(
                    f"execute() must return exactly the declared outputs {list(declared)}; "
                    f"missing {missing}, unexpected {extra}"
                )
        except Exception as exc:
            error = TaskError(
                task.name, task.component_name, f"{type(exc).__name__}: {exc}", task.location
            )
            error.__cause__ = exc
            return _Outcome(None, error, _perf_counter() - start)
        return _Outcome(outputs, None, _perf_counter() - start)

    def start(self, task: TaskSpec) -> dict[str, Any]:
        if self.on_start is not None:
            self.on_start(task=task)
        return self.inputs_of(task)

    def finish(self, task: TaskSpec, outcome: _Outcome) -> bool:
        """Record an outcome; store outputs and release consumed intermediates."""
        name = task.name
        if outcome.error is not None:
            report = TaskReport(
                name, task.component_name, TaskStatus.FAILED, outcome.duration, outcome.error
            )
            self.reports[name] = report
            self.failed = True
            self.on_error(task=task, report=report, error=outcome.error)
            return False
        outputs = outcome.outputs
        assert outputs is not None
        outcome.outputs = None
        report = TaskReport(name, task.component_name, TaskStatus.SUCCEEDED, outcome.duration)
        self.reports[name] = report
        context = self.context
        context.update(outputs)
        if self.on_end is not None:
            self.on_end(task=task, report=report, outputs=outputs)
        remaining = self.remaining
        for ref in self.graph.consumes[name]:
            left = remaining[ref] - 1
            remaining[ref] = left
            if left == 0:
                del context[ref]
        return True

    def result(self, started: float) -> RunResult:
        reports = self.reports
        tasks: dict[str, TaskReport] = {}
        for name, task in self.graph.tasks.items():
            tasks[name] = reports.get(name) or TaskReport(
                name, task.component_name, TaskStatus.NOT_RUN
            )
        results = {name: self.context[name] for name in self.graph.results if name in self.context}
        return RunResult(self.spec.name, tasks, results, _perf_counter() - started)


def run_graph(
    spec: WorkflowSpec,
    graph: Graph,
    classes: Mapping[str, type],
    plugins: Plugins,
    workers: int = 1,
) -> RunResult:
    """Run every task of ``graph``; ``classes`` maps component names to classes."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    run = _Run(spec, graph, classes, plugins)
    plugins.hook.wfe_workflow_start(workflow=spec, workers=workers)
    started = _perf_counter()
    if workers == 1:
        _sequential(run)
    else:
        _threaded(run, workers)
    result = run.result(started)
    plugins.hook.wfe_workflow_end(workflow=spec, result=result)
    return result


def _sequential(run: _Run) -> None:
    sorter = run.graph.sorter()
    tasks = run.graph.tasks
    while sorter.is_active():
        for name in sorter.get_ready():
            task = tasks[name]
            if not run.finish(task, run.execute(task, run.start(task))):
                return
            sorter.done(name)


def _threaded(run: _Run, workers: int) -> None:
    sorter = run.graph.sorter()
    tasks = run.graph.tasks
    ready: deque[str] = deque()
    running: dict[Future[_Outcome], TaskSpec] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wfe-task") as pool:
        while True:
            if not run.failed:
                ready.extend(sorter.get_ready())
                while ready and len(running) < workers:
                    task = tasks[ready.popleft()]
                    running[pool.submit(run.execute, task, run.start(task))] = task
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                if run.finish(task, future.result()):
                    sorter.done(task.name)
            del done, future

"""Runs a graph: schedule tasks, pass data by reference, release intermediates.

Both executors are the same ``TopologicalSorter.get_ready()/done()`` loop; the
sequential one runs each ready task in the calling thread, the threaded one keeps up to
``workers`` tasks in a thread pool. Fail-fast: after the first failure no new task
starts, running tasks finish, and the result lists succeeded, failed and not-run tasks.

All bookkeeping (the data context, hooks, reports, saving checkpoints) happens in the
calling thread; worker threads only run components (or load a task's checkpoint). Data is passed by reference: a task's inputs are
the very objects its upstream tasks returned. An output is dropped from the context as
soon as the last task that reads it has finished, unless it is a workflow result.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from queue import SimpleQueue
from typing import Any

from wfe import builtin
from wfe.attempts import attempt_with_options
from wfe.errors import OutputMismatchError, TaskError, TaskTimeoutError
from wfe.graph import Graph
from wfe.plugins import Plugins
from wfe.report import RunResult, TaskReport, TaskStatus
from wfe.spec import TaskSpec, WorkflowSpec

__all__ = ["run_graph"]

_perf_counter = time.perf_counter
_SUCCEEDED, _FAILED, _NOT_RUN = TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.NOT_RUN
_REUSED = TaskStatus.REUSED


# What a worker hands back: (outputs or None, error or None, seconds taken, attempts).
_Outcome = tuple[Mapping[str, Any] | None, TaskError | None, float, int]


class _Run:
    """The state of one run: context, remaining consumers, reports."""

    def __init__(
        self,
        spec: WorkflowSpec,
        graph: Graph,
        classes: Mapping[str, type],
        plugins: Plugins,
        keep_going: bool = False,
        cancel: threading.Event | None = None,
        loaders: Mapping[str, Callable[[], Mapping[str, Any]]] | None = None,
        on_success: Callable[[TaskSpec, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self.spec = spec
        self.keep_going = keep_going
        self.cancel = cancel
        self.loaders = loaders or {}
        self.on_success = on_success
        self.graph = graph
        self.classes = classes
        self.context: dict[str, Any] = {}
        self.remaining = dict(graph.consumers)
        self.consumes = graph.consumes
        self.reports: dict[str, TaskReport] = {}
        self.failed = False
        hook = plugins.hook
        # Calling a hook through pluggy costs 1-2 us per task even when nobody but wfe
        # implements it. Lifecycle hooks nobody implements are skipped; when wfe's own
        # wfe_execute_task is the only one (and hooks are not being traced), it is
        # called directly. Either way the behaviour is the same.
        self.on_start = hook.wfe_task_start if hook.wfe_task_start.get_hookimpls() else None
        self.on_end = hook.wfe_task_end if hook.wfe_task_end.get_hookimpls() else None
        self.on_error = hook.wfe_task_error
        executors = hook.wfe_execute_task.get_hookimpls()
        only_builtin = [i.function for i in executors] == [builtin.wfe_execute_task]
        self.execute_hook = None if only_builtin and not plugins.tracing else hook.wfe_execute_task

    def start(self, task: TaskSpec) -> dict[str, Any]:
        """Announce ``task`` and gather its inputs (in the scheduling thread)."""
        if self.on_start is not None:
            self.on_start(task=task)
        if self.loaders and task.name in self.loaders:
            return {}  # its outputs come from a checkpoint
        context = self.context
        inputs = {name: context[ref] for name, ref in task.inputs.items()}
        if task.literals:
            inputs.update(task.literals)
        return inputs

    def execute(self, task: TaskSpec, inputs: dict[str, Any]) -> _Outcome:
        """Run one task (in any thread). Never raises for a component's failure."""
        start = _perf_counter()
        error: BaseException | None = None
        if self.loaders and task.name in self.loaders:
            attempts = 1
            try:
                outputs = self.loaders[task.name]()
            except Exception as exc:
                error = exc
        elif task.options:
            outputs, error, attempts = attempt_with_options(
                lambda: self.attempt(task, inputs), task.name, task.options
            )
        else:
            attempts = 1
            try:
                outputs = self.attempt(task, inputs)
            except (Exception, SystemExit) as exc:  # sys.exit() in a component fails the task
                error = exc
        if error is not None:
            failure = TaskError(
                task.name, task.component_name, f"{type(error).__name__}: {error}", task.location
            )
            failure.__cause__ = error
            return None, failure, _perf_counter() - start, attempts
        return outputs, None, _perf_counter() - start, attempts

    def attempt(self, task: TaskSpec, inputs: dict[str, Any]) -> Any:
        """Instantiate the component, execute it, check its outputs."""
        component = self.classes[task.component_name](inputs, task.outputs, task.params)
        hook = self.execute_hook
        outputs = component.execute() if hook is None else hook(task=task, component=component)
        del component
        if outputs is None:
            outputs = {}
        declared = task.outputs
        if outputs.keys() != set(declared):
            missing = [o for o in declared if o not in outputs]
            extra = [str(k) for k in outputs if k not in declared]
            raise OutputMismatchError(
                f"execute() must return exactly the declared outputs {list(declared)}; "
                f"missing {missing}, unexpected {extra}"
            )
        return outputs

    def finish(self, task: TaskSpec, outcome: _Outcome) -> bool:
        """Record an outcome; store outputs and release consumed intermediates."""
        outputs, error, duration, attempts = outcome
        name = task.name
        reused = bool(self.loaders) and name in self.loaders
        if error is None and outputs is not None and self.on_success is not None and not reused:
            try:
                self.on_success(task, outputs)
            except Exception as exc:  # e.g. the disk is full: the checkpoint promise failed
                error = TaskError(
                    name, task.component_name, f"saving its checkpoint failed: {exc}", task.location
                )
                error.__cause__ = exc
        if error is not None or outputs is None:
            report = TaskReport(name, task.component_name, _FAILED, duration, error, attempts)
            self.reports[name] = report
            # keep-going runs on past failures, but never past a timed-out task
            if not self.keep_going or isinstance(error and error.__cause__, TaskTimeoutError):
                self.failed = True
            self.on_error(task=task, report=report, error=error)
            return False
        report = self.reports[name] = TaskReport(
            name, task.component_name, _REUSED if reused else _SUCCEEDED, duration, None, attempts
        )
        context = self.context
        context.update(outputs)
        if self.on_end is not None:
            self.on_end(task=task, report=report, outputs=outputs)
        remaining = self.remaining
        for ref in self.consumes[task]:
            left = remaining[ref] - 1
            remaining[ref] = left
            if left == 0:
                del context[ref]
        return True

    def result(self, started: float, reused: Sequence[TaskSpec] = ()) -> RunResult:
        reports = self.reports
        tasks: dict[str, TaskReport] = {
            t.name: TaskReport(t.name, t.component_name, _REUSED) for t in reused
        }
        for name, task in self.graph.tasks.items():
            tasks[name] = reports.get(name) or TaskReport(
                name, task.component_name, _NOT_RUN, skipped_because=self.failed_upstream(task)
            )
        results = {name: self.context[name] for name in self.graph.results if name in self.context}
        cancelled = self.cancel is not None and self.cancel.is_set()
        return RunResult(self.spec.name, tasks, results, _perf_counter() - started, cancelled)

    def failed_upstream(self, task: TaskSpec) -> tuple[str, ...]:
        """The failed tasks that ``task`` depends on, directly or not."""
        found: list[str] = []
        seen: set[str] = set()
        stack = list(self.graph.dependencies[task])
        while stack:
            upstream = stack.pop()
            if upstream.name in seen:
                continue
            seen.add(upstream.name)
            report = self.reports.get(upstream.name)
            if report is not None and report.status is _FAILED:
                found.append(upstream.name)
            elif report is None:
                stack.extend(self.graph.dependencies[upstream])
        return tuple(sorted(found))


def run_graph(
    spec: WorkflowSpec,
    graph: Graph,
    classes: Mapping[str, type],
    plugins: Plugins,
    workers: int = 1,
    keep_going: bool = False,
    cancel: threading.Event | None = None,
    loaders: Mapping[str, Callable[[], Mapping[str, Any]]] | None = None,
    on_success: Callable[[TaskSpec, Mapping[str, Any]], None] | None = None,
    reused: Sequence[TaskSpec] = (),
) -> RunResult:
    """Run every task of ``graph``; ``classes`` maps component names to classes.

    With ``keep_going``, a failure stops only the tasks that depend on it; the others
    still run (a timeout stops everything new regardless). Setting ``cancel`` (from a
    signal handler, say) stops scheduling: running tasks finish, the rest are not run,
    and the result's status is ``cancelled``.

    Checkpoints plug in here: ``loaders`` give the outputs of tasks that are not run
    but loaded, ``on_success`` sees every task that ran successfully, and ``reused``
    lists tasks that need neither (reported as reused)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    run = _Run(spec, graph, classes, plugins, keep_going, cancel, loaders, on_success)
    plugins.hook.wfe_workflow_start(workflow=spec, workers=workers)
    started = _perf_counter()
    if workers == 1:
        _sequential(run)
    else:
        _threaded(run, workers)
    result = run.result(started, reused)
    plugins.hook.wfe_workflow_end(workflow=spec, result=result)
    return result


def _sequential(run: _Run) -> None:
    sorter = run.graph.sorter()
    start, execute, finish = run.start, run.execute, run.finish  # the hot loop: no lookups
    get_ready, done, is_active = sorter.get_ready, sorter.done, sorter.is_active
    cancel = run.cancel
    while is_active():
        ready = get_ready()
        if not ready:
            return  # keep-going: only tasks behind a failure are left
        for task in ready:
            if cancel is not None and cancel.is_set():
                return
            if finish(task, execute(task, start(task))):
                done(task)
            elif run.failed:
                return


def _threaded(run: _Run, workers: int) -> None:
    sorter = run.graph.sorter()
    ready: deque[TaskSpec] = deque()
    completed: SimpleQueue[tuple[TaskSpec, _Outcome]] = SimpleQueue()
    running = 0

    def work(task: TaskSpec, inputs: dict[str, Any]) -> None:
        try:
            outcome = run.execute(task, inputs)
        except BaseException as exc:  # anything else still ends as a task failure, never a hang
            error = TaskError(
                task.name, task.component_name, f"{type(exc).__name__}: {exc}", task.location
            )
            error.__cause__ = exc
            outcome = (None, error, 0.0, 1)
        completed.put((task, outcome))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wfe-task") as pool:
        while True:
            if not run.failed and not (run.cancel is not None and run.cancel.is_set()):
                ready.extend(sorter.get_ready())
                while ready and running < workers:
                    task = ready.popleft()
                    pool.submit(work, task, run.start(task))
                    running += 1
            if not running:
                return
            task, outcome = completed.get()
            running -= 1
            if run.finish(task, outcome):
                sorter.done(task)
            del outcome

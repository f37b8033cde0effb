"""The scheduling loop: what runs next, on any executor.

One ``get_ready()/done()`` loop over the graph's :class:`~wfe.graph.Schedule`, in the
thread that called ``run()``, drives every executor (:mod:`wfe.executor`). It submits each ready task (as
many at once as the executor has slots), calls the lifecycle hooks, keeps the reports,
and tells the executor when an output's last reader has been submitted, so
intermediates are released as early as possible (peak memory is the largest live set,
not the sum of all outputs). Fail-fast: after the first failure nothing new is
submitted; running tasks finish. ``keep_going`` lets every task that does not depend
on a failure run (a timeout stops everything regardless). Setting ``cancel`` stops
scheduling the same way and marks the run cancelled.

All bookkeeping happens here; executors only run :class:`~wfe.taskcall.TaskCall`\\ s and
hold data, so these rules mean the same on every executor.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from wfe import builtin, tasklog
from wfe.errors import ExecutorError, TaskTimeoutError, WorkflowError
from wfe.executor import Executor
from wfe.graph import Graph, Schedule
from wfe.plugins import Plugins
from wfe.report import RunResult, TaskReport, TaskStatus
from wfe.run import Run
from wfe.spec import TaskSpec
from wfe.taskcall import TaskCall

__all__ = ["Hooks", "execute"]

_perf_counter = time.perf_counter
_FAILED, _NOT_RUN, _REUSED = TaskStatus.FAILED, TaskStatus.NOT_RUN, TaskStatus.REUSED
#: how often a waiting loop looks at the cancel event (Ctrl-C is answered within this)
CANCEL_CHECK_SECONDS = 0.2


class Hooks:
    """The lifecycle hooks of one plugin set, with the fast paths the loop needs.

    Calling a hook through pluggy costs 1-2 us per task even when nobody but wfe
    implements it: hooks nobody implements are ``None`` here, and ``execute_task`` is
    ``None`` when wfe's own ``wfe_execute_task`` is the only one (and hooks are not
    being traced), so the task call runs the component directly.
    """

    def __init__(self, plugins: Plugins) -> None:
        hook = plugins.hook
        self.workflow_start = hook.wfe_workflow_start
        self.workflow_end = hook.wfe_workflow_end
        self.task_start = hook.wfe_task_start if hook.wfe_task_start.get_hookimpls() else None
        self.task_end = hook.wfe_task_end if hook.wfe_task_end.get_hookimpls() else None
        self.task_error = hook.wfe_task_error
        executors = hook.wfe_execute_task.get_hookimpls()
        only_builtin = [i.function for i in executors] == [builtin.wfe_execute_task]
        self.execute_task = None if only_builtin and not plugins.tracing else hook.wfe_execute_task


def execute(
    run: Run,
    graph: Graph,
    calls: Callable[[TaskSpec], TaskCall],
    executor: Executor,
    hooks: Hooks,
    *,
    cancel: threading.Event | None = None,
    reused: Sequence[TaskSpec] = (),
    keep: Collection[str] = (),
) -> RunResult:
    """Run every task of ``graph`` on ``executor``; ``calls`` packs a task for it.

    ``reused`` tasks are satisfied by checkpoints and not run at all; ``keep`` names
    outputs to return besides the graph's results. The executor is started here and
    closed before this returns.
    """
    started = _perf_counter()
    keep = frozenset(keep) | graph.results
    reports: dict[str, TaskReport] = {}
    try:
        _start(executor, run)
        frozen, schedule = _frozen_schedule(graph)
        tasklog.hold()  # tasks' prints and log records go to their logs for the whole run
        try:
            hooks.workflow_start(run=run, workflow=run.workflow, workers=executor.slots or 0)
            _loop(run, graph, schedule, calls, executor, hooks, cancel, reports, keep)
            results = executor.gather(keep)
        finally:
            tasklog.release()
            if frozen:
                gc.unfreeze()
    finally:
        executor.close()
    tasks = {t.name: TaskReport(t.name, t.component_name, _REUSED) for t in reused}
    tasks.update(_all_reports(graph, reports))
    cancelled = cancel is not None and cancel.is_set()
    result = RunResult(
        run.workflow.name, tasks, results, _perf_counter() - started, cancelled, run.id
    )
    hooks.workflow_end(run=run, workflow=run.workflow, result=result)
    return result


def _start(executor: Executor, run: Run) -> None:
    """Start the executor; a failure to start is an :class:`ExecutorError` naming it."""
    try:
        executor.start(run)
    except WorkflowError:
        raise
    except Exception as exc:
        raise ExecutorError(
            f"the executor '{run.executor}' could not start: {type(exc).__name__}: {exc}"
        ) from exc
    run.executor_description = executor.describe()


def _loop(
    run: Run,
    graph: Graph,
    schedule: Schedule,
    calls: Callable[[TaskSpec], TaskCall],
    executor: Executor,
    hooks: Hooks,
    cancel: threading.Event | None,
    reports: dict[str, TaskReport],
    keep: frozenset[str],
) -> None:
    get_ready, done = schedule.get_ready, schedule.done
    consumes, remaining = graph.consumes, dict(graph.consumers)
    submit, wait, release = executor.submit, executor.wait, executor.release
    on_start, on_end, on_error = hooks.task_start, hooks.task_end, hooks.task_error
    slots = executor.slots or len(graph.tasks)
    lookahead = executor.lookahead
    keep_going = run.options.keep_going
    timeout = None if cancel is None else CANCEL_CHECK_SECONDS
    ready: deque[TaskSpec] = deque()
    running: dict[str, TaskSpec] = {}  # small, unlike the graph's maps: stays in cache
    stopping = False
    while True:
        if not stopping:
            if cancel is not None and cancel.is_set():
                stopping = True
                executor.cancel()
            else:
                ready.extend(get_ready())
                while ready and len(running) < slots:
                    task = ready.popleft()
                    if on_start is not None:
                        on_start(run=run, task=task)
                    running[task.name] = task
                    submit(calls(task))
                    for ref in consumes[task]:
                        left = remaining[ref] - 1
                        remaining[ref] = left
                        if left == 0 and ref not in keep:
                            release(ref)
                    if lookahead:
                        done(task)
                        ready.extend(get_ready())
        if not running:
            return
        for report in wait(timeout):
            name = report.name
            task = running.pop(name)
            status = report.status
            if status is _NOT_RUN:  # cancelled, or behind a failure on a lookahead executor
                continue
            reports[name] = report
            if status is _FAILED:
                error = report.error
                assert error is not None
                if not keep_going or isinstance(error.__cause__, TaskTimeoutError):
                    stopping = True  # keep-going never runs past a timed-out task
                    if lookahead:
                        executor.cancel()
                on_error(run=run, task=task, report=report, error=error)
                continue
            if not lookahead:
                done(task)
            if on_end is not None:
                on_end(run=run, task=task, report=report)


def _all_reports(graph: Graph, reports: Mapping[str, TaskReport]) -> dict[str, TaskReport]:
    """A report for every task: the ones that ran, and "not run" for the rest, each
    naming the failed tasks it waited on. Linear: a not-run task inherits its upstream's
    blame (the same set object when it has one source), never walks the graph again."""
    if len(reports) == len(graph.tasks):
        return dict(reports)
    blame: dict[TaskSpec, frozenset[str]] = {}
    found: dict[str, TaskReport] = {}
    for task in graph.static_order():
        report = reports.get(task.name)
        if report is not None:
            found[task.name] = report
            continue
        sources: list[frozenset[str]] = []
        for upstream in graph.dependencies[task]:
            before = reports.get(upstream.name)
            if before is None:
                sources.append(blame[upstream])
            elif before.status is _FAILED:
                sources.append(frozenset((upstream.name,)))
        why = _union(sources)
        blame[task] = why
        found[task.name] = TaskReport(
            task.name, task.component_name, _NOT_RUN, skipped_because=tuple(sorted(why))
        )
    return {name: found[name] for name in graph.tasks}


_NOTHING: frozenset[str] = frozenset()


def _union(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    distinct = {id(s): s for s in sets if s}
    if len(distinct) <= 1:
        return next(iter(distinct.values()), _NOTHING)
    return frozenset().union(*distinct.values())


def _frozen_schedule(graph: Graph) -> tuple[bool, Schedule]:
    """The run's schedule, with everything alive now (the workflow's specs and graph,
    the plugins, the schedule's plan: hundreds of thousands of objects in a large
    workflow) moved out of the cyclic garbage collector's sight for the run.

    They live as long as the run and form no garbage, yet every full collection during
    the run would walk them all: at 100,000 tasks that doubled the per-task cost. The
    schedule is made with the collector paused (it only allocates). Objects made during
    the run are collected as usual; the caller unfreezes after the run. Returns whether
    it froze (not when the collector is off anyway) and the schedule."""
    if not gc.isenabled():
        return False, graph.schedule()
    gc.disable()
    try:
        schedule = graph.schedule()
    finally:
        gc.freeze()
        gc.enable()
    return True, schedule

"""Tasks and their references -> a DAG, with each output's lifetime.

The standard library's ``graphlib.TopologicalSorter`` checks for cycles when the graph
is built. Each run is then scheduled by a :class:`Schedule`: graphlib's
``get_ready()/done()`` protocol for a graph known to be acyclic, whose per-run set-up is
one list copy (graphlib's builds a node object per task on every run, which at
100,000 tasks cost 3.8 us per task, more than the rest of the engine). Everything here
is iterative and linear in the number of tasks and references, so a 100,000-task chain
is as easy as a 3-task one.
"""

from __future__ import annotations

import graphlib
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from wfe.errors import Problem
from wfe.quoting import quote
from wfe.spec import TaskSpec
from wfe.suggest import did_you_mean

__all__ = ["Graph", "Schedule", "build_graph"]


@dataclass(frozen=True, slots=True)
class Graph:
    """The DAG of one workflow.

    The nodes are the :class:`TaskSpec` objects themselves. ``dependencies`` maps each
    task to the tasks whose outputs it reads or that it must run ``after``; ``consumes`` to the distinct outputs it
    reads; ``consumers`` counts, per output, the tasks that read it, so the engine can
    drop an intermediate after its last reader. Outputs no task reads are the
    workflow's ``results``.
    """

    tasks: Mapping[str, TaskSpec]
    producers: Mapping[str, str]
    dependencies: Mapping[TaskSpec, tuple[TaskSpec, ...]]
    consumes: Mapping[TaskSpec, tuple[str, ...]]
    consumers: Mapping[str, int]
    results: frozenset[str]
    #: what every run's :class:`Schedule` starts from, made on the first run
    _plan: _SchedulePlan | None = field(default=None, init=False, repr=False, compare=False)

    def schedule(self) -> Schedule:
        """A fresh schedule: the scheduling state of one run. The graph must be acyclic
        (:func:`build_graph` reports cycles before any run)."""
        plan = self._plan
        if plan is None:
            plan = _SchedulePlan(self.dependencies)
            object.__setattr__(self, "_plan", plan)  # a cache, not state: frozen otherwise
        return Schedule(plan)

    def subgraph(self, names: set[str], sources: set[str]) -> Graph:
        """The tasks in ``names`` alone; those in ``sources`` read nothing (their outputs
        come from elsewhere, a checkpoint). Every other task's upstream must be inside."""
        tasks = {n: t for n, t in self.tasks.items() if n in names}
        producers = {o: p for o, p in self.producers.items() if p in names}
        dependencies: dict[TaskSpec, tuple[TaskSpec, ...]] = {}
        consumes: dict[TaskSpec, tuple[str, ...]] = {}
        consumers = dict.fromkeys(producers, 0)
        for name, task in tasks.items():
            inside = name not in sources
            dependencies[task] = (
                tuple(d for d in self.dependencies[task] if d.name in names) if inside else ()
            )
            consumes[task] = self.consumes[task] if inside else ()
            for ref in consumes[task]:
                consumers[ref] += 1
        results = frozenset(o for o, n in consumers.items() if n == 0)
        return Graph(tasks, producers, dependencies, consumes, consumers, results)

    def upstream_of(self, name: str) -> set[str]:
        """``name`` and every task it depends on, directly or not."""
        return self._closure(
            name, {t.name: [d.name for d in deps] for t, deps in self.dependencies.items()}
        )

    def downstream_of(self, name: str) -> set[str]:
        """``name`` and every task that depends on it, directly or not."""
        edges: dict[str, list[str]] = {n: [] for n in self.tasks}
        for task, deps in self.dependencies.items():
            for dep in deps:
                edges[dep.name].append(task.name)
        return self._closure(name, edges)

    @staticmethod
    def _closure(start: str, edges: Mapping[str, list[str]]) -> set[str]:
        seen = {start}
        stack = [start]
        while stack:
            for nxt in edges[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def static_order(self) -> Iterable[TaskSpec]:
        """The tasks in one valid execution order (the sequential executor's order)."""
        return graphlib.TopologicalSorter(self.dependencies).static_order()

    def order(self) -> list[str]:
        """Task names in :meth:`static_order`."""
        return [task.name for task in self.static_order()]


class _SchedulePlan:
    """Per graph, made once: the tasks that wait on nothing, and per task (by its
    position in ``tasks``) the positions of its downstream tasks and how many upstream
    tasks it waits on. Positions index plain lists: a run's bookkeeping is then list
    reads, which stay cheap at 100,000 tasks where lookups in large hash tables miss
    the CPU's caches."""

    __slots__ = ("roots", "successors", "tasks", "waiting")

    def __init__(self, dependencies: Mapping[TaskSpec, tuple[TaskSpec, ...]]) -> None:
        self.tasks = list(dependencies)
        position = {task: number for number, task in enumerate(self.tasks)}
        after: list[list[int]] = [[] for _ in self.tasks]
        for number, upstream in enumerate(dependencies.values()):
            for before in upstream:  # a repeated upstream counts (and is done) twice
                after[position[before]].append(number)
        self.successors = {task: tuple(after[position[task]]) for task in self.tasks}
        self.waiting = [len(upstream) for upstream in dependencies.values()]
        self.roots = tuple(task for task, upstream in dependencies.items() if not upstream)


class Schedule:
    """One run's view of which tasks may start: ``get_ready()`` returns the tasks that
    became ready since the last call, ``done(task)`` marks a task finished (as
    ``graphlib.TopologicalSorter`` does, without its per-run set-up or checks)."""

    __slots__ = ("_ready", "_successors", "_tasks", "_waiting")

    def __init__(self, plan: _SchedulePlan) -> None:
        self._ready = list(plan.roots)
        self._successors = plan.successors
        self._tasks = plan.tasks
        self._waiting = plan.waiting.copy()

    def get_ready(self) -> tuple[TaskSpec, ...]:
        ready = self._ready
        if not ready:
            return ()
        found = tuple(ready)
        ready.clear()
        return found

    def done(self, task: TaskSpec) -> None:
        waiting = self._waiting
        for after in self._successors[task]:
            left = waiting[after] - 1
            waiting[after] = left
            if not left:
                self._ready.append(self._tasks[after])


def build_graph(tasks: Iterable[TaskSpec]) -> tuple[Graph, list[Problem]]:
    """Build the DAG; report duplicate outputs, dangling references and cycles."""
    problems: list[Problem] = []
    by_name: dict[str, TaskSpec] = {}
    producers: dict[str, str] = {}
    output_index: dict[str, int] = {}
    for task in tasks:
        if task.name in by_name:
            continue  # reported by the spec as a duplicate task name
        by_name[task.name] = task
        for position, output in enumerate(task.outputs):
            first = producers.get(output)
            if first is not None:
                problems.append(
                    Problem(
                        "duplicate-output",
                        f"output {quote(output)} is also produced by task {quote(first)}",
                        "every output name must be produced by exactly one task: rename one",
                        task.name,
                        ("tasks", task.index, "outputs", position),
                    )
                )
                continue
            producers[output] = task.name
            output_index[output] = position

    dependencies: dict[TaskSpec, tuple[TaskSpec, ...]] = {}
    consumes: dict[TaskSpec, tuple[str, ...]] = {}
    consumers: dict[str, int] = dict.fromkeys(producers, 0)
    for task in by_name.values():
        # dicts as ordered sets: a task may read thousands of outputs
        refs: dict[str, None] = {}
        upstream: dict[TaskSpec, None] = {}
        for input_name, ref in task.inputs.items():
            producer = producers.get(ref)
            if producer is None:
                hint = did_you_mean(ref, producers)
                problems.append(
                    Problem(
                        "unknown-reference",
                        f"input {quote(input_name)} refers to {quote(ref)}, which no task produces",
                        (f"{hint} " if hint else "")
                        + "name another task's output, or write a literal location with a "
                        "scheme (s3://..., file://...)",
                        task.name,
                        ("tasks", task.index, "inputs", input_name),
                    )
                )
                continue
            if ref not in refs:
                refs[ref] = None
                consumers[ref] += 1
                upstream[by_name[producer]] = None
        for position, earlier in enumerate(task.after):
            if earlier not in by_name:
                hint = did_you_mean(earlier, by_name)
                problems.append(
                    Problem(
                        "unknown-task",
                        f"'after' names {quote(earlier)}, which is not a task of this workflow",
                        hint or "list the names of tasks that must finish first",
                        task.name,
                        ("tasks", task.index, "after", position),
                    )
                )
            else:
                upstream[by_name[earlier]] = None
        dependencies[task] = tuple(upstream)
        consumes[task] = tuple(refs)

    graph = Graph(
        tasks=by_name,
        producers=producers,
        dependencies=dependencies,
        consumes=consumes,
        consumers=consumers,
        results=frozenset(o for o, n in consumers.items() if n == 0),
    )
    try:
        graphlib.TopologicalSorter(dependencies).prepare()
    except graphlib.CycleError as exc:
        problems.append(_cycle_problem(exc.args[1], graph))
    return graph, problems


#: A cycle's path in a message shows this many steps at each end.
_CYCLE_ENDS = 10


def _cycle_problem(cycle: list[TaskSpec], graph: Graph) -> Problem:
    """Describe graphlib's cycle as data flows: ``a -[x]-> b -[y]-> a``; the middle of
    a very long cycle is left out of the message."""
    # graphlib lists the cycle producer first, i.e. in the direction data flows.
    links = list(itertools.pairwise(cycle))
    if len(links) > 2 * _CYCLE_ENDS:
        hidden = len(links) - 2 * _CYCLE_ENDS
        links = links[:_CYCLE_ENDS] + links[-_CYCLE_ENDS:]
    else:
        hidden = 0
    steps = [cycle[0].name]
    for number, (producer, consumer) in enumerate(links):
        if hidden and number == _CYCLE_ENDS:
            steps.append(f"-> ... ({hidden:,} more steps) -> {producer.name}")
        shared = [o for o in graph.consumes[consumer] if graph.producers.get(o) == producer.name]
        link = ", ".join(shared) or "after"  # no data: an explicit 'after' ordering
        steps.append(f"-[{link}]-> {consumer.name}")
    first = cycle[0]
    return Problem(
        "cycle",
        "tasks depend on each other in a cycle: " + " ".join(steps),
        "a task cannot need, directly or indirectly, its own output: break one of these links",
        first.name,
        ("tasks", first.index),
    )

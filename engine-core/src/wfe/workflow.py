"""The Python API: ``wfe.load(path)`` -> a validated ``Workflow`` -> ``.run()``.

Loading checks everything that can be checked without running a task: YAML syntax
and safety, the document's shape, variables, references, cycles, and each task against
its component's declared schema. Every problem found is reported in one
``DefinitionError``.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from wfe.checkpoints import CheckpointStore
from wfe.component import check_against_schema, check_task_definition
from wfe.engine import Hooks
from wfe.engine import execute as execute_run
from wfe.errors import ComponentLoadError, DefinitionError, Problem, ProblemList, SelectionError
from wfe.executor import Executor
from wfe.fingerprint import fingerprints
from wfe.graph import Graph, build_graph
from wfe.plan import LOAD, SKIP, MissingCheckpointError, Plan, plan_run
from wfe.plugins import Plugins, load_plugins
from wfe.policy import current_policy
from wfe.quoting import describe_value, quote
from wfe.report import RunResult
from wfe.run import Run, RunOptions, new_run_id
from wfe.sourcetext import encode_text, read_text
from wfe.spec import TaskSpec, WorkflowSpec, parse_spec
from wfe.suggest import LOAD_BUDGET, did_you_mean, suggestion_budget
from wfe.taskcall import CheckpointSlot, TaskCall
from wfe.yamlsource import (
    ExpansionLimitError,
    NodeLocator,
    NodeReader,
    compose,
    location_of,
    scan_tags,
)

__all__ = ["Workflow", "load", "loads"]


class Workflow:
    """A validated workflow, ready to run (any number of times, also at once)."""

    def __init__(
        self, spec: WorkflowSpec, graph: Graph, classes: Mapping[str, type], plugins: Plugins
    ):
        self.spec = spec
        self.graph = graph
        self.classes = classes
        self.plugins = plugins

    @property
    def name(self) -> str:
        return self.spec.name

    def run(
        self,
        workers: int | None = None,
        keep_going: bool = False,
        cancel: threading.Event | None = None,
        *,
        executor: str | None = None,
        executor_options: Mapping[str, Any] | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        resume: bool = False,
        only: Iterable[str] = (),
        start_at: str | None = None,
        stop_after: str | None = None,
        outputs: Iterable[str] = (),
        record_dir: str | os.PathLike[str] | None = None,
    ) -> RunResult:
        """Run the workflow and return how it went; a failing task does not raise: check
        ``result.ok`` or call ``result.raise_for_status()``.

        ``executor`` names where tasks run (``wfe executors list``; default: the
        workflow's ``executor:``, else ``sequential``), with ``executor_options``.
        ``workers`` is the executor's ``workers`` option; alone, ``workers > 1`` picks
        ``threads``. After a failure no new task starts, unless ``keep_going``: then
        every task that does not depend on a failed one still runs. Setting ``cancel``
        stops scheduling (running tasks finish).

        ``checkpoint`` (default: the workflow's ``checkpoint:``) saves every task's
        outputs; ``resume`` reuses those whose fingerprint still matches. ``only``,
        ``start_at`` and ``stop_after`` run a slice of the DAG; the inputs it needs from
        outside come from checkpoints. ``outputs`` names outputs to keep and return
        (``result["name"]``) besides the results, which are kept anyway. ``record_dir``
        writes a run record there, as ``wfe run`` does (``wfe runs show`` reads it).
        """
        options = RunOptions(
            executor=executor,
            executor_options=MappingProxyType(dict(executor_options or {})),
            keep_going=keep_going,
            checkpoint=os.fspath(checkpoint) if checkpoint is not None else None,
            resume=resume,
            only=tuple(only),
            start_at=start_at,
            stop_after=stop_after,
            outputs=tuple(outputs),
        )
        if record_dir is None:
            return self.run_with(options, cancel, workers)
        from wfe.records import RunRecorder

        run_id = new_run_id()
        recorder = RunRecorder(
            os.fspath(record_dir), dict(self.plugins.distributions()), only_run=run_id
        )
        self.plugins.register(recorder)
        try:
            return self.run_with(options, cancel, workers, run_id=run_id)
        finally:
            self.plugins.unregister(recorder)

    def run_with(
        self,
        options: RunOptions,
        cancel: threading.Event | None = None,
        workers: int | None = None,
        *,
        run_id: str | None = None,
    ) -> RunResult:
        """:meth:`run`, with every choice in one :class:`RunOptions` (``run_id``: the id
        the run gets, default a new one)."""
        name, executor_class, executor_options = self.executor_for(options, workers)
        selected = self.select(options.only, options.start_at, options.stop_after)
        self._check_outputs(options.outputs)
        hooks = Hooks(self.plugins)
        refs = self.plugins.components().refs
        classes = self.classes
        execute = hooks.execute_task
        folder = options.checkpoint or self.spec.checkpoint or None
        reused: list[TaskSpec] = []
        if folder is None:
            if options.resume or len(selected) < len(self.graph.tasks):
                raise SelectionError(
                    "resuming or running a slice needs checkpoints: pass --checkpoint DIR "
                    "(checkpoint= in Python) or set checkpoint: in the workflow"
                )
            graph = self.graph

            def calls(task: TaskSpec) -> TaskCall:
                component = task.component_name
                return TaskCall(task, refs[component], classes[component], None, False, execute)

        else:
            plan = self.plan(folder, options.resume, selected, keep=options.outputs)
            store = CheckpointStore(folder)
            loads = set(plan.named(LOAD))
            graph = self.graph.subgraph({n for n, m in plan.modes.items() if m != SKIP}, loads)
            reused = [self.spec.task(n) for n in plan.named(SKIP)]

            def calls(task: TaskSpec) -> TaskCall:
                component = task.component_name
                load = task.name in loads  # planning verified the digests of these
                slot = CheckpointSlot(store, plan.fingerprints[task.name], verified=load)
                return TaskCall(task, refs[component], classes[component], slot, load, execute)

        run = Run(run_id or new_run_id(), self.spec, options, executor=name)
        return execute_run(
            run,
            graph,
            calls,
            executor_class(**executor_options),
            hooks,
            cancel=cancel,
            reused=reused,
            keep=options.outputs,
        )

    def executor_for(
        self, options: RunOptions, workers: int | None = None
    ) -> tuple[str, type[Executor], dict[str, Any]]:
        """The executor a run with these options uses: its name, class and options (the
        workflow's ``executor:`` section, overridden by the caller's choice). Raises
        :class:`DefinitionError` for an unknown executor or option."""
        chosen = self.spec.executor
        name = options.executor or (chosen.name if chosen else None)
        values: dict[str, Any] = {}
        if chosen is not None and name == chosen.name:
            values.update(chosen.options)
        values.update(options.executor_options)
        if workers is not None:
            if name is None:
                name = "sequential" if workers == 1 else "threads"
            if name != "sequential" or workers != 1:
                values["workers"] = workers
        name = name or "sequential"
        problems: list[Problem] = []
        cls = check_executor(self.plugins, name, values, problems, at=(), given="the run's")
        if cls is None or problems:
            raise DefinitionError(problems, self.spec.source)
        defaults = {k: p.default for k, p in cls.options_schema.items() if not p.required}
        return name, cls, {**defaults, **values}

    def _check_outputs(self, names: Iterable[str]) -> None:
        producers = self.graph.producers
        for name in names:
            if name not in producers:
                hint = did_you_mean(name, producers)
                raise SelectionError(
                    f"no task of workflow '{self.name}' produces an output named '{name}'. "
                    f"{hint}".strip()
                )

    def select(
        self, only: Iterable[str] = (), start_at: str | None = None, stop_after: str | None = None
    ) -> set[str]:
        """The names of the tasks in a slice (all tasks when nothing is given)."""
        names = set(self.graph.tasks)
        for name in [*only, *(n for n in (start_at, stop_after) if n)]:
            if name not in names:
                hint = did_you_mean(name, names)
                raise SelectionError(
                    f"no task named '{name}' in workflow '{self.name}'. {hint}".strip()
                )
        selected = set(only) if only else set(names)
        if start_at:
            selected &= self.graph.downstream_of(start_at)
        if stop_after:
            selected &= self.graph.upstream_of(stop_after)
        if not selected:
            raise SelectionError("the slice selects no task: check --only, --from and --to")
        return selected

    def plan(
        self,
        checkpoint: str | os.PathLike[str],
        resume: bool,
        selected: set[str] | None = None,
        *,
        explain: bool = False,
        keep: Iterable[str] = (),
    ) -> Plan:
        """What a run would do with each task (``run``, ``load``, ``skip``) and why,
        given the checkpoints in ``checkpoint``. Computes every fingerprint (hashing code,
        probing the data tasks read); raises if a needed checkpoint is missing. With
        ``explain``, says what changed for each task that runs (see :mod:`wfe.plan`)."""
        prints = fingerprints(self.graph, self.plugins.components(), self.classes)
        try:
            return plan_run(
                self.graph,
                prints,
                CheckpointStore(checkpoint),
                selected or set(self.graph.tasks),
                resume,
                explain,
                frozenset(keep),
            )
        except MissingCheckpointError as exc:
            raise SelectionError(str(exc)) from exc

    def __repr__(self) -> str:
        return (
            f"<Workflow {self.spec.name!r} from {self.spec.source}: {len(self.spec.tasks)} tasks>"
        )


def check_executor(
    plugins: Plugins,
    name: str,
    options: Mapping[str, Any],
    problems: list[Problem],
    *,
    at: tuple[str | int, ...],
    given: str = "the workflow's",
) -> type[Executor] | None:
    """Check an executor's name and options, adding problems (with paths under ``at``
    when it comes from the workflow file). Returns its class when it could be loaded."""
    registry = plugins.executors()
    ref = registry.get(name)
    name_at = (*at, "name") if at else ()
    if ref is None:
        hint = did_you_mean(name, registry.refs)
        known = ", ".join(registry.refs) or "none"
        problems.append(
            Problem(
                "unknown-executor",
                f"unknown executor {quote(name)} ({given} choice)",
                (f"{hint} " if hint else "")
                + f"installed executors: {known} (`wfe executors list`); an executor that "
                "lives in its own distribution must be installed first "
                + _INSTALL_HINTS.get(name, ""),
                path=name_at,
            )
        )
        return None
    try:
        cls = registry.load(name)
    except ComponentLoadError as exc:
        problems.append(Problem("executor-import", str(exc), "", path=name_at))
        return None
    if not (isinstance(cls, type) and issubclass(cls, Executor)):
        problems.append(
            Problem(
                "executor-import",
                f"executor '{name}' ({ref.target_path}) is not a wfe.Executor subclass",
                f"report this to the maintainers of {ref.distribution or 'the plugin'}",
                path=name_at,
            )
        )
        return None
    problems.extend(
        check_against_schema(
            cls.options_schema, options, task=None, at=(*at, "options") if at else (), what="option"
        )
    )
    return cls


#: where executors that wfe knows of but does not ship come from
_INSTALL_HINTS = {"dask": "(pip install ./executor-dask, or pip install executor-dask)"}


def load(
    path: str | os.PathLike[str],
    vars: Mapping[str, object] | None = None,
    *,
    plugins: Plugins | None = None,
    environ: Mapping[str, str] | None = None,
) -> Workflow:
    """Read, validate and return the workflow in the YAML file ``path``.

    ``vars`` override variables (like ``--var name=value``); ``environ`` defaults to
    ``os.environ``; ``plugins`` defaults to every installed plugin.

    Like ``python script.py``, this puts the folder of the (symlink-resolved) file
    first on ``sys.path``, once, so that ``python_function`` finds modules next to the
    workflow, both when validating and when running. The CLI relies on the same rule.
    Not under an operator policy that limits python_function's modules
    (:mod:`wfe.policy`): a folder next to the file could then shadow an allowed module
    (a ``pandas/`` of its own).
    """
    source = os.fspath(path)
    text = read_text(source)
    _import_next_to(source)
    return loads(text, vars, source=source, plugins=plugins, environ=environ)


def _import_next_to(source: str) -> None:
    if current_policy().allowed_function_modules is not None:
        return
    folder = os.path.dirname(os.path.realpath(source))
    if folder not in sys.path:
        sys.path.insert(0, folder)


def loads(
    text: str,
    vars: Mapping[str, object] | None = None,
    *,
    source: str = "<string>",
    plugins: Plugins | None = None,
    environ: Mapping[str, str] | None = None,
) -> Workflow:
    """Like :func:`load`, from YAML text; ``source`` names it in messages.

    ``sys.path`` is left as it is: there is no file whose folder could be added.
    """
    environ = os.environ if environ is None else environ
    _check_vars(vars or {}, source)
    with _gc_paused(), suggestion_budget(LOAD_BUDGET):
        return _loads(text, vars or {}, source, plugins, environ)


#: the Python types a ``vars=`` value may have: YAML's scalars
VAR_TYPES = (str, bool, int, float, type(None), datetime.date)


def _check_vars(values: Mapping[str, object], source: str) -> None:
    """``vars=`` values are YAML scalars: text (read as a YAML scalar, like ``--var``)
    or a Python bool, int, float, None, date or datetime (taken as it is)."""
    problems = [
        Problem(
            "bad-variable",
            f"vars[{quote(str(name))}] is {describe_value(value)}; variables hold single "
            "values (text, numbers, booleans, null, dates)",
            "pass a str, bool, int, float, None, date or datetime; put lists and mappings "
            "in the workflow file",
        )
        for name, value in values.items()
        if not isinstance(value, VAR_TYPES)
    ]
    if problems:
        raise DefinitionError(problems, source)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a document is parsed and checked.

    A large workflow is a tree of millions of short-lived YAML nodes and none of them
    form reference cycles, yet each allocation burst triggers collections that walk
    them all: for a 10,000-task file the collector took ~1 s of a 1.3 s parse. Plain
    reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _loads(
    text: str,
    overrides: Mapping[str, Any],
    source: str,
    plugins: Plugins | None,
    environ: Mapping[str, str],
) -> Workflow:
    digest = hashlib.sha256(encode_text(text, source)).hexdigest()
    root = compose(text, source)
    problems = ProblemList()
    reader = NodeReader(source, len(text), problems)
    if root is not None and "!" in text:  # no '!' in the text, no explicit tag anywhere
        scan_tags(root, reader)
    try:
        spec = parse_spec(root, reader, overrides, environ, digest)
    except ExpansionLimitError as exc:
        location = location_of(source, exc.node)
        raise DefinitionError(
            [Problem(exc.kind, exc.message, exc.hint, exc.task, location=location)], source
        ) from None
    if spec is None:
        raise DefinitionError(problems, source, problems.dropped)

    graph, graph_problems = build_graph(spec.tasks)
    problems.extend(graph_problems)
    plugins = plugins if plugins is not None else load_plugins()
    classes = _check_components(spec, plugins, problems)
    if spec.executor is not None:
        check_executor(
            plugins, spec.executor.name, spec.executor.options, problems, at=("executor",)
        )

    if problems:
        assert root is not None
        locator = NodeLocator(root)
        located = [
            p
            if p.location is not None or not p.path
            else replace(p, location=location_of(source, locator.at(p.path)))
            for p in problems
        ]
        raise DefinitionError(located, source, problems.dropped)
    return Workflow(spec, graph, classes, plugins)


def _check_components(
    spec: WorkflowSpec, plugins: Plugins, problems: list[Problem]
) -> dict[str, type]:
    """Resolve each task's component and check the task against its schema."""
    registry = plugins.components()
    classes: dict[str, type] = {}
    broken: set[str] = set()
    for task in spec.tasks:
        name = task.component_name
        at = ("tasks", task.index, "component_name")
        if name in broken:
            continue
        cls = classes.get(name)
        if cls is None:
            if name not in registry:
                problems.append(_unknown_component(task.name, name, at, plugins))
                broken.add(name)
                continue
            if name in registry.conflicts:
                sources = " and ".join(
                    f"{r.distribution or r.target_path}" for r in registry.conflicts[name]
                )
                problems.append(
                    Problem(
                        "ambiguous-component",
                        f"component '{name}' is provided by both {sources}",
                        "uninstall one of those distributions",
                        task.name,
                        at,
                    )
                )
                broken.add(name)
                continue
            try:
                cls = classes[name] = registry.load(name)
            except ComponentLoadError as exc:
                problems.append(Problem("component-import", str(exc), "", task.name, at))
                broken.add(name)
                continue
        problems.extend(
            check_task_definition(
                cls,
                component_name=name,
                task=task.name,
                index=task.index,
                params=task.params,
                inputs={**task.inputs, **task.literals},
                outputs=task.outputs,
            )
        )
    return classes


def _unknown_component(
    task: str, name: str, at: tuple[str | int, ...], plugins: Plugins
) -> Problem:
    registry = plugins.components()
    hint = did_you_mean(name, registry.refs)
    installed = ", ".join(f"{d} {v}" for d, v in plugins.distributions()) or "none"
    broken = [str(f) for f in plugins.failures]
    text = (f"{hint} " if hint else "") + (
        f"`wfe components list` shows what is installed; installed plugin distributions: {installed}"
    )
    if broken:
        text += "; these plugins failed to load: " + "; ".join(broken)
    return Problem("unknown-component", f"unknown component {quote(name)}", text, task, at)

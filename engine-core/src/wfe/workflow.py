"""The Python API: ``wfe.load(path)`` -> a validated ``Workflow`` -> ``.run()``.

Loading checks everything that can be checked without running a task: YAML syntax
and safety, the document's shape, variables, references, cycles, and each task against
its component's declared schema. Every problem found is reported in one
``DefinitionError``.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from wfe.checkpoints import CheckpointStore
from wfe.component import check_task_definition
from wfe.engine import run_graph
from wfe.errors import ComponentLoadError, DefinitionError, Problem, SelectionError
from wfe.fingerprint import fingerprints
from wfe.graph import Graph, build_graph
from wfe.plan import LOAD, SKIP, MissingCheckpointError, Plan, plan_run
from wfe.plugins import Plugins, load_plugins
from wfe.report import RunResult
from wfe.spec import TaskSpec, WorkflowSpec, parse_spec
from wfe.suggest import did_you_mean
from wfe.yamlsource import (
    ExpansionLimitError,
    NodeReader,
    compose,
    location_of,
    node_at,
    scan_tags,
)

__all__ = ["Workflow", "load", "loads"]


class Workflow:
    """A validated workflow, ready to run (any number of times)."""

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
        workers: int = 1,
        keep_going: bool = False,
        cancel: threading.Event | None = None,
        *,
        checkpoint: str | os.PathLike[str] | None = None,
        resume: bool = False,
        only: Iterable[str] = (),
        start_at: str | None = None,
        stop_after: str | None = None,
    ) -> RunResult:
        """Run the workflow; ``workers > 1`` runs independent tasks in a thread pool.

        After a failure no new task starts, unless ``keep_going``: then every task that
        does not depend on a failed one still runs. Setting ``cancel`` stops scheduling
        (running tasks finish). A failing task does not raise: check ``result.ok`` or
        call ``result.raise_for_status()``.

        ``checkpoint`` (default: the workflow's ``checkpoint:``) saves every task's
        outputs; ``resume`` reuses those whose fingerprint still matches. ``only``,
        ``start_at`` and ``stop_after`` run a slice of the DAG; the inputs it needs from
        outside come from checkpoints.
        """
        selected = self.select(only, start_at, stop_after)
        folder = checkpoint or self.spec.checkpoint or None
        if folder is None:
            if resume or len(selected) < len(self.graph.tasks):
                raise SelectionError(
                    "resuming or running a slice needs checkpoints: pass --checkpoint DIR "
                    "(checkpoint= in Python) or set checkpoint: in the workflow"
                )
            return run_graph(
                self.spec, self.graph, self.classes, self.plugins, workers, keep_going, cancel
            )
        plan = self.plan(folder, resume, selected)
        store = CheckpointStore(folder)
        loads = set(plan.named(LOAD))
        graph = self.graph.subgraph({n for n, m in plan.modes.items() if m != SKIP}, loads)

        def save(task: TaskSpec, outputs: Mapping[str, Any]) -> None:
            store.save(task.name, plan.fingerprints[task.name], outputs)

        # planning verified the digests of every checkpoint it chose to load
        loaders = {
            n: functools.partial(store.load, n, plan.fingerprints[n], verified=True) for n in loads
        }
        reused = [self.spec.task(n) for n in plan.named(SKIP)]
        return run_graph(
            self.spec,
            graph,
            self.classes,
            self.plugins,
            workers,
            keep_going,
            cancel,
            loaders,
            save,
            reused,
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
            )
        except MissingCheckpointError as exc:
            raise SelectionError(str(exc)) from exc

    def __repr__(self) -> str:
        return (
            f"<Workflow {self.spec.name!r} from {self.spec.source}: {len(self.spec.tasks)} tasks>"
        )


def load(
    path: str | os.PathLike[str],
    vars: Mapping[str, str] | None = None,
    *,
    plugins: Plugins | None = None,
    environ: Mapping[str, str] | None = None,
) -> Workflow:
    """Read, validate and return the workflow in the YAML file ``path``.

    ``vars`` override variables (like ``--var name=value``); ``environ`` defaults to
    ``os.environ``; ``plugins`` defaults to every installed plugin.
    """
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DefinitionError(
            [Problem("no-file", f"no such file: {source}", "check the path")], source
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(
            [Problem("no-file", f"cannot read {source}: {exc}", "save it as a UTF-8 text file")],
            source,
        ) from exc
    return loads(text, vars, source=source, plugins=plugins, environ=environ)


def loads(
    text: str,
    vars: Mapping[str, str] | None = None,
    *,
    source: str = "<string>",
    plugins: Plugins | None = None,
    environ: Mapping[str, str] | None = None,
) -> Workflow:
    """Like :func:`load`, from YAML text; ``source`` names it in messages."""
    with _gc_paused():
        return _loads(text, vars or {}, source, plugins, os.environ if environ is None else environ)


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
    overrides: Mapping[str, str],
    source: str,
    plugins: Plugins | None,
    environ: Mapping[str, str],
) -> Workflow:
    root = compose(text, source)
    problems: list[Problem] = []
    reader = NodeReader(source, len(text), problems)
    if root is not None and "!" in text:  # no '!' in the text, no explicit tag anywhere
        scan_tags(root, reader)
    try:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        spec = parse_spec(root, reader, overrides, environ, digest)
    except ExpansionLimitError as exc:
        raise DefinitionError(
            [
                Problem(
                    "alias-bomb",
                    "YAML aliases expand to far more data than the file holds "
                    "(a recursive alias or an 'alias bomb')",
                    "use fewer nested aliases (*name); write the values out",
                    location=location_of(source, exc.node),
                )
            ],
            source,
        ) from None
    if spec is None:
        raise DefinitionError(problems, source)

    graph, graph_problems = build_graph(spec.tasks)
    problems.extend(graph_problems)
    plugins = plugins if plugins is not None else load_plugins()
    classes = _check_components(spec, plugins, problems)

    if problems:
        assert root is not None
        located = [
            p
            if p.location is not None or not p.path
            else replace(p, location=location_of(source, node_at(root, p.path)))
            for p in problems
        ]
        raise DefinitionError(located, source)
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
    return Problem("unknown-component", f"unknown component '{name}'", text, task, at)

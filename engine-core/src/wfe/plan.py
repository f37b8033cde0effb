"""The plan of a run with checkpoints: what happens to each task, and why.

Each task of the slice is ``run``, or reused: ``load`` its checkpoint (a running task
reads its outputs, or they are results of the run) or ``skip`` it (nothing needs its
outputs). A task outside the slice whose outputs a running task reads is loaded; if it
has no usable checkpoint the plan fails and names it.

With ``resume``, a task is reused when a complete checkpoint of its fingerprint exists,
its target (for a writer) still holds what it wrote, and, when its outputs are
needed, every file's digest matches; otherwise it runs. Planning happens on the client,
before the run, in one pass from the last task to the first (a task's mode depends only
on the modes of the tasks that read it): linear in tasks and edges. Only the checkpoints
that will be loaded are read in full.

With ``explain``, each task that runs says why: the parameter, input, code or data that
changed since its latest checkpoint (the identity documents are compared), a target
that is gone, a damaged checkpoint, or no checkpoint at all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from wfe.checkpoints import CheckpointStore
from wfe.datastate import state_change
from wfe.fingerprint import Fingerprint
from wfe.graph import Graph

__all__ = ["LOAD", "RUN", "SKIP", "MissingCheckpointError", "Plan", "plan_run"]

RUN, LOAD, SKIP = "run", "load", "skip"  # plan modes; LOAD and SKIP reuse a checkpoint


@dataclass(frozen=True)
class Plan:
    """What a run does with each task (``modes``; tasks outside the slice that nothing
    needs are absent), under which fingerprint, and why (``reasons``)."""

    modes: dict[str, str]
    fingerprints: dict[str, Fingerprint]
    reasons: dict[str, str] = field(default_factory=dict)

    def named(self, mode: str) -> list[str]:
        return [name for name, m in self.modes.items() if m == mode]


class MissingCheckpointError(LookupError):
    """A slice needs outputs of a task that has no usable checkpoint."""


def plan_run(
    graph: Graph,
    prints: Mapping[str, Fingerprint],
    store: CheckpointStore,
    selected: set[str],
    resume: bool,
    explain: bool = False,
    keep: Collection[str] = (),
) -> Plan:
    """Decide each task's mode (see the module docstring). ``selected`` tasks run unless
    ``resume`` can reuse them; ``explain`` compares each one that runs with its latest
    checkpoint to say what changed (it reads that checkpoint's manifest). ``keep`` names
    outputs the caller wants back: like the workflow's results, a reused task that makes
    one is loaded."""
    store.check_root()
    order = graph.order()
    readers: dict[str, list[str]] = {name: [] for name in order}
    for task, outputs in graph.consumes.items():
        for output in outputs:
            readers[graph.producers[output]].append(task.name)
    results = graph.results | frozenset(keep)
    modes: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for name in reversed(order):  # readers before the tasks they read
        task, fingerprint = graph.tasks[name], prints[name]
        store.folder(name, fingerprint.digest)  # refuses a name that would leave the store
        needed = any(modes.get(r) == RUN for r in readers[name]) or (
            name in selected and any(o in results for o in task.outputs)
        )
        if name not in selected:
            if needed:
                problem = store.problem(name, fingerprint.digest, verify=True)
                if problem is not None:
                    raise MissingCheckpointError(
                        f"task '{name}' must run first: its outputs are needed and {store.root} "
                        f"has no usable checkpoint of them ({problem}); run it, e.g. with "
                        f"--to {name}, and --checkpoint {store.root}"
                    )
                modes[name], reasons[name] = LOAD, "outside the slice; its outputs are needed"
            continue
        problem = _why_not_reused(store, fingerprint, needed) if resume else "--resume not given"
        if problem is None:
            modes[name] = LOAD if needed else SKIP
            reasons[name] = f"checkpoint {fingerprint.digest[:12]} matches"
            continue
        modes[name] = RUN
        if problem == "no checkpoint" and explain:
            problem = "; ".join(changes(store.latest(name), fingerprint))
        reasons[name] = problem
    return Plan({n: modes[n] for n in order if n in modes}, dict(prints), reasons)


def _why_not_reused(store: CheckpointStore, fingerprint: Fingerprint, needed: bool) -> str | None:
    """Why the task's checkpoint cannot be reused, or None: it is there, its target is
    intact, and (when its outputs are needed) every digest matches."""
    name, digest = fingerprint.task, fingerprint.digest
    problem = store.problem(name, digest)
    if problem is None and fingerprint.target is not None:
        manifest = store.manifest(name, digest) or {}
        problem = _target_problem(fingerprint, manifest.get("target"))
    if problem is None and needed:
        problem = store.problem(name, digest, verify=True)
    return problem


def _target_problem(fingerprint: Fingerprint, recorded: Any) -> str | None:
    assert fingerprint.target is not None
    if not isinstance(recorded, Mapping):
        return "target: nothing was recorded about what the task wrote"
    if "unknown" in recorded:
        return (
            f"target: its state could not be recorded when it was written ({recorded['unknown']})"
        )
    try:
        problem = fingerprint.target.problem(recorded)
    except Exception as exc:  # unreachable database, no credentials, ...
        return f"target: cannot check it ({type(exc).__name__}: {exc})"
    return None if problem is None else f"target: {problem}"


# -- explanations: the latest checkpoint's identity against the current one ---------------


def changes(latest: Mapping[str, Any] | None, fingerprint: Fingerprint) -> list[str]:
    """What differs between the task's latest checkpoint and its current fingerprint,
    one phrase per difference; ``["no checkpoint"]`` when there is none."""
    if latest is None:
        return ["no checkpoint"]
    old = latest.get("identity")
    if not isinstance(old, Mapping):
        return ["no comparable checkpoint (its latest was saved by another wfe version)"]
    new = fingerprint.identity
    old_shown = latest.get("shown") or {}
    found: list[str] = []
    if old.get("component") != new["component"]:
        found.append(f"component changed ('{old.get('component')}' -> '{new['component']}')")
    if old.get("code") != new["code"]:
        found.append("code changed: " + _code_change(old.get("code") or {}, new["code"]))
    for section, word in (("params", "param"), ("literals", "input")):
        found += _value_changes(
            word,
            old.get(section) or {},
            new[section],
            (old_shown.get(section) or {}),
            fingerprint.shown.get(section, {}),
        )
    found += _input_changes(old.get("inputs") or {}, new["inputs"])
    for earlier in sorted(set(old.get("after") or {}) | set(new["after"])):
        if (old.get("after") or {}).get(earlier) != new["after"].get(earlier):
            found.append(f"task '{earlier}' (in after:) changed")
    found += _data_changes(old.get("data") or {}, new["data"])
    return found or ["its identity changed in a way wfe cannot name (compare the manifests)"]


def _code_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    if "code_version" in old or "code_version" in new:
        return f"code_version {old.get('code_version')!r} -> {new.get('code_version')!r}"
    if old.get("version") != new.get("version"):
        return f"{new.get('distribution')} {old.get('version')} -> {new.get('version')}"
    if old.get("function") != new.get("function"):
        return f"function {old.get('function')} -> {new.get('function')}"
    if old.get("source") != new.get("source"):
        where = new.get("distribution") or new.get("module")
        return f"the source of {where} changed"
    if old.get("sha256") != new.get("sha256"):
        return f"module {new.get('module')} changed"
    return "its identity changed"


def _value_changes(
    word: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    old_shown: Mapping[str, Any],
    new_shown: Mapping[str, Any],
) -> list[str]:
    found = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            found.append(f"{word} '{key}' added ({new_shown.get(key, '...')})")
        elif key not in new:
            found.append(f"{word} '{key}' removed (was {old_shown.get(key, '...')})")
        elif old[key] != new[key]:
            before, after = old_shown.get(key), new_shown.get(key)
            shown = f" ({before} -> {after})" if before is not None and before != after else ""
            found.append(f"{word} '{key}' changed{shown}")
    return found


def _input_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    found = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if before is None or after is None:
            found.append(f"input '{key}' {'added' if before is None else 'removed'}")
        elif list(before[:2]) != list(after[:2]):
            found.append(f"input '{key}' now reads '{after[1]}' of task '{after[0]}'")
        else:
            found.append(f"input '{key}': task '{after[0]}' changed")
    return found


def _data_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    if "data_version" in old or "data_version" in new:
        if old.get("data_version") == new.get("data_version"):
            return []
        return [f"data_version {old.get('data_version')!r} -> {new.get('data_version')!r}"]
    found = []
    for location in sorted(set(old) | set(new)):
        if location not in old:
            found.append(f"data: now reads {location}")
        elif location not in new:
            found.append(f"data: no longer reads {location}")
        elif change := state_change(old[location], new[location]):
            found.append(f"data: {location}: {change}")
    return found

"""A task's fingerprint: a hash of everything that produced its result.

A checkpoint is reused only under the same fingerprint, so the fingerprint must change
whenever the result could: when the task's definition, its code, the data it reads,
or anything upstream of it changes. Each task's *identity* is a JSON document:

``component``
    the component's name;
``code``
    its code (:mod:`wfe.sources`): its distribution and version, plus a hash of the
    package's files when that distribution is installed editable or from a local path,
    plus what the component adds (:meth:`wfe.Component.code_identity`;
    ``python_function``: a hash of the function's module file). A ``code_version``
    (the task option, else the component's class attribute) replaces all of it;
``params``, ``literals``
    a digest of each param and literal input (digests, not values: they may hold
    secrets, and the document is stored in the checkpoint's manifest);
``inputs``, ``after``
    the fingerprints of the tasks it reads from or runs after (so a change upstream
    changes everything downstream);
``data``
    the state (:mod:`wfe.datastate`) of every location it reads: those its component
    declares (:meth:`wfe.Component.read_locations`) and those listed in the task's
    ``reads:`` option; or the task's ``data_version`` instead. When wfe cannot tell a
    location's state (or find a function's code without importing it), the identity also
    gets a random ``nonce``: that task never matches an earlier checkpoint and runs every
    time, with everything downstream.

The fingerprint is the first 32 hex digits of the sha256 of the document's canonical
JSON. :func:`fingerprints` computes all of them in one pass in DAG order (linear in
tasks and edges); it probes locations and hashes code on the calling process, so it
belongs to planning, before a run starts.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wfe.datastate import Probe
from wfe.errors import CheckpointError
from wfe.graph import Graph
from wfe.masking import mask_text, mask_value
from wfe.plugins import ComponentRegistry
from wfe.sources import CodeIndex
from wfe.spec import TaskSpec

__all__ = ["Fingerprint", "Target", "fingerprints"]


@dataclass(frozen=True, slots=True)
class Target:
    """What a writer task wrote outside the run: how to record it after the task ran
    (:meth:`state`, where it ran) and how to check it before reusing the task
    (:meth:`problem`, when a run is planned). Picklable: the component class goes by
    reference."""

    component: type
    params: dict[str, Any]
    literals: dict[str, str]

    def state(self) -> Mapping[str, Any] | None:
        state: Mapping[str, Any] | None = self.component.target_state(  # type: ignore[attr-defined]
            self.params, self.literals
        )
        return state

    def problem(self, recorded: Mapping[str, Any]) -> str | None:
        problem: str | None = self.component.target_problem(  # type: ignore[attr-defined]
            self.params, self.literals, recorded
        )
        return problem


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A task's fingerprint (``digest``, the checkpoint's folder name), the identity
    document it hashes (stored in the checkpoint's manifest to explain later changes),
    the task's param values with secrets masked (``shown``, for those explanations)
    and its :class:`Target` when its component writes outside the run. Small and
    picklable: it is what a worker needs to save or load the task's checkpoint."""

    task: str
    digest: str
    identity: dict[str, Any]
    shown: dict[str, Any] = field(default_factory=dict)
    target: Target | None = None


#: canonical JSON: sorted keys, no spaces; values JSON cannot hold (dates) by repr.
#: One encoder for every call (json.dumps would build one per call with these options).
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=repr).encode


def _digest(value: Any) -> str:
    return hashlib.sha256(_canonical(value).encode()).hexdigest()[:16]


def _preview(value: Any, width: int = 60) -> str:
    text = _canonical(mask_value(value))
    return text if len(text) <= width else text[: width - 3] + "..."


def _declares_target(cls: type) -> bool:
    from wfe.component import Component

    method = getattr(cls, "target_state", None)
    if method is None:
        return False
    own = getattr(method, "__func__", None) is not Component.target_state.__func__  # type: ignore[attr-defined]
    return own or bool(getattr(cls, "writes", ()))


class _Identifier:
    """Computes identities for one planning pass (caches code identities and probes)."""

    def __init__(self, registry: ComponentRegistry, classes: Mapping[str, type]) -> None:
        self.registry = registry
        self.classes = classes
        self.code = CodeIndex()
        self.probe = Probe()

    def params_of(self, cls: type, task: TaskSpec) -> dict[str, Any]:
        with_defaults = getattr(cls, "with_defaults", None)
        return dict(task.params) if with_defaults is None else with_defaults(task.params)

    def code_of(self, task: TaskSpec, cls: type, params: Mapping[str, Any]) -> dict[str, Any]:
        version = task.options.get("code_version", getattr(cls, "code_version", None))
        if version is not None:
            return {"code_version": version}
        name = task.component_name
        code = dict(self.code.component(name, self.registry.get(name), cls))
        extra = getattr(cls, "code_identity", None)
        if extra is not None:
            code.update(extra(params))
        return code

    def data_of(self, task: TaskSpec, cls: type, params: Mapping[str, Any]) -> dict[str, Any]:
        options = task.options
        if "data_version" in options:
            return {"data_version": options["data_version"]}
        read_locations = getattr(cls, "read_locations", None)
        locations = list(read_locations(params, task.literals) if read_locations else [])
        extra = options.get("reads") or []
        for location in extra:
            if not isinstance(location, str) or not location:
                raise CheckpointError(
                    f"task '{task.name}': reads: must list locations (paths or URIs such as "
                    f"s3://bucket/key), got {location!r}"
                )
        hashing = options.get("hash_inputs")
        return {
            mask_text(location): self.probe(location, hashing, params)
            for location in [*locations, *extra]
        }


def fingerprints(
    graph: Graph, registry: ComponentRegistry, classes: Mapping[str, type]
) -> dict[str, Fingerprint]:
    """Every task's :class:`Fingerprint`, in one pass in DAG order.

    ``classes`` maps component names to their (already imported) classes, as a loaded
    :class:`wfe.Workflow` holds them; ``registry`` tells their distributions."""
    identifier = _Identifier(registry, classes)
    found: dict[str, Fingerprint] = {}
    producers = graph.producers
    for name in graph.order():
        task = graph.tasks[name]
        cls = classes[task.component_name]
        params = identifier.params_of(cls, task)
        data = identifier.data_of(task, cls, params)
        identity: dict[str, Any] = {
            "component": task.component_name,
            "code": identifier.code_of(task, cls, params),
            "params": {key: _digest(value) for key, value in task.params.items()},
            "literals": {key: _digest(value) for key, value in task.literals.items()},
            "inputs": {
                input_name: [producers[output], output, found[producers[output]].digest]
                for input_name, output in task.inputs.items()
            },
            "after": {earlier: found[earlier].digest for earlier in task.after},
            "data": data,
        }
        code = identity["code"]
        if "unknown" in code or any(
            "unknown" in state for state in data.values() if isinstance(state, Mapping)
        ):
            identity["nonce"] = secrets.token_hex(8)
        shown = {
            "params": {key: _preview(value) for key, value in task.params.items()},
            "literals": {key: _preview(value) for key, value in task.literals.items()},
        }
        target = Target(cls, params, dict(task.literals)) if _declares_target(cls) else None
        digest = hashlib.sha256(_canonical(identity).encode()).hexdigest()[:32]
        found[name] = Fingerprint(name, digest, identity, shown, target)
    return found

"""Checkpoints: task outputs persisted by fingerprint, and the plan of a resumed run.

A task's *fingerprint* is a sha256 of its component's name and distribution version,
its params, its literal inputs and the fingerprints of the outputs it reads, so it
changes exactly when the task, or anything upstream of it, changes. After a task
succeeds its outputs are written to ``DIR/<task>/<fingerprint>/``: DataFrames as
Parquet when pyarrow is installed, anything else with pickle, and a ``manifest.json``
with each file's sha256. The folder is written under a temporary name and renamed
into place, so a checkpoint is complete or absent; a damaged one (a file whose digest
does not match) is ignored and recomputed, never loaded.

Only load checkpoints from a folder you trust: pickle files run code when loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wfe.graph import Graph
from wfe.plugins import ComponentRegistry
from wfe.spec import TaskSpec

__all__ = [
    "LOAD",
    "RUN",
    "SKIP",
    "CheckpointStore",
    "MissingCheckpointError",
    "Plan",
    "fingerprints",
    "plan_run",
]

MANIFEST = "manifest.json"
RUN, LOAD, SKIP = "run", "load", "skip"  # plan modes; LOAD and SKIP reuse a checkpoint


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def fingerprints(
    tasks: Iterable[TaskSpec], graph: Graph, registry: ComponentRegistry
) -> dict[str, str]:
    """Every task's fingerprint (see the module docstring), in one pass in DAG order."""
    by_name = {t.name: t for t in tasks}
    found: dict[str, str] = {}
    for name in graph.order():
        task = by_name[name]
        ref = registry.get(task.component_name)
        upstream = {
            input_name: f"{found[graph.producers[output]]}:{output}"
            for input_name, output in task.inputs.items()
        }
        identity = {
            "component": task.component_name,
            "distribution": [ref.distribution, ref.version] if ref else None,
            "params": task.params,
            "literals": task.literals,
            "inputs": upstream,
            "after": sorted(found[a] for a in task.after),
        }
        text = json.dumps(identity, sort_keys=True, default=repr)
        found[name] = hashlib.sha256(text.encode()).hexdigest()[:32]
    return found


class CheckpointStore:
    """Task outputs on disk, one folder per task and fingerprint."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def folder(self, task: str, fingerprint: str) -> Path:
        return self.root / task / fingerprint

    def _manifest(self, task: str, fingerprint: str) -> dict[str, Any] | None:
        try:
            manifest = json.loads((self.folder(task, fingerprint) / MANIFEST).read_text())
        except (OSError, ValueError):
            return None
        return (
            manifest
            if isinstance(manifest, dict) and manifest.get("fingerprint") == fingerprint
            else None
        )

    def exists(self, task: str, fingerprint: str, verify: bool = False) -> bool:
        """A complete checkpoint is there; with ``verify``, every file's digest matches."""
        manifest = self._manifest(task, fingerprint)
        if manifest is None:
            return False
        folder = self.folder(task, fingerprint)
        for entry in manifest["outputs"].values():
            path = folder / entry["file"]
            if not path.is_file() or path.stat().st_size != entry["bytes"]:
                return False
            if verify and _digest(path) != entry["sha256"]:
                return False
        return True

    def save(self, task: str, fingerprint: str, outputs: Mapping[str, Any]) -> None:
        """Write the outputs under a temporary name, then rename the folder into place."""
        final = self.folder(task, fingerprint)
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{fingerprint}.", dir=final.parent))
        try:
            entries = {}
            for number, (name, value) in enumerate(outputs.items()):
                entries[name] = _write_value(staging, f"output-{number}", value)
            manifest = {"task": task, "fingerprint": fingerprint, "outputs": entries}
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=2))
            if final.exists():
                shutil.rmtree(final)  # a damaged earlier copy
            os.replace(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def load(self, task: str, fingerprint: str, verified: bool = False) -> dict[str, Any]:
        """The outputs, each file's digest checked before it is read (unless the caller
        has just ``verified`` them, as planning does)."""
        manifest = self._manifest(task, fingerprint)
        if manifest is None:
            raise FileNotFoundError(f"no checkpoint for task '{task}' in {self.root}")
        folder = self.folder(task, fingerprint)
        outputs = {}
        for name, entry in manifest["outputs"].items():
            path = folder / entry["file"]
            if not verified and _digest(path) != entry["sha256"]:
                raise ValueError(f"checkpoint file {path} is damaged (its sha256 does not match)")
            outputs[name] = _read_value(path, entry["format"])
        return outputs


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "to_parquet")


def _parquet_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def _write_value(folder: Path, stem: str, value: Any) -> dict[str, Any]:
    if _is_frame(value) and _parquet_available():
        path, kind = folder / f"{stem}.parquet", "parquet"
        value.to_parquet(path)
    else:
        path, kind = folder / f"{stem}.pkl", "pickle"
        with path.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "file": path.name,
        "format": kind,
        "bytes": path.stat().st_size,
        "sha256": _digest(path),
    }


def _read_value(path: Path, kind: str) -> Any:
    if kind == "parquet":
        import pandas as pd

        return pd.read_parquet(path)
    with path.open("rb") as handle:
        return pickle.load(handle)  # our own file; its digest was checked first


@dataclass(frozen=True)
class Plan:
    """What a run does with each task: ``run`` it, ``load`` its checkpoint (its outputs
    are needed), or ``skip`` it (checkpointed and not needed). Tasks outside a slice
    are absent."""

    modes: dict[str, str]
    fingerprints: dict[str, str]

    def named(self, mode: str) -> list[str]:
        return [name for name, m in self.modes.items() if m == mode]


class MissingCheckpointError(LookupError):
    """A slice needs outputs of a task that has no checkpoint."""


def plan_run(
    graph: Graph,
    prints: Mapping[str, str],
    store: CheckpointStore,
    selected: set[str],
    resume: bool,
) -> Plan:
    """Decide each task's mode. ``selected`` tasks run unless ``resume`` finds their
    checkpoint; tasks outside it are loaded when a running task reads their outputs."""
    order = graph.order()
    consumers: dict[str, set[str]] = {name: set() for name in order}
    for task, upstream in graph.dependencies.items():
        for producer in upstream:
            consumers[producer.name].add(task.name)
    valid = {
        name: store.exists(name, prints[name]) if (resume or name not in selected) else False
        for name in order
    }
    while True:
        modes: dict[str, str] = {}
        for name in reversed(order):  # consumers before producers
            runs_after = any(modes.get(c) == RUN for c in consumers[name])
            if name in selected and not valid[name]:
                modes[name] = RUN
            elif runs_after or (
                name in selected and graph.tasks[name].outputs and not consumers[name]
            ):
                modes[name] = LOAD  # a running task reads it, or it is a result of the run
            elif name in selected:
                modes[name] = SKIP
        for name in order:
            if modes.get(name) == LOAD and not valid[name]:
                raise MissingCheckpointError(
                    f"task '{name}' must run first: its outputs are needed and {store.root} has no "
                    f"checkpoint of them (run it, e.g. with --to {name}, and --checkpoint {store.root})"
                )
        damaged = [
            n for n in order if modes.get(n) == LOAD and not store.exists(n, prints[n], verify=True)
        ]
        if not damaged:
            return Plan({n: modes[n] for n in order if n in modes}, dict(prints))
        for name in damaged:  # ignore it: recompute it when selected, else report it missing
            valid[name] = False

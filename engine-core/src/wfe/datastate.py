"""The state of a location outside the run, so that a fingerprint changes with the data.

A task that reads a file or an object keeps giving the same result only while that
location holds the same data. Its state joins the task's fingerprint (see
:mod:`wfe.fingerprint`), and the state of what a writer wrote is recorded with its
checkpoint and checked before the writer is reused (see :class:`wfe.Component`).

A location is a local path, a ``file://`` URI or a URI with another scheme:

* **local files** are built in: their size and the sha256 of their content, for files
  up to :data:`HASH_LIMIT` (256 MiB) or when hashing is asked for (``hash_inputs:
  true``); bigger files (or ``hash_inputs: false``) by size, modification time
  (``mtime_ns``) and inode, which is cheap but misses a same-size rewrite that keeps
  the modification time;
* **other schemes** are probed by functions that installed distributions declare in the
  entry point group ``wfe.location_probes``, named by the scheme (components-io declares
  ``s3``: the object's ETag, VersionId and size from one ``HEAD`` request). A probe is
  ``probe(location, hash_contents, params) -> dict``; ``params`` are the task's params,
  for settings such as an S3 endpoint.

A state is a JSON-able mapping. Two shapes are special: ``{"missing": true}`` (nothing
there; the task will fail or create it) and ``{"unknown": "why"}``: wfe cannot tell
whether the data changed (no probe for the scheme, or the probe failed), so the task
cannot be reused and runs every time, with everything downstream of it.
"""

from __future__ import annotations

import functools
import hashlib
import mmap
import os
from collections.abc import Callable, Mapping
from typing import Any

from wfe.spec import is_literal_location

__all__ = [
    "HASH_LIMIT",
    "PROBE_GROUP",
    "Probe",
    "file_sha256",
    "local_state",
    "state_change",
]

#: local files up to this size are hashed unless a task sets ``hash_inputs: false``
HASH_LIMIT = 256 * 2**20
#: the entry point group of location probes; an entry point's name is its URI scheme
PROBE_GROUP = "wfe.location_probes"

ProbeFunction = Callable[[str, bool | None, Mapping[str, Any]], Mapping[str, Any]]


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file's content, read through a memory map (one pass, no copy)."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return hashlib.sha256().hexdigest()
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return hashlib.sha256(mapped).hexdigest()


def local_state(path: str | os.PathLike[str], hash_contents: bool | None) -> dict[str, Any]:
    """The state of a local file (see the module docstring); a folder is ``unknown``."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return {"missing": True}
    if not os.path.isfile(path):
        return {"unknown": f"{os.fspath(path)} is not a file"}
    if hash_contents or (hash_contents is None and info.st_size <= HASH_LIMIT):
        return {"size": info.st_size, "sha256": file_sha256(path)}
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "inode": info.st_ino}


def _scheme(location: str) -> str | None:
    """``s3`` for ``s3://...``; None for a local path or a ``file://`` URI."""
    if not is_literal_location(location):
        return None
    scheme = location.split("://", 1)[0].lower()
    return None if scheme == "file" else scheme


def _local_path(location: str) -> str:
    return location[len("file://") :] if location.startswith("file://") else location


@functools.cache
def _probe_function(scheme: str) -> ProbeFunction | str:
    """The installed probe for ``scheme``, or why there is none."""
    from importlib.metadata import entry_points

    found = entry_points(group=PROBE_GROUP, name=scheme)
    if not found:
        return f"no location probe for '{scheme}://' is installed"
    entry_point = next(iter(found))
    try:
        function: ProbeFunction = entry_point.load()
    except Exception as exc:  # a broken plugin: every task reading that scheme runs
        return f"the probe for '{scheme}://' ({entry_point.value}) failed to load: {exc}"
    return function


class Probe:
    """Probes locations for one planning pass; each location is probed once per pass."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, bool | None], dict[str, Any]] = {}

    def __call__(
        self, location: str, hash_contents: bool | None, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        key = (location, hash_contents)
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = self._probe(location, hash_contents, params)
        return state

    @staticmethod
    def _probe(
        location: str, hash_contents: bool | None, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        scheme = _scheme(location)
        if scheme is None:
            try:
                return local_state(_local_path(location), hash_contents)
            except OSError as exc:
                return {"unknown": f"cannot read its state: {exc}"}
        function = _probe_function(scheme)
        if isinstance(function, str):
            return {"unknown": function}
        try:
            return dict(function(location, hash_contents, params))
        except Exception as exc:  # unreachable, no credentials, ...: cannot tell
            return {"unknown": f"cannot read its state: {type(exc).__name__}: {exc}"}


def state_change(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> str | None:
    """How a location changed between two states, in a few words ("gone", "content
    changed", ...), or None if it did not."""
    if "unknown" in current:
        return f"cannot tell whether it changed ({current['unknown']})"
    if dict(recorded) == dict(current):
        return None
    if current.get("missing"):
        return "gone"
    if recorded.get("missing"):
        return "appeared"
    if "size" in recorded and "size" in current and recorded["size"] != current["size"]:
        return f"size changed ({recorded['size']} -> {current['size']} bytes)"
    return "content changed"

"""Which installed distributions declare ``wfe.plugins`` entry points, answered fast.

Reading entry points with :mod:`importlib.metadata` costs more than everything else
`wfe components list` does: importing it (with ``email`` and friends) about 10-20 ms,
then opening every installed distribution's metadata, which grows with the number
installed. The answer changes only when something is installed or removed, and every
install or uninstall adds or removes a folder (a ``.dist-info``) in a folder on
``sys.path``, which changes that folder's modification time. So the answer is cached
in ``$XDG_CACHE_HOME/wfe`` (else ``~/.cache/wfe``), keyed by the interpreter,
``sys.path`` and the modification time of every entry on it: any install or uninstall
invalidates it, and a stale answer is never used. ``WFE_NO_DISCOVERY_CACHE=1`` turns the
cache off; an unwritable cache folder just means no cache.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from typing import Any, NamedTuple

__all__ = ["GROUP", "EntryPoint", "installed_entry_points"]

GROUP = "wfe.plugins"
_FORMAT = 1  # bump when the cache's shape changes


class EntryPoint(NamedTuple):  # a NamedTuple: cheaper to define than a dataclass, at start-up
    """One ``wfe.plugins`` entry point: its name, ``module:attribute`` value, and the
    distribution (name, version) that declares it."""

    name: str
    value: str
    distribution: str
    version: str

    def load(self) -> Any:
        """Import the plugin object the entry point names."""
        import importlib

        module, _, attribute = self.value.partition(":")
        target: Any = importlib.import_module(module.strip())
        for part in attribute.strip().split(".") if attribute.strip() else ():
            target = getattr(target, part)
        return target


def _scan() -> list[EntryPoint]:
    from importlib.metadata import entry_points

    found = []
    for entry_point in entry_points(group=GROUP):
        dist = entry_point.dist
        found.append(
            EntryPoint(
                entry_point.name,
                entry_point.value,
                dist.name if dist is not None else "?",
                dist.version if dist is not None else "?",
            )
        )
    return found


def _state() -> list[Any]:
    """What the answer depends on: the interpreter, and each sys.path entry with its
    modification time (None when it does not exist)."""
    state: list[Any] = [_FORMAT, sys.executable]
    for entry in sys.path:
        try:
            stamp: int | None = os.stat(entry or ".").st_mtime_ns
        except OSError:
            stamp = None
        state.append([entry, stamp])
    return state


def _cache_file() -> str:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # Names the environment only (the state inside decides); a clash costs a rescan.
    environment = repr((sys.executable, sys.path)).encode()
    name = f"{zlib.crc32(environment):08x}"
    return os.path.join(root, "wfe", f"entry-points-{name}.json")


def installed_entry_points() -> list[EntryPoint]:
    """Every installed ``wfe.plugins`` entry point (from the cache when it is current)."""
    if os.environ.get("WFE_NO_DISCOVERY_CACHE", "").strip() in {"1", "true", "yes", "on"}:
        return _scan()
    state = _state()
    path = _cache_file()
    try:
        with open(path, encoding="utf-8") as handle:
            cached = json.load(handle)
        if cached["state"] == state:
            return [EntryPoint(*row) for row in cached["entry_points"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache yet, or damaged: scan
    found = _scan()
    _save(path, state, found)
    return found


def _save(path: str, state: list[Any], found: list[EntryPoint]) -> None:
    from wfe.atomicfile import atomic_write  # only when the cache is written

    rows = [[e.name, e.value, e.distribution, e.version] for e in found]
    try:
        with atomic_write(path, "w", encoding="utf-8") as handle:  # old cache or new, never half
            json.dump({"state": state, "entry_points": rows}, handle)
    except OSError:
        return  # a read-only home: no cache, the scan still answered

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

The cache is a small text file read without :mod:`json` (whose import alone costs about
a millisecond of start-up): its first line is the ``repr`` of that state, compared as a
string; each further line is one entry point, its four fields separated by tabs.
"""

from __future__ import annotations

import os
import sys
import zlib
from typing import Any, NamedTuple

__all__ = ["GROUP", "EntryPoint", "installed_entry_points"]

GROUP = "wfe.plugins"
_FORMAT = 2  # bump when the cache's shape changes
_UNSAFE = ("\t", "\n", "\r")  # a field holding one of these is not cached (never seen)


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
    return os.path.join(root, "wfe", f"entry-points-{name}.txt")


def installed_entry_points() -> list[EntryPoint]:
    """Every installed ``wfe.plugins`` entry point (from the cache when it is current)."""
    if os.environ.get("WFE_NO_DISCOVERY_CACHE", "").strip() in {"1", "true", "yes", "on"}:
        return _scan()
    state = repr(_state())
    path = _cache_file()
    cached = _read(path, state)
    if cached is not None:
        return cached
    found = _scan()
    _save(path, state, found)
    return found


def _read(path: str, state: str) -> list[EntryPoint] | None:
    """The cached entry points if the cache was written in ``state``; else None (no
    cache yet, a stale one, or a damaged one: scan)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            lines = handle.read().split("\n")
    except (OSError, ValueError):
        return None
    if lines[0] != state or lines[-1] != "":
        return None  # written in another state, or cut short
    rows = [line.split("\t") for line in lines[1:-1]]
    if any(len(row) != len(EntryPoint._fields) for row in rows):
        return None
    return [EntryPoint(*row) for row in rows]


def _save(path: str, state: str, found: list[EntryPoint]) -> None:
    if any(mark in field for entry in found for field in entry for mark in _UNSAFE):
        return  # cannot be written as one line per entry point: scan every time
    from wfe.atomicfile import atomic_write  # only when the cache is written

    text = "".join(f"{line}\n" for line in [state, *("\t".join(e) for e in found)])
    try:
        with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)  # the old cache or the new one, never half of one
    except OSError:
        return  # a read-only home: no cache, the scan still answered

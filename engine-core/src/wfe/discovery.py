"""Which installed distributions declare ``wfe.plugins`` entry points, answered fast.

Reading entry points with :mod:`importlib.metadata` costs more than everything else
`wfe components list` does: importing it (with ``email`` and friends) about 10-20 ms,
then opening every installed distribution's metadata, which grows with the number
installed. The answer changes only when something is installed or removed, and every
install or uninstall adds or removes a folder (a ``.dist-info``) in a folder on
``sys.path``, which changes that folder's modification time. So the answer is
remembered (:mod:`wfe.memofiles`, in ``$XDG_CACHE_HOME/wfe`` else ``~/.cache/wfe``) for
the interpreter and its ``sys.path``, stamped with the modification time of every entry
on it: any install or uninstall invalidates it, and a stale answer is never used.
``WFE_NO_DISCOVERY_CACHE=1`` turns the cache off; an unwritable cache folder just means
no cache.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NamedTuple

from wfe import memofiles
from wfe.envflags import is_on

__all__ = ["GROUP", "EntryPoint", "installed_entry_points"]

GROUP = "wfe.plugins"


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


def _stamp() -> tuple[int | None, ...]:
    """What the answer depends on besides the interpreter and ``sys.path`` themselves:
    the modification time of each entry (None when it does not exist)."""
    stamps: list[int | None] = []
    for entry in sys.path:
        try:
            stamps.append(os.stat(entry or ".").st_mtime_ns)
        except OSError:
            stamps.append(None)
    return tuple(stamps)


def installed_entry_points() -> list[EntryPoint]:
    """Every installed ``wfe.plugins`` entry point (from the cache when it is current)."""
    if is_on(os.environ.get("WFE_NO_DISCOVERY_CACHE")):
        return _scan()
    subject, stamp = (sys.executable, tuple(sys.path)), _stamp()
    cached = memofiles.recall(_MEMO_FOLDER, subject, stamp)
    if isinstance(cached, tuple) and all(
        isinstance(row, tuple) and len(row) == len(EntryPoint._fields) for row in cached
    ):
        return [EntryPoint(*row) for row in cached]
    found = _scan()
    memofiles.remember(_MEMO_FOLDER, subject, stamp, tuple(tuple(e) for e in found))
    return found


#: where the answer is remembered (see wfe.memofiles)
_MEMO_FOLDER = "entry-points"

"""Small answers remembered across processes: one file per subject in wfe's cache folder.

For what is slow to compute, cheap to store and fully determined by what it is about:
which installed distributions declare plugins (:mod:`wfe.discovery`: reading them costs
10-20 ms of start-up), what a module's source says (:mod:`wfe.pysource`: parsing a
module of a few hundred lines costs about 3 ms of the first workflow load). Each answer
is stored for a *subject* (which file it goes to: a module's path, an interpreter's
``sys.path``) with a *stamp*: everything the answer depends on (modification times,
sizes). Both are kept in the file and compared whole, so an answer written under
another stamp, another format or another Python is never used; a new answer for the
same subject replaces the old file. Values are plain data (tuples, strings, numbers,
frozensets, dicts of those), stored with :mod:`marshal`: no import cost, no code runs
when it is read, as for Python's own ``.pyc`` files. A folder keeps at most
:data:`MAX_FILES` files (the least recently written go first), so subjects that come
and go (temporary folders) cannot fill the disk. A damaged or unreadable file is
ignored, and an unwritable folder only means nothing is remembered.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from typing import Any

__all__ = ["MAX_FILES", "recall", "remember"]

#: files kept per folder; more are pruned, the least recently written first
MAX_FILES = 256
_FORMAT = (1, sys.version_info[:2])  # this layout, this Python
_MAX_BYTES = 4 * 1024 * 1024

Key = tuple[Any, ...]


def _path(folder: str, subject: Key) -> str:
    """``$XDG_CACHE_HOME/wfe/FOLDER/...`` (else ``~/.cache/wfe/...``), named by the
    subject; the subject stored inside decides (a clash of names costs a recompute)."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = f"{zlib.crc32(repr(subject).encode()):08x}.marshal"
    return os.path.join(root, "wfe", folder, name)


def recall(folder: str, subject: Key, stamp: Key) -> Any:
    """The value remembered in ``folder`` for ``subject`` under ``stamp``, or None."""
    try:
        with open(_path(folder, subject), "rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
        stored = marshal.loads(data) if len(data) <= _MAX_BYTES else None
    except (OSError, EOFError, ValueError, TypeError):  # none yet; damaged
        return None
    if type(stored) is tuple and len(stored) == 4 and stored[:3] == (_FORMAT, subject, stamp):
        return stored[3]
    return None


def remember(folder: str, subject: Key, stamp: Key, value: Any) -> None:
    """Keep ``value`` for ``subject`` under ``stamp`` (best effort: never raises for the
    disk, and a value :mod:`marshal` cannot store is simply not kept)."""
    from wfe.atomicfile import atomic_write  # only when something is new

    path = _path(folder, subject)
    try:
        data = marshal.dumps((_FORMAT, subject, stamp, value))
        with atomic_write(path, "wb", durable=False) as handle:
            handle.write(data)  # the old file or the new one, never half of one
    except (OSError, ValueError):
        return
    _prune(os.path.dirname(path))


def _prune(folder: str) -> None:
    """Keep at most MAX_FILES files: drop the least recently written down to 3/4 of it."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".marshal")]
        if len(entries) <= MAX_FILES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns)
        for entry in entries[: len(entries) - MAX_FILES * 3 // 4]:
            os.unlink(entry.path)
    except OSError:  # pruned by another process meanwhile
        return

"""Files that appear complete or not at all, and stay that way after a crash.

One helper for every file wfe or a component writes in place of an older one (run
records, checkpoint manifests, CSV and model files)::

    from wfe.atomicfile import atomic_write

    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(text)

The data goes to a temporary file in the same folder (so the rename cannot cross file
systems), which is flushed and ``fsync``-ed, then renamed over ``path`` in one step;
then the folder is ``fsync``-ed so that the rename itself is on disk. Readers see the
old file or the new one, never a mix, and after a power cut ``path`` holds one of the
two, not a truncated file whose rename reached the disk before its data. If the block
raises, the temporary file is removed and ``path`` is untouched.

Folders are published the same way by :func:`fsync_folder` before and after their
rename (see :mod:`wfe.checkpoints`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "fsync_folder", "make_folders"]

_MODES = ("w", "wb")


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make the entries of ``folder`` (files created, renamed or removed in it) durable.

    A no-op where folders cannot be opened (Windows), where rename is durable anyway.
    """
    if os.name == "nt":  # pragma: no cover - the tests run on Linux
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_folders(folder: str | os.PathLike[str]) -> None:
    """``mkdir -p folder``, with each new folder's entry made durable in its parent."""
    path = Path(folder)
    missing: list[Path] = []
    while not path.is_dir():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for new in reversed(missing):
        try:
            new.mkdir()
        except FileExistsError:
            if not new.is_dir():
                raise
            continue  # made by someone else meanwhile: they make it durable
        fsync_folder(new.parent)


def _temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new, exclusively created file next to the target, with the usual permissions
    (``tempfile`` would make it readable by its owner only)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        path = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


@contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "wb",
    *,
    encoding: str | None = None,
    newline: str | None = None,
    durable: bool = True,
) -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary file that replaces it only when the block
    succeeds (see the module docstring). ``mode`` is ``"wb"`` or ``"w"`` (text, with
    ``encoding`` and ``newline`` as for :func:`open`); missing folders are created.

    ``durable=False`` skips the ``fsync`` calls, for caches: readers still never see
    half a file, but after a power cut the file may be empty or damaged, which a cache
    detects and recomputes (an ``fsync`` costs milliseconds, more than a cache saves)."""
    if mode not in _MODES:
        raise ValueError(
            f"atomic_write writes a whole new file: mode must be 'w' or 'wb', got {mode!r}"
        )
    if mode == "wb" and (encoding is not None or newline is not None):
        raise ValueError("atomic_write: encoding and newline apply to text mode ('w') only")
    target = Path(path)
    if not target.name or target.name in {".", ".."}:
        raise ValueError(f"atomic_write needs a file name, got {os.fspath(path)!r}")
    make_folders(target.parent)
    fd, temporary = _temporary(target.parent, target.name)
    try:
        with open(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        fsync_folder(target.parent)

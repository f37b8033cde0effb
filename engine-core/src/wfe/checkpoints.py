"""The checkpoint store: task outputs on disk, by task and fingerprint.

Layout::

    DIR/<task>/<fingerprint>/manifest.json      what is stored, and why
    DIR/<task>/<fingerprint>/output-0.arrow     a DataFrame (Arrow IPC), or
    DIR/<task>/<fingerprint>/output-1.pkl       anything else (pickle)

(formats: :mod:`wfe.checkpoint_files`). The manifest holds each output's file,
format, size and digest; the fingerprint's identity document (:mod:`wfe.fingerprint`),
so that a later plan can say *what* changed; the state of what the task wrote outside
the run, when it does; and when it was saved.

**Complete or absent, and durable.** A checkpoint is written into a private temporary
folder beside its final place (``.<fingerprint>.<random>.tmp``); each file is fsynced,
then the folder; it is renamed into place and the parent folder is fsynced.

**Concurrent runs may share a folder.** Linux refuses to rename a folder over a
non-empty one, so a save that finds a checkpoint already in place keeps it if it is
intact (every digest matches), discards its own copy and only refreshes the record of
the task's target; a damaged one is first moved aside (``.<fingerprint>.<random>.trash``)
and then deleted. Removals (``clear``, ``prune``) move aside too, so a reader sees a
whole checkpoint or none.

**Paths stay inside the folder.** Every path the store builds is ``root/<task>`` or
``root/<task>/<fingerprint>``, and it checks that a task name is one plain path
component (not empty, ``.`` or ``..``; no ``/``, ``\\``, NUL, nor ``:`` on Windows) and a
fingerprint 32 hex digits, so the path is inside the root by construction; anything
else raises :class:`wfe.errors.CheckpointError` before a byte is written. (A symbolic
link that someone puts inside the folder is followed, as for any folder.)

The store holds nothing but its root, so it pickles to a worker process and back.
Only load checkpoints from a folder you trust: a pickle runs code when loaded.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wfe.atomicfile import atomic_write, fsync_folder, make_folders
from wfe.checkpoint_files import file_problem, read_output, write_output
from wfe.errors import CheckpointError
from wfe.suggest import did_you_mean

if TYPE_CHECKING:
    from wfe.fingerprint import Fingerprint

__all__ = ["MANIFEST", "CheckpointStore", "Entry", "Saved"]

MANIFEST = "manifest.json"
#: the manifest layout this version writes and loads
FORMAT = 2
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")
#: temporary folders of saves older than this are crashed saves; prune removes them
_STALE_TEMPORARY = 24 * 3600.0
#: a save places its checkpoint, keeps an intact one or moves a damaged one aside per try
_PUBLISH_TRIES = 8


@dataclass(frozen=True, slots=True)
class Saved:
    """What :meth:`CheckpointStore.save` did: small and picklable, for a worker to send
    back. ``kept_existing``: an intact checkpoint was already in place and was kept."""

    task: str
    fingerprint: str
    bytes: int
    kept_existing: bool


@dataclass(frozen=True, slots=True)
class Entry:
    """One folder under a task's folder: a checkpoint (``complete`` or not) or the
    ``temporary`` folder of a save that is running or crashed."""

    task: str
    fingerprint: str
    bytes: int
    #: when it was saved (seconds since the epoch)
    saved: float
    state: str


_UNSAFE = re.compile(r"[/\\\0:]" if os.name == "nt" else r"[/\\\0]")


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or name in {"", ".", ".."} or _UNSAFE.search(name):
        raise CheckpointError(
            f"{what} {name!r} cannot name a checkpoint folder: it must be one plain path "
            "component (no '/' or '\\', not '.' or '..')"
        )


def _manifest_of(folder: Path, task: str, fingerprint: str) -> dict[str, Any] | None:
    """The manifest of a complete checkpoint in ``folder``: readable, of this task,
    fingerprint and format, with every output file present at its recorded size."""
    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
        if (
            manifest.get("format") != FORMAT
            or manifest.get("task") != task
            or manifest.get("fingerprint") != fingerprint
        ):
            return None
        for entry in manifest["outputs"].values():
            if (folder / entry["file"]).stat().st_size != entry["bytes"]:
                return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _damage(folder: Path, manifest: Mapping[str, Any]) -> str | None:
    """Why a file of this checkpoint does not match its digest, or None."""
    for entry in manifest["outputs"].values():
        damage = file_problem(folder / entry["file"], entry)
        if damage:
            return f"its checkpoint is damaged ({entry['file']}: {damage})"
    return None


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new private folder for one save, with the usual permissions (``tempfile``
    would make it, and so the checkpoint, readable by its owner only)."""
    while True:
        path = parent / f".{prefix}.{secrets.token_hex(6)}.tmp"
        try:
            path.mkdir()
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        return path


def _size(folder: Path) -> int:
    try:
        return sum(e.stat().st_size for e in os.scandir(folder) if e.is_file())
    except OSError:
        return 0


class CheckpointStore:
    """Task outputs on disk under ``root`` (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"CheckpointStore({os.fspath(self.root)!r})"

    # -- paths ----------------------------------------------------------------------

    def check_root(self) -> None:
        """Refuse a root that exists but is not a folder, before anything runs."""
        if self.root.exists() and not self.root.is_dir():
            raise CheckpointError(f"the checkpoint folder {self.root} is a file, not a folder")

    def folder(self, task: str, fingerprint: str | None = None) -> Path:
        """The folder of ``task`` (and of one of its fingerprints), inside the root by
        construction (see the module docstring); :class:`CheckpointError` otherwise."""
        _check_name(task, "task name")
        if fingerprint is None:
            return self.root / task
        if not isinstance(fingerprint, str) or not _FINGERPRINT.fullmatch(fingerprint):
            raise CheckpointError(f"{fingerprint!r} is not a fingerprint (32 hex digits)")
        return self.root / task / fingerprint

    # -- reading --------------------------------------------------------------------

    def manifest(self, task: str, fingerprint: str) -> dict[str, Any] | None:
        """The manifest of the complete checkpoint of ``task`` under ``fingerprint``,
        or None (absent, partial, or written by an incompatible wfe)."""
        return _manifest_of(self.folder(task, fingerprint), task, fingerprint)

    def problem(self, task: str, fingerprint: str, verify: bool = False) -> str | None:
        """Why that checkpoint cannot be loaded (None if it can); ``verify`` reads every
        file and checks its digest, not just that it is there at its recorded size."""
        folder = self.folder(task, fingerprint)
        manifest = _manifest_of(folder, task, fingerprint)
        if manifest is None:
            if not folder.exists():
                return "no checkpoint"
            return "its checkpoint is incomplete or unreadable"
        return _damage(folder, manifest) if verify else None

    def load(
        self, task: str, fingerprint: Fingerprint | str, verified: bool = False
    ) -> dict[str, Any]:
        """The outputs ``task`` saved under ``fingerprint`` (its :class:`Fingerprint` or
        just the digest). Each file's digest is checked before it is read, unless the
        caller has just ``verified`` the checkpoint (planning does)."""
        digest = fingerprint if isinstance(fingerprint, str) else fingerprint.digest
        folder = self.folder(task, digest)
        manifest = _manifest_of(folder, task, digest)
        if manifest is None:
            raise FileNotFoundError(f"no complete checkpoint of task '{task}' at {folder}")
        return {
            name: read_output(folder / entry["file"], entry, verify=not verified)
            for name, entry in manifest["outputs"].items()
        }

    def latest(self, task: str) -> dict[str, Any] | None:
        """The manifest of the newest complete checkpoint of ``task``, or None."""
        newest: dict[str, Any] | None = None
        for fingerprint in self._fingerprints(task):
            manifest = _manifest_of(self.folder(task, fingerprint), task, fingerprint)
            if manifest is not None and (
                newest is None or manifest.get("saved", 0) > newest.get("saved", 0)
            ):
                newest = manifest
        return newest

    def _fingerprints(self, task: str) -> Iterator[str]:
        try:
            names = os.listdir(self.folder(task))
        except (FileNotFoundError, NotADirectoryError):
            return
        yield from (n for n in names if _FINGERPRINT.fullmatch(n))

    # -- writing --------------------------------------------------------------------

    def save(self, task: str, fingerprint: Fingerprint, outputs: Mapping[str, Any]) -> Saved:
        """Store ``task``'s outputs under its fingerprint (see the module docstring),
        with the state of its target when it writes outside the run. Call it where the
        task ran, right after it succeeded."""
        if fingerprint.task != task:
            raise CheckpointError(
                f"the fingerprint of task '{fingerprint.task}' cannot save task '{task}'"
            )
        digest = fingerprint.digest
        final = self.folder(task, digest)
        target = _target_state(fingerprint)
        if (kept := self._keep_intact(final, task, digest, target)) is not None:
            return kept
        make_folders(final.parent)
        staging = _new_folder(final.parent, digest)
        try:
            entries = {
                name: write_output(staging, f"output-{number}", value)
                for number, (name, value) in enumerate(outputs.items())
            }
            manifest = {
                "format": FORMAT,
                "task": task,
                "fingerprint": digest,
                "saved": time.time(),
                "identity": fingerprint.identity,
                "shown": fingerprint.shown,
                "outputs": entries,
                "target": target,
            }
            with (staging / MANIFEST).open("x", encoding="utf-8") as handle:
                handle.write(json.dumps(manifest, indent=1, sort_keys=True, default=repr))
                handle.flush()
                os.fsync(handle.fileno())
            fsync_folder(staging)
            size = sum(entry["bytes"] for entry in entries.values())
            return self._publish(staging, final, Saved(task, digest, size, False), target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def _keep_intact(
        self, final: Path, task: str, digest: str, target: Mapping[str, Any] | None
    ) -> Saved | None:
        """When an intact checkpoint is in place: keep it (refreshing the record of the
        target, which the task has just written again) and say so."""
        manifest = _manifest_of(final, task, digest)
        if manifest is None or _damage(final, manifest) is not None:
            return None
        if manifest.get("target") != target:
            with atomic_write(final / MANIFEST, "w", encoding="utf-8") as handle:
                handle.write(json.dumps({**manifest, "target": target}, indent=1, sort_keys=True))
        size = sum(entry["bytes"] for entry in manifest["outputs"].values())
        return Saved(task, digest, size, True)

    def _publish(
        self, staging: Path, final: Path, saved: Saved, target: Mapping[str, Any] | None
    ) -> Saved:
        for _ in range(_PUBLISH_TRIES):
            try:
                os.rename(staging, final)
            except OSError as exc:
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                    raise
            else:
                fsync_folder(final.parent)
                return saved
            kept = self._keep_intact(final, saved.task, saved.fingerprint, target)
            if kept is not None:  # another run saved the same fingerprint first
                shutil.rmtree(staging, ignore_errors=True)
                return kept
            self._discard(final)  # damaged: move it aside, then try again
        raise CheckpointError(
            f"could not place the checkpoint of task '{saved.task}' at {final}: other "
            f"processes kept replacing it ({_PUBLISH_TRIES} tries)"
        )

    def _discard(self, path: Path) -> bool:
        """Move ``path`` aside in one rename, then delete it; False if it was gone."""
        trash = path.parent / f".{path.name}.{secrets.token_hex(6)}.trash"
        try:
            os.rename(path, trash)
        except FileNotFoundError:
            return False
        if trash.is_dir():
            shutil.rmtree(trash, ignore_errors=True)
        else:
            trash.unlink(missing_ok=True)
        fsync_folder(path.parent)
        return True

    # -- housekeeping (wfe checkpoints list|clear|prune) ------------------------------

    def entries(self) -> list[Entry]:
        """Every checkpoint and temporary folder, by task name then age (newest first)."""
        found: list[Entry] = []
        self.check_root()
        try:
            tasks = sorted(os.listdir(self.root))
        except FileNotFoundError:
            return found
        for task in tasks:
            try:
                task_folder = self.folder(task)
                names = os.listdir(task_folder)
            except (CheckpointError, NotADirectoryError, FileNotFoundError):
                continue  # not a task folder of ours
            rows = []
            for name in names:
                path = task_folder / name
                if _FINGERPRINT.fullmatch(name):
                    manifest = _manifest_of(path, task, name)
                    state = "complete" if manifest is not None else "incomplete"
                    saved = manifest.get("saved") if manifest else None
                elif name.startswith(".") and name.endswith((".tmp", ".trash")):
                    state, saved = "temporary", None
                else:
                    continue
                if not isinstance(saved, int | float):
                    try:
                        saved = path.stat().st_mtime
                    except OSError:
                        continue
                rows.append(Entry(task, name, _size(path), float(saved), state))
            found.extend(sorted(rows, key=lambda e: -e.saved))
        return found

    def clear(self, tasks: Iterable[str] = ()) -> list[Entry]:
        """Remove every checkpoint of ``tasks`` (of all tasks when none are named);
        return what was removed. Naming a task with no checkpoint is an error."""
        wanted = list(tasks)
        for task in wanted:
            _check_name(task, "task name")
        entries = self.entries()
        known = {e.task for e in entries}
        unknown = [t for t in wanted if t not in known]
        if unknown:
            hint = did_you_mean(unknown[0], known) or (
                f"tasks with checkpoints: {', '.join(sorted(known))}"
                if known
                else "it holds no checkpoints"
            )
            raise CheckpointError(
                f"no checkpoints of task {', '.join(repr(t) for t in unknown)} in "
                f"{self.root}. {hint}"
            )
        chosen = set(wanted) or known
        removed = self._remove(e for e in entries if e.task in chosen)
        for task in chosen:
            with contextlib.suppress(OSError):  # a run is saving into it right now
                self.folder(task).rmdir()
        return removed

    def prune(self, older_than_days: float | None = None, now: float | None = None) -> list[Entry]:
        """Remove old checkpoints; return what was removed.

        By default every checkpoint but the newest complete one of each task; with
        ``older_than_days``, every checkpoint saved longer ago than that, newest or
        not. Either way, temporary folders of crashed saves (older than a day)."""
        if older_than_days is not None and older_than_days < 0:
            raise CheckpointError(f"older than {older_than_days} days: give a number >= 0")
        now = time.time() if now is None else now
        doomed: list[Entry] = []
        newest: set[str] = set()
        for entry in self.entries():  # newest first within each task
            if entry.state == "temporary":
                if now - entry.saved > _STALE_TEMPORARY:
                    doomed.append(entry)
            elif older_than_days is not None:
                if now - entry.saved > older_than_days * 86400:
                    doomed.append(entry)
            elif entry.state == "complete" and entry.task not in newest:
                newest.add(entry.task)
            else:
                doomed.append(entry)
        return self._remove(doomed)

    def _remove(self, entries: Iterable[Entry]) -> list[Entry]:
        removed = []
        for entry in entries:
            if entry.state == "temporary":
                _check_name(entry.fingerprint, "temporary folder")
                path = self.folder(entry.task) / entry.fingerprint
            else:
                path = self.folder(entry.task, entry.fingerprint)
            if self._discard(path):
                removed.append(entry)
        return removed


def _target_state(fingerprint: Fingerprint) -> Mapping[str, Any] | None:
    """The state of the task's target, or why it could not be read (the task then runs
    again next time rather than failing now: it did succeed)."""
    if fingerprint.target is None:
        return None
    try:
        state = fingerprint.target.state()
    except Exception as exc:
        return {"unknown": f"{type(exc).__name__}: {exc}"}
    return None if state is None else dict(state)

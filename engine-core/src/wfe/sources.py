"""Which code produced a task's results, so that a fingerprint changes with the code.

* A component from an installed distribution is its distribution's name and version.
  When the distribution is installed *editable* or *from a local path* (its
  ``direct_url.json`` says ``dir_info.editable`` or has a ``file://`` URL) the version
  does not change with every edit, so the files of the component's top-level package
  are hashed as well (every file but ``__pycache__``): an edit anywhere in
  ``wfe_io/`` changes the fingerprint of every ``wfe_io`` component.
* A component class from no distribution (a notebook, a test) is its module's file.
* A module named by ``python_function`` is found the way ``import`` would find it on
  ``sys.path`` (:class:`importlib.machinery.PathFinder`), without importing it, and its
  file is hashed (see :func:`module_digest`).

Hashes of files are remembered per process while the file's size, modification time
and inode stay the same, so planning 100,000 tasks that call one function hashes its
module once.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from wfe.datastate import file_sha256
from wfe.plugins import ComponentRef

__all__ = ["CodeIndex", "module_digest"]


def _stat_key(path: str) -> tuple[str, int, int, int, int]:
    info = os.stat(path)
    return (path, info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


@functools.lru_cache(maxsize=4096)
def _digest_of(key: tuple[str, int, int, int, int]) -> str:
    return file_sha256(key[0])


def _file_digest(path: str) -> str:
    return _digest_of(_stat_key(path))


_ORIGINS: dict[tuple[str, tuple[str, ...]], str] = {}


def _origin(name: str) -> str | None:
    """Where module ``name`` is: remembered once found (a module that is not found yet
    may be created later in the same process)."""
    key = (name, tuple(sys.path))
    origin = _ORIGINS.get(key)
    if origin is None:
        origin = _find_module(name, key[1])
        if origin is not None:
            _ORIGINS[key] = origin
    return origin


def _find_module(name: str, search: tuple[str, ...]) -> str | None:
    """The file of module ``name`` on ``search`` (``sys.path``), found as ``import``
    would find it, without importing it (nor its parent packages): "built-in" for a
    module compiled into Python, None if there is none."""
    spec = None
    locations: list[str] | None = list(search)
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        if locations is None:
            return None  # a parent that is a module, not a package
        spec = importlib.machinery.PathFinder.find_spec(".".join(parts[:depth]), locations)
        if spec is None:
            break
        locations = (
            list(spec.submodule_search_locations) if spec.submodule_search_locations else None
        )
    if spec is None:  # not on sys.path: a built-in, frozen or meta-path module
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        if spec is None:
            return None
    if spec.origin in (None, "built-in", "frozen"):
        return "built-in" if spec.origin else None
    return spec.origin


def module_digest(name: str) -> dict[str, str]:
    """What identifies module ``name``'s code: the sha256 of its file, the Python
    version for a built-in module, or ``missing`` (the task will fail to import it)."""
    origin = _origin(name)
    if origin is None:
        return {"module": name, "missing": "not found on sys.path"}
    if origin == "built-in" or not os.path.isfile(origin):
        return {"module": name, "python": platform.python_version()}
    return {"module": name, "sha256": _file_digest(origin)}


def _package_digest(top: str) -> str | None:
    """The sha256 over every file of the top-level package ``top`` (paths and
    contents, in a fixed order), or None when it has no files."""
    spec = importlib.util.find_spec(top)
    if spec is None:
        return None
    if spec.submodule_search_locations:
        roots = [Path(p) for p in spec.submodule_search_locations]
    elif spec.origin and os.path.isfile(spec.origin):
        return _file_digest(spec.origin)
    else:
        return None
    sha = hashlib.sha256()
    for root in roots:
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, root)
                sha.update(f"{relative}\0{_file_digest(path)}\0".encode())
    return sha.hexdigest()


def _installed_from_source(distribution: str) -> bool:
    """True when ``distribution`` is installed editable or from a local path."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import distribution as find

    try:
        text = find(distribution).read_text("direct_url.json")
    except PackageNotFoundError:
        return False
    if not text:
        return False
    try:
        origin = json.loads(text)
    except ValueError:
        return False
    editable = bool((origin.get("dir_info") or {}).get("editable"))
    return editable or str(origin.get("url", "")).startswith("file://")


class CodeIndex:
    """Code identities for one planning pass, computed once per component."""

    def __init__(self) -> None:
        self._components: dict[str, dict[str, Any]] = {}
        self._packages: dict[str, str | None] = {}

    def component(self, name: str, ref: ComponentRef | None, cls: type) -> dict[str, Any]:
        """The identity of component ``name``'s own code (see the module docstring)."""
        found = self._components.get(name)
        if found is None:
            found = self._components[name] = self._identify(ref, cls)
        return found

    def _identify(self, ref: ComponentRef | None, cls: type) -> dict[str, Any]:
        if ref is not None and ref.distribution:
            identity: dict[str, Any] = {"distribution": ref.distribution, "version": ref.version}
            if _installed_from_source(ref.distribution):
                top = cls.__module__.partition(".")[0]
                if top not in self._packages:
                    self._packages[top] = _package_digest(top)
                identity["source"] = self._packages[top]
            return identity
        module = sys.modules.get(cls.__module__)
        origin = getattr(module, "__file__", None)
        return {
            "module": cls.__module__,
            "class": cls.__qualname__,
            "source": _file_digest(origin) if origin and os.path.isfile(origin) else None,
        }

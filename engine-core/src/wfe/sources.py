"""Which code produced a task's results, so that a fingerprint changes with the code.

* A component from an installed distribution is its distribution's name and version.
  When the distribution is installed *editable* or *from a local path* (its
  ``direct_url.json`` says ``dir_info.editable`` or has a ``file://`` URL) the version
  does not change with every edit, so the files of the component's top-level package
  are hashed as well (every file but ``__pycache__``): an edit anywhere in
  ``wfe_io/`` changes the fingerprint of every ``wfe_io`` component.
* A component class from no distribution (a notebook, a test) is its module's file.
* A module named by ``python_function`` is found the way ``import`` would find it
  (:func:`wfe.pysource.find_module`, which imports nothing), and its file is hashed
  (see :func:`module_digest`).

Hashes of files are remembered per process while the file's size, modification time
and inode stay the same, so planning 100,000 tasks that call one function hashes its
module once.
"""

from __future__ import annotations

import functools
import hashlib
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


def module_digest(name: str) -> dict[str, str]:
    """What identifies module ``name``'s code: the sha256 of its file (located by
    :func:`wfe.pysource.find_module` as ``import`` would, importing nothing; an already
    imported module is the one a run will use); the Python version for a built-in or
    frozen module; ``missing`` when there is none (the task will fail to import it);
    ``unknown`` when it cannot be told without importing (the task then never matches
    an earlier checkpoint)."""
    from wfe.pysource import NotFound, find_module

    spec = find_module(name)
    if isinstance(spec, NotFound):
        return {"module": name, "missing": "not found on sys.path"}
    if spec is not None and spec.origin in ("built-in", "frozen"):
        return {"module": name, "python": platform.python_version()}
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return {"module": name, "unknown": "its code cannot be found without importing it"}
    return {"module": name, "sha256": _file_digest(spec.origin)}


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

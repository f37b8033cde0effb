"""Starting points for authors: a component distribution, a workflow file.

``wfe new distribution`` and ``wfe new workflow`` (:mod:`wfe.cli.new`) write what
these functions render from the templates in ``wfe/templates``: a distribution that
installs, registers one documented component and passes its own tests (which use
wfe's test helpers, :mod:`wfe.testing`), and a workflow that validates and runs. Both
refuse to overwrite a file, so running them in the wrong folder loses nothing.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from wfe.errors import WorkflowError

__all__ = [
    "DistributionScaffold",
    "ScaffoldError",
    "distribution_scaffold",
    "package_name",
    "workflow_text",
    "write_files",
]

#: A distribution name as packaging (PEP 508) accepts it.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

#: file written (relative to the distribution's folder) -> its template
_DISTRIBUTION = {
    "pyproject.toml": "pyproject.toml.tmpl",
    "README.md": "README.md.tmpl",
    "src/{package}/__init__.py": "__init__.py.tmpl",
    "src/{package}/plugin.py": "plugin.py.tmpl",
    "src/{package}/components.py": "components.py.tmpl",
    "tests/test_components.py": "test_components.py.tmpl",
    "example.yaml": "example.yaml.tmpl",
}


class ScaffoldError(WorkflowError, ValueError):
    """A scaffold cannot be written (a bad name, a file that already exists)."""


def package_name(name: str) -> str:
    """The import package for the distribution ``name`` (``wfe-weather`` ->
    ``wfe_weather``); raises :class:`ScaffoldError` for a name that cannot be one, or
    whose package already exists here (it would shadow, or be shadowed by, that one)."""
    if not _NAME.fullmatch(name):
        raise ScaffoldError(
            f"'{name}' is not a distribution name: use letters, digits, '-', '_' and '.', "
            "starting and ending with a letter or digit (e.g. wfe-weather)"
        )
    package = re.sub(r"[-_.]+", "_", name).lower()
    if not package.isidentifier() or keyword.iskeyword(package):
        raise ScaffoldError(
            f"the distribution name '{name}' gives the import package '{package}', which is "
            "not a Python identifier: start the name with a letter and avoid Python keywords "
            "(e.g. wfe-weather)"
        )
    if package in sys.stdlib_module_names or _importable(package):
        raise ScaffoldError(
            f"the distribution name '{name}' gives the import package '{package}', but a "
            f"package '{package}' already exists in this environment: choose another name "
            f"(e.g. {name}-components)"
        )
    return package


def _importable(package: str) -> bool:
    """A module or regular package of that name exists (a bare folder, which Python
    would take for a namespace package, does not count)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(package)
    except (ImportError, ValueError):
        return True  # something is there, and it is broken
    return spec is not None and spec.origin is not None


@dataclass(frozen=True, slots=True)
class DistributionScaffold:
    """A new distribution: its names and its files (relative path -> text)."""

    name: str
    package: str
    #: the example component's name
    component: str
    files: dict[str, str]


def distribution_scaffold(name: str) -> DistributionScaffold:
    """The files of a new distribution called ``name`` (see :func:`package_name`)."""
    package = package_name(name)
    values = {
        "name": name,
        "package": package,
        "component": f"{package}_scale",
        "engine_requirement": _engine_requirement(),
    }
    files = {
        path.format(package=package): _render(template, values)
        for path, template in _DISTRIBUTION.items()
    }
    return DistributionScaffold(name, package, values["component"], files)


def workflow_text(file: str) -> str:
    """A starter workflow for the file ``file`` (its name becomes the workflow's)."""
    stem = re.sub(r"\W+", "_", Path(file).stem).strip("_") or "my_workflow"
    if not stem[0].isalpha():
        stem = f"workflow_{stem}"
    return _render("workflow.yaml.tmpl", {"workflow_name": stem.lower(), "file": file})


def write_files(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write ``files`` (relative path -> text) under ``folder``; returns their paths.

    Writes nothing when any of them exists already."""
    paths = {folder / relative: text for relative, text in files.items()}
    existing = [str(path) for path in paths if path.exists()]
    if existing:
        raise ScaffoldError(
            "refusing to overwrite existing files: "
            + ", ".join(existing)
            + "; choose a new folder or file name, or move them away first"
        )
    for path, text in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # "x": never replace a file
            handle.write(text)
    return list(paths)


def _render(template: str, values: Mapping[str, str]) -> str:
    text = (resources.files("wfe") / "templates" / template).read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def _engine_requirement() -> str:
    """engine-core at the installed version or a compatible later one. (Always pinned:
    the package index has an unrelated engine-core 1.x.)"""
    from wfe._version import __version__

    return f"engine-core~={__version__}"

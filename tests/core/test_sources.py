"""wfe.sources: the code behind a task, found and hashed without importing it."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from wfe import sources
from wfe.plugins import ComponentRef
from wfe.sources import CodeIndex, module_digest


def test_a_module_is_found_on_sys_path_and_hashed_without_importing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "wfe_probe_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('imported!')\n")
    (package / "steps.py").write_text("def f():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = module_digest("wfe_probe_pkg.steps")
    assert found == {
        "module": "wfe_probe_pkg.steps",
        "sha256": hashlib.sha256(b"def f():\n    return 1\n").hexdigest(),
    }
    assert "wfe_probe_pkg" not in sys.modules  # neither the module nor its package ran
    (package / "steps.py").write_text("def f():\n    return 2  # edited\n")
    assert module_digest("wfe_probe_pkg.steps")["sha256"] != found["sha256"]


def test_built_in_and_missing_modules() -> None:
    assert module_digest("sys")["python"]  # compiled into Python: its version stands for it
    assert module_digest("wfe_no_such_module") == {
        "module": "wfe_no_such_module",
        "missing": "not found on sys.path",
    }
    assert module_digest("json.no_such_submodule")["missing"]
    # a submodule of a module (not a package) could only be made by running it
    assert module_digest("json.decoder.sub")["unknown"] == (
        "its code cannot be found without importing it"
    )


def test_distributions_installed_from_source_are_recognised() -> None:
    # the test environments install engine-core editable or from the local folder
    assert sources._installed_from_source("engine-core")
    assert not sources._installed_from_source("pluggy")  # from the package index
    assert not sources._installed_from_source("no-such-distribution")


def test_a_component_is_its_distribution_version_plus_its_package_files_when_local(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wfe.python_function import PythonFunction

    ref = ComponentRef("python_function", PythonFunction, "", "engine-core", "0.1.0")
    monkeypatch.setattr(sources, "_installed_from_source", lambda name: False)
    assert CodeIndex().component("python_function", ref, PythonFunction) == {
        "distribution": "engine-core",
        "version": "0.1.0",
    }
    monkeypatch.setattr(sources, "_installed_from_source", lambda name: True)
    local = CodeIndex().component("python_function", ref, PythonFunction)
    assert local["source"] == sources._package_digest("wfe")
    assert len(local["source"]) == 64


def test_a_package_digest_covers_every_file_but_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "wfe_digest_pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "helpers.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = sources._package_digest("wfe_digest_pkg")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert sources._package_digest("wfe_digest_pkg") == before
    (package / "sub" / "helpers.py").write_text("X = 2\n")
    assert sources._package_digest("wfe_digest_pkg") != before


def test_a_class_from_no_distribution_is_its_module_file() -> None:
    class Local:
        pass

    identity = CodeIndex().component("local", None, Local)
    assert identity["module"] == __name__
    assert identity["source"] == hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

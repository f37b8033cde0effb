"""Static facts about Python modules, without importing them: wfe.pysource."""

from __future__ import annotations

import os
import sys
import textwrap
import types
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from wfe import pysource
from wfe.pysource import (
    MAX_SOURCE_BYTES,
    ModuleFacts,
    NotFound,
    Parameters,
    Unreadable,
    find_module,
    module_facts,
)

Write = Callable[[str, str], str]


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Write]:
    """``write(relative path, source)`` under a folder on sys.path; ``PKG`` in the path
    is replaced by a unique name, which is returned."""
    monkeypatch.syspath_prepend(str(tmp_path))
    prefix = f"p{uuid.uuid4().hex[:8]}"

    def put(relative: str, source: str) -> str:
        path = tmp_path / relative.replace("PKG", prefix)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return prefix

    yield put
    for name in [n for n in sys.modules if n.split(".")[0] == prefix]:
        del sys.modules[name]


def facts_of(write: Write, source: str) -> ModuleFacts:
    module = write("PKG.py", source)
    facts = module_facts(module)
    assert isinstance(facts, ModuleFacts)
    return facts


def test_every_way_of_binding_a_top_level_name_is_seen(write: Write) -> None:
    facts = facts_of(
        write,
        """
        import os.path, json as j
        from collections import OrderedDict as OD
        a = b = 1
        c, (d, *e) = 1, (2, 3)
        f: int = 1
        g: int
        for h in []: pass
        with open(__file__) as i: pass
        if (k := 1): pass
        try:
            def in_try(): ...
        except ImportError as err:
            class InExcept: ...
        match 1:
            case [m1, *m2]: pass
            case {**m3}: pass
            case m4: pass
        def outer():
            inner_local = 1
        """,
    )
    assert facts.complete
    for name in ["os", "j", "OD", "a", "b", "c", "d", "e", "f", "h", "i", "k", "in_try"]:
        assert name in facts.bound, name
    assert {"InExcept", "m1", "m2", "m3", "m4", "outer", "err"} <= facts.bound
    assert "g" not in facts.bound  # an annotation alone binds nothing
    assert "inner_local" not in facts.bound
    assert {"a", "in_try", "InExcept"} <= set(facts.listed)  # assignments, functions, classes
    assert "j" not in facts.listed  # imports are not suggested


def test_signatures_of_plain_defs_bound_once(write: Write) -> None:
    facts = facts_of(write, "def f(a, b=1, /, c=2, *args, d, e=3, **kw): ...\ndef g(x): ...\n")
    assert facts.functions["f"] == Parameters(
        names=("c", "d", "e"),
        required=("d",),
        positional_only=("a",),
        positional_only_optional=("b",),
        any_keyword=True,
    )
    assert facts.functions["g"] == Parameters(("x",), ("x",), (), (), any_keyword=False)


@pytest.mark.parametrize(
    "source",
    [
        "import functools\n@functools.cache\ndef f(a): ...\n",  # decorated
        "def f(a): ...\nf = wrap(f)\n",  # bound twice
        "def f(a): ...\ndef g():\n    global f\n    f = None\n",  # rebound by running code
        "def f(a): ...\nfrom os import *\n",  # a star import may rebind it
    ],
)
def test_no_signature_when_the_def_may_not_be_what_is_called(write: Write, source: str) -> None:
    facts = facts_of(write, source)
    assert "f" in facts.bound
    assert "f" not in facts.functions


@pytest.mark.parametrize(
    "source",
    [
        "from os import *\n",
        "def __getattr__(name): ...\n",
        "globals()['f'] = len\n",
        "import sys\nsetattr(sys.modules[__name__], 'f', len)\n",
        "vars().update(f=len)\n",
    ],
)
def test_modules_that_bind_names_invisibly_are_incomplete(write: Write, source: str) -> None:
    assert not facts_of(write, source).complete


def test_a_package_submodule_is_found_without_importing_the_package(write: Write) -> None:
    package = write("PKG/__init__.py", "raise RuntimeError('imported!')\n")
    write("PKG/sub/__init__.py", "raise RuntimeError('imported!')\n")
    write("PKG/sub/leaf.py", "def f(): ...\n")
    spec = find_module(f"{package}.sub.leaf")
    assert spec is not None
    assert not isinstance(spec, NotFound)
    assert spec.origin is not None
    assert spec.origin.endswith("leaf.py")
    assert not any(n.startswith(package) for n in sys.modules)
    assert find_module(f"{package}.sub.nope") == NotFound(f"{package}.sub.nope")
    assert find_module(f"{package}.nope.leaf") == NotFound(f"{package}.nope")


def test_unknowable_modules_are_none_never_not_found(write: Write) -> None:
    module = write("PKG.py", "x = 1\n")
    assert find_module(f"{module}.child") is None  # a module, not a package: only a run can tell
    assert module_facts("sys") is None  # builtin: no source
    assert module_facts("binascii") is None  # compiled extension
    namespace = write("PKG_ns/thing.py", "x = 1\n")
    assert module_facts(f"{namespace}_ns") is None
    name = f"dynamic_{uuid.uuid4().hex}"
    sys.modules[name] = types.ModuleType(name)  # made at run time: importable, no finder knows it
    try:
        assert find_module(name) is None
    finally:
        del sys.modules[name]
    assert find_module(f"no_such_{uuid.uuid4().hex}") is not None  # NotFound


def test_a_syntax_error_is_unreadable_with_file_and_line(write: Write) -> None:
    module = write("PKG.py", "x = 1\ndef (:\n")
    facts = module_facts(module)
    assert isinstance(facts, Unreadable)
    assert f"{module}.py:2: invalid syntax" in facts.message


def test_an_edited_module_is_read_again(write: Write) -> None:
    module = write("PKG.py", "def old(): ...\n")
    assert "old" in _bound(module)
    write("PKG.py", "def new_name(): ...  # longer, so the size differs\n")
    assert "new_name" in _bound(module)


def test_a_module_over_the_size_limit_is_not_parsed(write: Write) -> None:
    module = write("PKG.py", "x = 1\n" + "#" * MAX_SOURCE_BYTES)
    assert module_facts(module) is None


def _bound(module: str) -> frozenset[str]:
    facts = module_facts(module)
    assert isinstance(facts, ModuleFacts)
    return facts.bound


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_a_module_file_that_is_not_a_regular_file_is_not_a_module(
    write: Write, tmp_path: Path, kind: str
) -> None:
    module = write("PKG_real.py", "x = 1\n").replace("_real", "")
    path = tmp_path / f"{module}.py"
    if kind == "device":
        path.symlink_to("/dev/zero")  # reading would never end
    else:
        os.mkfifo(path)  # opening would wait for a writer forever
    assert module_facts(module) == NotFound(module)  # as for `import`: never opened


def test_an_imported_module_is_read_from_where_it_was_imported(write: Write) -> None:
    # A json.py on the path does not replace the json a run would get from sys.modules.
    write("json.py", "nothing = None\n")
    facts = module_facts("json")
    assert isinstance(facts, ModuleFacts)
    assert facts.file.endswith(os.path.join("json", "__init__.py"))
    assert "loads" in facts.functions


def test_facts_are_remembered_across_processes_until_the_file_changes(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("WFE_NO_SOURCE_CACHE", raising=False)
    module = write("PKG.py", "def step(x, y=1):\n    return x\n")
    parsed = facts_of_fresh_process(module)  # parsed, and remembered
    assert parsed.functions["step"].required == ("x",)

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed although the file did not change")

    monkeypatch.setattr(pysource.ast, "parse", no_parse)
    assert facts_of_fresh_process(module) == parsed  # from the memory: no parse
    monkeypatch.setenv("WFE_NO_SOURCE_CACHE", "1")
    with pytest.raises(AssertionError, match="parsed although"):
        facts_of_fresh_process(module)  # the switch turns the memory off
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(tmp_path))
    write("PKG.py", "def step(x, y, z=2):\n    return x\n")  # edited: its size changed
    edited = facts_of_fresh_process(module)
    assert edited.functions["step"].required == ("x", "y")


def facts_of_fresh_process(module: str) -> ModuleFacts:
    """``module_facts`` as a new process sees it: nothing remembered in memory."""
    pysource._parse.cache_clear()
    facts = module_facts(module)
    assert isinstance(facts, ModuleFacts)
    return facts

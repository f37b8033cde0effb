"""What can be known about a Python function from its source, without importing it.

``wfe validate`` must not run a user's code: importing ``pkg.mod`` runs
``pkg/__init__.py`` and ``mod``'s top level, which may be slow, have side effects or
fail (and a failure there is the user's bug, not wfe's). So a module is *located* as
the import system would locate it, level by level, each finder given the parent
package's ``submodule_search_locations`` (never importing the parent); its source is
read and parsed with :mod:`ast`; and a function is looked up among the names the
module binds at its top level.

Every finder on ``sys.meta_path`` is asked in order, as ``import`` does, so builtin
and frozen modules and editable installs are found too; ``PathFinder`` covers
``sys.path``. Whatever cannot be known this way is reported as unknown (``None``) and
left to the run: a module without Python source (a compiled extension, a builtin, a
frozen or namespace module, a zip), one over :data:`MAX_SOURCE_BYTES`, a name bound by
``from x import *``, through ``globals()`` or a module ``__getattr__``, and the
signature of anything but a plain ``def`` bound once.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import os
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib.machinery import ModuleSpec
from types import MappingProxyType
from typing import Any, NamedTuple

from wfe import memofiles
from wfe.envflags import is_on
from wfe.sourcetext import RefusedFile, read_bounded

__all__ = [
    "MAX_SOURCE_BYTES",
    "ModuleFacts",
    "NotFound",
    "Parameters",
    "Unreadable",
    "find_module",
    "module_facts",
]

#: Larger module sources are not parsed (their functions are checked when run).
MAX_SOURCE_BYTES = 2 * 1024 * 1024

# Names whose use lets a module bind names that no statement shows.
_DYNAMIC_CALLS = frozenset(("globals", "vars", "locals", "exec", "eval", "setattr", "__import__"))
_DYNAMIC_ATTRIBUTES = frozenset(("modules", "__dict__"))
# Words that a source holding any of those, or a ``global`` statement, must contain.
_DYNAMIC_WORDS = (*_DYNAMIC_CALLS, *_DYNAMIC_ATTRIBUTES, "global")


# The results are NamedTuples, not dataclasses: this module is imported by the first
# workflow load of a process, and a frozen dataclass costs ~0.4 ms to define.


class Parameters(NamedTuple):
    """How a function written with ``def`` can be called with keyword arguments."""

    #: the parameters a keyword argument can fill, in order
    names: tuple[str, ...]
    #: those of them without a default
    required: tuple[str, ...]
    #: positional-only parameters without a default: no call by keyword can fill them
    positional_only: tuple[str, ...]
    #: positional-only parameters with a default (their names are not keywords)
    positional_only_optional: tuple[str, ...]
    #: it takes ``**kwargs``
    any_keyword: bool


class ModuleFacts(NamedTuple):
    """What a module's source shows about its top-level names."""

    name: str
    file: str
    #: every name some statement binds at the top level
    bound: frozenset[str]
    #: the functions, classes and assigned names (candidates for "did you mean")
    listed: tuple[str, ...]
    #: the signature of each name bound exactly once, by a ``def`` without decorators
    #: (none when the module is not ``complete``)
    functions: Mapping[str, Parameters]
    #: False when the module may bind names no statement shows (star imports,
    #: ``globals()``, a module ``__getattr__``): a name missing from ``bound`` may exist
    complete: bool


class NotFound(NamedTuple):
    """The module does not exist: ``name`` is the first level that no finder finds."""

    name: str


class Unreadable(NamedTuple):
    """The module's source exists but cannot be imported (a syntax error, bad bytes)."""

    message: str


def find_module(module: str) -> ModuleSpec | NotFound | None:
    """Locate ``module`` (dotted) without importing it or its parents.

    ``None`` when that cannot be decided without importing (a parent that is a module,
    not a package, may still provide it at run time; a finder failed). A module already
    imported is the one a run will use, whatever the path holds now (a ``json.py``
    next to the workflow does not replace the ``json`` wfe itself imported). Modules
    found are remembered per ``sys.path``; a missing one is looked for again next time
    (the user may have just created it).
    """
    if module in sys.modules:
        return _imported_spec(module)
    key = (module, tuple(sys.path))
    if key in _found:
        return _found[key]
    spec = _find_module(module)
    if not isinstance(spec, NotFound):
        if len(_found) >= _MAX_REMEMBERED:
            _found.clear()
        _found[key] = spec
    return spec


def module_facts(module: str) -> ModuleFacts | NotFound | Unreadable | None:
    """The top-level names of ``module``, from its source; ``None`` when unknown."""
    spec = find_module(module)
    if spec is None or isinstance(spec, NotFound):
        return spec
    origin = spec.origin
    if not (spec.has_location and origin and origin.endswith(".py")):
        return None  # compiled, builtin, frozen, namespace or zipped: no source to read
    try:
        info = os.stat(origin)
    except (OSError, ValueError):
        return None
    return _parse(module, origin, info.st_mtime_ns, info.st_size)


_MAX_REMEMBERED = 512
_found: dict[tuple[str, tuple[str, ...]], ModuleSpec | None] = {}


def _imported_spec(name: str) -> ModuleSpec | None:
    spec = getattr(sys.modules[name], "__spec__", None)
    return spec if isinstance(spec, ModuleSpec) else None


def _find_module(module: str) -> ModuleSpec | NotFound | None:
    spec: ModuleSpec | None = None
    parts = module.split(".")
    for depth in range(1, len(parts) + 1):
        name = ".".join(parts[:depth])
        locations = None if spec is None else spec.submodule_search_locations
        if name in sys.modules:
            spec = _imported_spec(name)
            if spec is None:
                return None  # made at run time, without a spec: nothing to read
            continue
        if depth > 1 and locations is None:
            return None  # a module, not a package: only running it can add submodules
        try:
            spec = _ask_finders(name, locations)
        except Exception:  # a third-party finder's bug is not the workflow's problem
            return None
        if spec is None:
            return NotFound(name)
    return spec


def _ask_finders(name: str, path: Sequence[str] | None) -> ModuleSpec | None:
    """The first spec any finder on ``sys.meta_path`` gives, as ``import`` would take.

    Finders only look: they never execute the module they find."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is not None:
            spec: ModuleSpec | None = find_spec(name, path)
            if spec is not None:
                return spec
    return None


@functools.lru_cache(maxsize=256)
def _parse(module: str, file: str, mtime: int, size: int) -> ModuleFacts | Unreadable | None:
    # mtime and size are part of the keys: an edited file is read again (they are what
    # decides whether Python's own bytecode cache of the file is current, too).
    subject, stamp = (module, file), (mtime, size)
    off = is_on(os.environ.get(_NO_MEMO))
    remembered = None if off else memofiles.recall(_MEMO_FOLDER, subject, stamp)
    if remembered is not None:
        try:
            return _facts_from_data(remembered)
        except (TypeError, ValueError):  # not what this version stores: parse
            pass
    try:
        text = importlib.util.decode_source(read_bounded(file, MAX_SOURCE_BYTES))
        tree = ast.parse(text, filename=file)
    except (OSError, RefusedFile):  # gone, too large, or not a regular file (a FIFO...)
        return None
    except SyntaxError as exc:
        where = f"{file}:{exc.lineno}" if exc.lineno else file
        return Unreadable(f"{where}: {exc.msg}")
    except (UnicodeDecodeError, ValueError) as exc:  # bad bytes; NUL characters
        return Unreadable(f"{file}: {exc}")
    except (RecursionError, MemoryError):  # absurdly nested source: let the run decide
        return None
    facts = _facts(module, file, text, tree)
    if not off:
        memofiles.remember(_MEMO_FOLDER, subject, stamp, _facts_to_data(facts))
    return facts


#: where parsed modules' facts are remembered across processes (see wfe.memofiles)
_MEMO_FOLDER = "python-sources"
#: the switch that turns that memory off
_NO_MEMO = "WFE_NO_SOURCE_CACHE"


def _facts_to_data(facts: ModuleFacts) -> tuple[Any, ...]:
    functions = {name: tuple(parameters) for name, parameters in facts.functions.items()}
    return (*facts[:-2], functions, facts.complete)


def _facts_from_data(data: tuple[Any, ...]) -> ModuleFacts:
    name, file, bound, listed, functions, complete = data
    return ModuleFacts(
        name,
        file,
        frozenset(bound),
        tuple(listed),
        MappingProxyType({n: Parameters(*p) for n, p in functions.items()}),
        bool(complete),
    )


def _facts(module: str, file: str, text: str, tree: ast.Module) -> ModuleFacts:
    counts: Counter[str] = Counter()
    listed: list[str] = []
    plain_defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    complete = True
    for node in _top_level(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            listed.append(node.name)
            if not isinstance(node, ast.ClassDef) and not node.decorator_list:
                plain_defs[node.name] = node
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            listed.append(node.id)
        elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            complete = False
        counts.update(_binds(node))
    if any(word in text for word in _DYNAMIC_WORDS):  # else no node below can match
        for node in ast.walk(tree):  # anywhere, functions included
            if isinstance(node, ast.Global):
                counts.update(dict.fromkeys(node.names, 2))  # bound by running code
            elif _is_dynamic(node):
                complete = False
    if "__getattr__" in counts:
        complete = False
    # A star import or a dynamic binding may rebind a def: then no signature is sure.
    functions = {
        name: _parameters(node.args)
        for name, node in plain_defs.items()
        if complete and counts[name] == 1
    }
    return ModuleFacts(
        name=module,
        file=file,
        bound=frozenset(counts),
        listed=tuple(dict.fromkeys(listed)),
        functions=MappingProxyType(functions),
        complete=complete,
    )


def _binds(node: ast.AST) -> list[str]:
    """The names that ``node`` binds in the scope it runs in."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [a.asname or a.name.split(".")[0] for a in node.names if a.name != "*"]
    if isinstance(node, ast.Name):
        return [node.id] if isinstance(node.ctx, ast.Store) else []
    name = getattr(node, "rest" if isinstance(node, ast.MatchMapping) else "name", None)
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar | ast.MatchMapping):
        return [name] if name else []
    return []


def _is_dynamic(node: ast.AST) -> bool:
    """True for ``globals``, ``setattr``, ``sys.modules``, ``__dict__``...: ways to bind
    module names that no statement shows."""
    if isinstance(node, ast.Name):
        return node.id in _DYNAMIC_CALLS
    return isinstance(node, ast.Attribute) and node.attr in _DYNAMIC_ATTRIBUTES


def _top_level(tree: ast.Module) -> list[ast.AST]:
    """Every node that runs in the module's own scope: statements (descending into
    ``if``/``try``/``for``/``with``/``match`` blocks) and the expressions in them, but
    not the bodies of functions, classes and lambdas (their names are their own)."""
    found: list[ast.AST] = []
    work: list[ast.AST] = list(reversed(tree.body))
    while work:
        node = work.pop()
        found.append(node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            work.extend(node.decorator_list)  # decorators run in the module's scope
            continue
        if isinstance(node, ast.Lambda) or (isinstance(node, ast.AnnAssign) and not node.value):
            continue  # a lambda's names are its own; a bare annotation binds nothing
        work.extend(ast.iter_child_nodes(node))
    return found


def _parameters(args: ast.arguments) -> Parameters:
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    has_default = {a.arg for i, a in enumerate(positional) if i >= first_default}
    has_default |= {
        a.arg
        for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is not None
    }
    named = [*args.args, *args.kwonlyargs]
    only = [a.arg for a in args.posonlyargs]
    return Parameters(
        names=tuple(a.arg for a in named),
        required=tuple(a.arg for a in named if a.arg not in has_default),
        positional_only=tuple(n for n in only if n not in has_default),
        positional_only_optional=tuple(n for n in only if n in has_default),
        any_keyword=args.kwarg is not None,
    )

"""The contract every component distribution keeps, checked in one call.

``check_distribution("my-components")`` checks what wfe relies on but cannot check
when it discovers plugins, because discovery must stay fast and soft:

- the distribution declares a ``wfe.plugins`` entry point, which loads without failures
  and registers at least one component or executor, none already provided by another;
- every registration is lazy (a ``"module:Class"`` string) with a one-line summary,
  and its target imports and is a class of the right kind (a component with
  ``execute()`` or ``run()``, a :class:`wfe.Executor`);
- its schemas are well formed: ``params_schema`` maps names to :class:`wfe.Param`
  (whose defaults pass their own checks), ``inputs_schema`` to :class:`wfe.Input`,
  ``outputs_schema`` to descriptions;
- it is documented: a class docstring, and a ``doc`` for every param, input, output
  and executor option;
- ``wfe components show NAME`` renders each component;
- registering the plugins imports nothing beyond the standard library, wfe and its
  dependencies and the distribution's own packages (checked in a fresh interpreter),
  so ``wfe components list`` stays fast with the distribution installed.

Every problem found is reported at once, in one :class:`ContractError`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.metadata import Distribution, EntryPoint

    from wfe.plugins import ComponentRef, ExecutorRef, PluginRef, RefT, Registry

__all__ = ["ContractError", "DistributionReport", "check_distribution"]

_GROUP = "wfe.plugins"  # wfe.plugins.ENTRY_POINT_GROUP, without importing pluggy here


class ContractError(AssertionError):
    """A distribution breaks the plugin contract; ``problems`` lists every breach.

    An :class:`AssertionError`, so pytest reports it as a failed check."""

    def __init__(self, distribution: str, problems: Iterable[str]) -> None:
        self.distribution = distribution
        self.problems = tuple(problems)
        count = len(self.problems)
        super().__init__(
            f"distribution '{distribution}' breaks the wfe plugin contract "
            f"({count} problem{'s' if count != 1 else ''}):\n"
            + "\n".join(f"- {problem}" for problem in self.problems)
        )


@dataclass(frozen=True, slots=True)
class DistributionReport:
    """What a distribution that keeps the contract provides (names sorted)."""

    distribution: str
    version: str
    #: its ``wfe.plugins`` entry points
    plugins: tuple[str, ...]
    components: tuple[str, ...]
    executors: tuple[str, ...]


def check_distribution(
    distribution: str, *, allow_imports: Iterable[str] = ()
) -> DistributionReport:
    """Check the installed distribution ``distribution`` (its name as in
    ``pip install``) against the plugin contract (see the module docstring).

    ``allow_imports`` names top-level packages the plugin modules may import although
    they belong to no distribution wfe knows to be light. Raises :class:`ContractError`
    listing every problem; returns what the distribution provides.
    """
    from wfe.plugins import load_plugins

    dist = _installed(distribution)
    name = dist.name
    entry_points = sorted(
        (ep for ep in dist.entry_points if ep.group == _GROUP), key=lambda ep: ep.name
    )
    if not entry_points:
        raise ContractError(
            name,
            [
                f"it declares no entry point in the group '{_GROUP}', so wfe never finds it: "
                'add [project.entry-points."wfe.plugins"] with a line PLUGIN_NAME = '
                '"your_package.plugin" to its pyproject.toml and reinstall it'
            ],
        )
    plugin_names = ",".join(ep.name for ep in entry_points)
    plugins = load_plugins(environ={"WFE_PLUGINS": plugin_names})
    components = plugins.components()
    executors = plugins.executors()
    own_components = _own(components, name)
    own_executors = _own(executors, name)

    problems = [str(failure) for failure in plugins.failures]
    if not own_components and not own_executors and not problems:
        problems.append(
            "its plugins register no component and no executor: implement "
            "wfe_register_components() (or wfe_register_executors()) in "
            f"{', '.join(ep.value for ep in entry_points)}, marked with @wfe.hookimpl"
        )
    imported = [ref.name for ref in own_components if _check_component(ref, components, problems)]
    for executor in own_executors:
        _check_executor(executor, executors, problems)
    problems += _check_rendering(imported, plugin_names)
    problems += _check_registration_imports(dist, entry_points, plugin_names, allow_imports)
    if problems:
        raise ContractError(name, problems)
    return DistributionReport(
        distribution=name,
        version=dist.version,
        plugins=tuple(ep.name for ep in entry_points),
        components=tuple(r.name for r in own_components),
        executors=tuple(r.name for r in own_executors),
    )


def _installed(distribution: str) -> Distribution:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import distribution as find

    if not isinstance(distribution, str) or not distribution.strip():
        raise TypeError(f"check_distribution() takes a distribution's name, got {distribution!r}")
    try:
        return find(distribution)
    except PackageNotFoundError:
        raise ContractError(
            distribution,
            [
                f"no distribution named '{distribution}' is installed in this environment "
                f"({sys.executable}): install it first (for your own, from its folder: "
                "pip install -e .), and check the name against the `name` in its "
                "pyproject.toml"
            ],
        ) from None


def _own(registry: Registry[RefT], distribution: str) -> list[RefT]:
    """The distribution's registrations, also those that lost a name to another's."""
    refs = [*registry, *(ref for refs in registry.conflicts.values() for ref in refs[1:])]
    return [ref for ref in refs if _same(ref.distribution, distribution)]


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _same(a: str, b: str) -> bool:
    return _normalized(a) == _normalized(b)


# -- one registration ------------------------------------------------------------------


def _check_ref(ref: PluginRef, registry: Registry[Any], problems: list[str]) -> None:
    """What every registration needs: a unique name, a lazy target, a summary."""
    what = f"{ref.kind} '{ref.name}'"
    if ref.name in registry.conflicts:
        others = sorted(
            {r.distribution or r.target_path for r in registry.conflicts[ref.name]}
            - {ref.distribution}
        )
        problems.append(
            f"{what} is also provided by {', '.join(others)}: pick a name of its own "
            "(prefix it with your package's name)"
            if others
            else f"{what} is registered more than once: register each name once"
        )
    if not isinstance(ref.target, str):
        problems.append(
            f"{what} is registered as the class itself; name it as a string "
            f"'{ref.target_path}' so that discovery imports nothing"
        )
    summary = ref.summary.strip()
    if not summary:
        problems.append(
            f"{what} has no summary: give its {type(ref).__name__} a one-line summary "
            f"(the third argument); `wfe {ref.kind}s list` shows it"
        )
    elif "\n" in summary:
        problems.append(f"{what} has a summary of several lines: keep it to one")


def _load(ref: PluginRef, problems: list[str]) -> type | None:
    from wfe.errors import ComponentLoadError

    try:
        return ref.load()
    except ComponentLoadError as exc:
        problems.append(f"cannot import {ref.kind} '{ref.name}': {exc}")
        return None


def _check_docstring(what: str, cls: type, problems: list[str]) -> None:
    doc = cls.__dict__.get("__doc__")  # the class's own, not one it inherits
    if not isinstance(doc, str) or not doc.strip():
        problems.append(
            f"{what} ({cls.__module__}:{cls.__qualname__}) has no docstring: say what it "
            "does and when to use it"
            + ("; `wfe components show` prints it" if what.startswith("component") else "")
        )


def _check_component(ref: ComponentRef, registry: Registry[Any], problems: list[str]) -> bool:
    """Check one component; False when its class cannot even be imported."""
    from wfe.component import Component, Input

    _check_ref(ref, registry, problems)
    cls = _load(ref, problems)
    if cls is None:
        return False
    what = f"component '{ref.name}'"
    _check_docstring(what, cls, problems)
    if not callable(getattr(cls, "execute", None)):
        problems.append(f"{what} has no execute() method (subclass wfe.Component and write run())")
    elif (
        issubclass(cls, Component) and cls.execute is Component.execute and cls.run is Component.run
    ):
        problems.append(f"{what} implements neither run() nor execute()")
    _check_params(what, "params_schema", getattr(cls, "params_schema", None), problems)
    _check_mapping(what, "inputs_schema", getattr(cls, "inputs_schema", None), Input, problems)
    outputs = getattr(cls, "outputs_schema", None)
    if outputs is not None:
        if not isinstance(outputs, Mapping):
            problems.append(
                f"{what}: outputs_schema must be a mapping of output roles to descriptions, "
                f"got {type(outputs).__name__}"
            )
        else:
            for role, doc in outputs.items():
                if not isinstance(doc, str) or not doc.strip():
                    problems.append(
                        f"{what}: outputs_schema[{role!r}] must be a description (a non-empty "
                        f"string), got {doc!r}"
                    )
    return True


def _check_executor(ref: ExecutorRef, registry: Registry[Any], problems: list[str]) -> None:
    from wfe.executor import Executor

    _check_ref(ref, registry, problems)
    cls = _load(ref, problems)
    if cls is None:
        return
    what = f"executor '{ref.name}'"
    _check_docstring(what, cls, problems)
    if not issubclass(cls, Executor):
        problems.append(f"{what} ({ref.target_path}) is not a wfe.Executor subclass")
    else:
        _check_params(what, "options_schema", cls.options_schema, problems)


def _check_mapping(
    what: str, attribute: str, schema: object, kind: type, problems: list[str]
) -> Mapping[str, Any]:
    """The entries of a ``{name: kind}`` schema that are well formed, each with a doc."""
    if schema is None:
        return {}
    if not isinstance(schema, Mapping):
        problems.append(
            f"{what}: {attribute} must be a mapping of names to wfe.{kind.__name__} objects, "
            f"got {type(schema).__name__}"
        )
        return {}
    good: dict[str, Any] = {}
    for key, item in schema.items():
        if not isinstance(key, str) or not key:
            problems.append(f"{what}: {attribute} has the key {key!r}; names are strings")
        elif not isinstance(item, kind):
            problems.append(
                f"{what}: {attribute}[{key!r}] is {type(item).__name__} {item!r}, not a "
                f"wfe.{kind.__name__}"
            )
        else:
            if not str(getattr(item, "doc", "")).strip():
                problems.append(
                    f'{what}: {attribute}[{key!r}] has no doc: add doc="..." (`wfe components '
                    "show` and editors show it)"
                )
            good[key] = item
    return good


def _check_params(what: str, attribute: str, schema: object, problems: list[str]) -> None:
    from wfe.component import Param

    for key, param in _check_mapping(what, attribute, schema, Param, problems).items():
        if not param.required and (wrong := param.check(param.default)):
            problems.append(
                f"{what}: {attribute}[{key!r}] has the default {param.default!r}, which its own "
                f"check refuses: {wrong[0]}"
            )


# -- the distribution as a whole -----------------------------------------------------------


def _check_rendering(components: list[str], plugin_names: str) -> list[str]:
    """``wfe components show NAME`` works for each component, in this process."""
    if not components:
        return []
    from typer.testing import CliRunner

    from wfe.cli import app

    runner = CliRunner()
    problems = []
    for name in components:
        shown = runner.invoke(app, ["components", "show", name], env={"WFE_PLUGINS": plugin_names})
        if shown.exit_code != 0:
            problems.append(
                f"`wfe components show {name}` failed (exit code {shown.exit_code}): "
                f"{shown.output.strip()}"
            )
    return problems


#: Run in a fresh interpreter: the modules that registering the plugins adds to those
#: wfe and the entry point scan import anyway.
_PROBE = """
import importlib.metadata, json, sys
from wfe.plugins import load_plugins
load_plugins(environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"}).components()
importlib.metadata.entry_points(group="wfe.plugins")
before = set(sys.modules)
plugins = load_plugins(environ={"WFE_PLUGINS": sys.argv[1]})
plugins.components()
plugins.executors()
print("@@" + json.dumps(sorted(set(sys.modules) - before)))
"""


def _check_registration_imports(
    dist: Distribution,
    entry_points: list[EntryPoint],
    plugin_names: str,
    allow_imports: Iterable[str],
) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, plugin_names],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        # the same import path as this process (pytest's pythonpath, --target folders)
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
    )
    marker = done.stdout.rfind("@@")
    if done.returncode != 0 or marker < 0:
        return [f"discovering its plugins in a fresh interpreter failed:\n{done.stderr.strip()}"]
    added = {name.partition(".")[0] for name in json.loads(done.stdout[marker + 2 :])}
    light = _light_packages(dist, entry_points) | set(allow_imports)
    heavy = sorted(name for name in added - light if not name.startswith("_"))
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    return [
        f"registering its plugins imports '{name}'"
        + (f" (from {', '.join(sorted(set(owners[name])))})" if name in owners else "")
        + ": a plugin module must only name its components and executors; import it "
        "inside run()/execute() (or start()), or pass allow_imports=['" + name + "'] if it is light"
        for name in heavy
    ]


def _light_packages(dist: Distribution, entry_points: list[EntryPoint]) -> set[str]:
    """Top-level packages registration may import: the standard library's, wfe's and
    its dependencies', the distribution's own."""
    from importlib.metadata import packages_distributions, requires

    trusted = {_normalized(dist.name), "engine-core"}
    for requirement in requires("engine-core") or []:
        found = re.match(r"[A-Za-z0-9._-]+", requirement)
        if found:
            trusted.add(_normalized(found.group()))
    owned = {
        package
        for package, owners in packages_distributions().items()
        if any(_normalized(owner) in trusted for owner in owners)
    }
    own_roots = {ep.value.partition(":")[0].partition(".")[0] for ep in entry_points}
    return set(sys.stdlib_module_names) | owned | own_roots | {"wfe"}

"""Plugin discovery: entry points -> pluggy -> a registry of lazy component references.

Discovery is soft: a plugin that fails to import is recorded with its distribution and
the others still load. Execution is loud: a workflow that uses a component from a
broken plugin fails validation with the original cause.

Operator switches (environment variables):

``WFE_DISABLE_PLUGIN_AUTOLOAD=1``
    load no entry points, only wfe's built-in plugin (and plugins passed in code).
``WFE_PLUGINS=name,name``
    load only these entry points (by entry point or distribution name).
``WFE_TRACE_PLUGINS=1``
    print every hook call to stderr.

Plugins are checked when they register: a hook implementation whose name is not a wfe
hook (``wfe_task_ends``), or whose arguments are not the hook's, makes the plugin fail
with a :class:`~wfe.errors.PluginError` naming it and its distribution (recorded once in
``Plugins.failures``, as for a plugin that fails to import). Installed entry points come
from :mod:`wfe.discovery`, which caches the scan until something is installed or removed.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

import pluggy

from wfe import hookspecs
from wfe._version import __version__
from wfe.envflags import is_on

__all__ = [
    "ENTRY_POINT_GROUP",
    "ComponentRef",
    "ComponentRegistry",
    "ExecutorRef",
    "ExecutorRegistry",
    "PluginFailure",
    "PluginRef",
    "Plugins",
    "Registry",
    "load_plugins",
]

ENTRY_POINT_GROUP = "wfe.plugins"
_HOOK_NAMES = sorted(n for n in vars(hookspecs) if n.startswith("wfe_"))
_CORE_DISTRIBUTION = "engine-core"


# Start-up note: defining a frozen dataclass costs about 0.4 ms (its methods are
# generated and compiled), and `wfe components list` pays for every class defined here.
# So the subclasses below inherit PluginRef's methods instead of being dataclasses
# themselves, and the plain records are NamedTuples, as in wfe.discovery.


@dataclass(frozen=True, slots=True)
class PluginRef:
    """Something a plugin provides by name (a component, an executor), not yet imported.

    ``target`` is ``"module:Class"`` (imported on first use) or the class itself (for
    plugins defined in a notebook or a test). ``distribution`` and ``version`` are
    filled in by wfe from the plugin's entry point. Subclasses only set ``kind`` (and
    ``__slots__ = ()``): they share its fields, and ``dataclasses.replace`` keeps
    their class.
    """

    name: str
    target: str | type
    summary: str = ""
    distribution: str = ""
    version: str = ""

    #: what the reference names, for messages ("component", "executor")
    kind: ClassVar[str] = "plugin object"

    @property
    def target_path(self) -> str:
        if isinstance(self.target, str):
            return self.target
        return f"{self.target.__module__}:{self.target.__qualname__}"

    def load(self) -> type:
        """Import and return the class."""
        if not isinstance(self.target, str):
            return self.target
        from wfe.errors import ComponentLoadError

        module_name, _, attribute = self.target.partition(":")
        origin = f"from distribution '{self.distribution}'" if self.distribution else ""
        try:
            obj: Any = importlib.import_module(module_name)
            for part in attribute.split("."):
                obj = getattr(obj, part)
        except ImportError as exc:
            missing = getattr(exc, "name", None)
            hint = (
                f"; install the missing package (pip install {missing.split('.')[0]})"
                if missing and not module_name.startswith(missing)
                else f"; reinstall {self.distribution}"
                if self.distribution
                else ""
            )
            raise ComponentLoadError(
                f"{self.kind} '{self.name}' {origin} could not be imported from "
                f"'{self.target}': {type(exc).__name__}: {exc}{hint}"
            ) from exc
        except AttributeError as exc:
            raise ComponentLoadError(
                f"{self.kind} '{self.name}' {origin} points at '{self.target}', which does "
                f"not exist: {exc}"
            ) from exc
        if not isinstance(obj, type):
            raise ComponentLoadError(
                f"{self.kind} '{self.name}' {origin}: '{self.target}' is not a class"
            )
        return obj


class ComponentRef(PluginRef):
    """A component a plugin provides (see :class:`PluginRef`)."""

    __slots__ = ()
    kind: ClassVar[str] = "component"


class ExecutorRef(PluginRef):
    """An executor a plugin provides: a :class:`wfe.Executor` subclass (see
    :class:`PluginRef`). Its module must import nothing heavy: validation imports the
    class to check the executor's options; the engine it drives is imported when a run
    starts it."""

    __slots__ = ()
    kind: ClassVar[str] = "executor"


RefT = TypeVar("RefT", bound=PluginRef)


class PluginFailure(NamedTuple):
    """A plugin that could not be loaded, and why."""

    plugin: str
    distribution: str
    version: str
    error: BaseException

    def __str__(self) -> str:
        from wfe.errors import PluginError

        if isinstance(self.error, PluginError):  # it names the plugin already
            return f"{self.error}; fix it or uninstall {self.distribution}"
        return (
            f"plugin '{self.plugin}' from distribution {self.distribution} {self.version} "
            f"failed to load: {type(self.error).__name__}: {self.error}"
        )


class Registry(Generic[RefT]):
    """Every component (or executor) the loaded plugins provide, by name."""

    def __init__(self) -> None:
        self.refs: dict[str, RefT] = {}
        #: names provided by more than one plugin: all their references
        self.conflicts: dict[str, list[RefT]] = {}
        self._classes: dict[str, type] = {}

    def __repr__(self) -> str:
        return f"Registry(refs={self.refs!r}, conflicts={self.conflicts!r})"

    def __contains__(self, name: object) -> bool:
        return name in self.refs

    def __iter__(self) -> Iterator[RefT]:
        return iter(sorted(self.refs.values(), key=lambda r: r.name))

    def __len__(self) -> int:
        return len(self.refs)

    def get(self, name: str) -> RefT | None:
        return self.refs.get(name)

    def load(self, name: str) -> type:
        """The class named ``name`` (imported once, then cached)."""
        cls = self._classes.get(name)
        if cls is None:
            cls = self._classes[name] = self.refs[name].load()
        return cls


ComponentRegistry = Registry[ComponentRef]
ExecutorRegistry = Registry[ExecutorRef]


class Plugins:
    """The plugin manager, plus what discovery learned about each plugin.

    Build it with :func:`load_plugins`.
    """

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager
        self.failures: list[PluginFailure] = []
        #: plugin name -> (distribution, version)
        self.origins: dict[str, tuple[str, str]] = {}
        self._registry: ComponentRegistry | None = None
        self._executors: ExecutorRegistry | None = None
        #: True when every hook call is printed (WFE_TRACE_PLUGINS)
        self.tracing = False

    @property
    def hook(self) -> Any:
        return self.manager.hook

    def register(
        self, plugin: object, name: str | None = None, origin: tuple[str, str] = ("", "")
    ) -> None:
        """Register a plugin object (a module or an instance with hook implementations).

        Raises :class:`PluginError` (and registers nothing) when a hook implementation's
        name is not a wfe hook, or its arguments are not the hook's."""
        label = name or getattr(plugin, "__name__", type(plugin).__name__)
        where = f" from distribution {origin[0]} {origin[1]}" if origin[0] else ""
        try:
            registered = self.manager.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            from wfe.errors import PluginError

            detail = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise PluginError(f"plugin '{label}'{where}: {detail}") from exc
        if registered is None:
            return
        unknown = [c.name for c in self.manager.get_hookcallers(plugin) or () if c.spec is None]
        if unknown:
            from wfe.errors import PluginError
            from wfe.suggest import did_you_mean

            self.manager.unregister(plugin)
            hints = "; ".join(
                f"'{hook}' is not a wfe hook. "
                + (did_you_mean(hook, _HOOK_NAMES) or f"wfe's hooks: {', '.join(_HOOK_NAMES)}")
                for hook in unknown
            )
            raise PluginError(f"plugin '{label}'{where}: {hints}")
        self.origins[registered] = origin
        self._registry = self._executors = None

    def _failed(self, failure: PluginFailure) -> None:
        """Record a failure once, however often the registries are rebuilt."""
        key = (failure.plugin, type(failure.error), str(failure.error))
        if all((f.plugin, type(f.error), str(f.error)) != key for f in self.failures):
            self.failures.append(failure)

    def unregister(self, plugin: object) -> None:
        self.manager.unregister(plugin)
        self._registry = self._executors = None

    def distributions(self) -> list[tuple[str, str]]:
        """Installed distributions that provide plugins, with versions, sorted."""
        seen = {o for o in self.origins.values() if o[0]}
        seen.update((f.distribution, f.version) for f in self.failures)
        return sorted(seen)

    def components(self) -> ComponentRegistry:
        """All registered components. Calls each plugin's hook, imports no component."""
        if self._registry is None:
            self._registry = self._collect(self.manager.hook.wfe_register_components, ComponentRef)
        return self._registry

    def executors(self) -> ExecutorRegistry:
        """All registered executors. Calls each plugin's hook, imports no executor."""
        if self._executors is None:
            self._executors = self._collect(self.manager.hook.wfe_register_executors, ExecutorRef)
        return self._executors

    def _collect(self, hook: Any, kind: type[RefT]) -> Registry[RefT]:
        registry: Registry[RefT] = Registry()
        # In registration order: the built-in plugin first, then entry points, then extras.
        for impl in hook.get_hookimpls():
            distribution, version = self.origins.get(impl.plugin_name, ("", ""))
            try:
                refs = _refs(impl.function(), kind)
            except Exception as exc:
                self._failed(PluginFailure(impl.plugin_name, distribution, version, exc))
                continue
            for ref in refs:
                ref = replace(ref, distribution=distribution, version=version)
                first = registry.refs.get(ref.name)
                if first is None:
                    registry.refs[ref.name] = ref
                else:
                    registry.conflicts.setdefault(ref.name, [first]).append(ref)
        return registry


def _refs(returned: Any, kind: type[RefT]) -> list[RefT]:
    refs = list(returned or ())
    for ref in refs:
        if not isinstance(ref, kind):
            raise TypeError(f"expected {kind.__name__} objects, got {ref!r}")
    return refs


def load_plugins(
    extra: Iterable[object] = (), *, environ: Mapping[str, str] | None = None
) -> Plugins:
    """A plugin manager with wfe's built-in plugin, the installed plugins and ``extra``.

    Honours the ``WFE_*`` switches described in the module docstring.
    """
    from wfe import builtin

    env = os.environ if environ is None else environ
    plugins = Plugins(pluggy.PluginManager(hookspecs.PROJECT))
    plugins.manager.add_hookspecs(hookspecs)
    plugins.register(builtin, "wfe.builtin", (_CORE_DISTRIBUTION, __version__))
    if not is_on(env.get("WFE_DISABLE_PLUGIN_AUTOLOAD")):
        only = {n.strip() for n in env.get("WFE_PLUGINS", "").split(",") if n.strip()}
        _load_entry_points(plugins, only)
    for plugin in extra:
        plugins.register(plugin)
    if is_on(env.get("WFE_TRACE_PLUGINS")):
        plugins.manager.trace.root.setwriter(sys.stderr.write)
        plugins.manager.enable_tracing()
        plugins.tracing = True
    return plugins


def _load_entry_points(plugins: Plugins, only: set[str]) -> None:
    from wfe.discovery import installed_entry_points

    for entry_point in installed_entry_points():
        distribution, version = entry_point.distribution, entry_point.version
        if only and entry_point.name not in only and distribution not in only:
            continue
        try:
            plugin = entry_point.load()
            if plugins.manager.get_plugin(entry_point.name) is not None:
                raise ValueError(
                    f"another distribution already registered a plugin named '{entry_point.name}'"
                )
            plugins.register(plugin, entry_point.name, (distribution, version))
        except Exception as exc:
            plugins._failed(PluginFailure(entry_point.name, distribution, version, exc))

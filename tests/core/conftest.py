"""Fixtures for the engine-core tests: in-process plugins with throwaway components."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from wfe import ComponentRef, Plugins, hookimpl, load_plugins


class ComponentsPlugin:
    """A plugin object that registers component classes defined in a test."""

    def __init__(self, components: dict[str, type]) -> None:
        self.refs = [
            ComponentRef(name, cls, (cls.__doc__ or "").strip()) for name, cls in components.items()
        ]

    @hookimpl
    def wfe_register_components(self) -> list[ComponentRef]:
        return self.refs


MakePlugins = Callable[..., Plugins]


@pytest.fixture
def make_plugins() -> MakePlugins:
    """``make_plugins(extra_plugin, ..., name=ComponentClass, ...)``: only wfe's built-in
    plugin, the given plugin objects and the given components (no installed plugins)."""

    def make(*extra: Any, **components: type) -> Plugins:
        return load_plugins(
            [ComponentsPlugin(components), *extra], environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"}
        )

    return make

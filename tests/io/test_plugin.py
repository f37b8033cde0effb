"""components-io is a real distribution whose plugin wfe discovers by entry point."""

from __future__ import annotations

import importlib
from importlib.metadata import distribution

from wfe import load_plugins


def test_entry_point_is_declared_and_discovered() -> None:
    [entry_point] = [
        ep for ep in distribution("components-io").entry_points if ep.group == "wfe.plugins"
    ]
    assert entry_point.value == "wfe_io.plugin"
    plugins = load_plugins(environ={"WFE_PLUGINS": entry_point.name})
    assert plugins.failures == []
    assert ("components-io", distribution("components-io").version) in plugins.distributions()
    assert plugins.manager.get_plugin(entry_point.name) is importlib.import_module("wfe_io.plugin")


def test_every_registered_component_points_at_a_class_of_this_distribution() -> None:
    plugins = load_plugins(environ={"WFE_PLUGINS": "wfe_io"})
    for ref in plugins.components():
        if ref.distribution == "components-io":
            assert isinstance(ref.target, str), ref
            assert ref.target.startswith("wfe_io."), ref
            assert ref.summary, f"{ref.name} needs a one-line summary"
            assert isinstance(ref.load(), type)

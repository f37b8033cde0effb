"""components-ml is a real distribution whose plugin wfe discovers by entry point."""

from __future__ import annotations

import importlib
from importlib.metadata import distribution

from wfe import load_plugins


def test_entry_point_is_declared_and_discovered() -> None:
    [entry_point] = [
        ep for ep in distribution("components-ml").entry_points if ep.group == "wfe.plugins"
    ]
    assert entry_point.value == "wfe_ml.plugin"
    plugins = load_plugins(environ={"WFE_PLUGINS": entry_point.name})
    assert plugins.failures == []
    assert ("components-ml", distribution("components-ml").version) in plugins.distributions()
    assert plugins.manager.get_plugin(entry_point.name) is importlib.import_module("wfe_ml.plugin")


def test_every_registered_component_points_at_a_class_of_this_distribution() -> None:
    plugins = load_plugins(environ={"WFE_PLUGINS": "wfe_ml"})
    for ref in plugins.components():
        if ref.distribution == "components-ml":
            assert isinstance(ref.target, str), ref
            assert ref.target.startswith("wfe_ml."), ref
            assert ref.summary, f"{ref.name} needs a one-line summary"
            assert isinstance(ref.load(), type)

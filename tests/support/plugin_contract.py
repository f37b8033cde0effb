"""Checks every component distribution's plugin must pass (used by tests/io and tests/ml)."""

from __future__ import annotations

import importlib
from importlib.metadata import distribution

from wfe import load_plugins


def check_entry_point(dist_name: str, package: str) -> None:
    """The distribution declares one ``wfe.plugins`` entry point, ``<package>.plugin``,
    and wfe discovers and registers it without failures."""
    [entry_point] = [ep for ep in distribution(dist_name).entry_points if ep.group == "wfe.plugins"]
    assert entry_point.value == f"{package}.plugin"
    plugins = load_plugins(environ={"WFE_PLUGINS": entry_point.name})
    assert plugins.failures == []
    assert (dist_name, distribution(dist_name).version) in plugins.distributions()
    assert plugins.manager.get_plugin(entry_point.name) is importlib.import_module(
        f"{package}.plugin"
    )


def check_components(dist_name: str, package: str, expected: set[str]) -> None:
    """The plugin registers exactly ``expected``, each a lazy target inside ``package``
    with a summary, importable as a class."""
    plugins = load_plugins(environ={"WFE_PLUGINS": package})
    refs = [ref for ref in plugins.components() if ref.distribution == dist_name]
    assert {ref.name for ref in refs} == expected
    for ref in refs:
        assert isinstance(ref.target, str), ref
        assert ref.target.startswith(f"{package}."), ref
        assert ref.summary, f"{ref.name} needs a one-line summary"
        assert isinstance(ref.load(), type)

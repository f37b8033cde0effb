"""Discovery through entry points and pluggy: wfe.plugins."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from wfe_test_distributions import install_fake_distribution

import wfe
from wfe import ComponentRef, hookimpl
from wfe.plugins import load_plugins

from .conftest import MakePlugins

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


GOOD_PLUGIN = """
    from wfe import ComponentRef, hookimpl

    @hookimpl
    def wfe_register_components():
        return [ComponentRef("shout", "good_components:Shout", "Upper-case a string")]
"""
GOOD_COMPONENTS = """
    from wfe import Component, Param

    class Shout(Component):
        params_schema = {"text": Param(str)}

        def run(self):
            return self.params["text"].upper()
"""


@pytest.fixture
def site(tmp_path: Path, subprocess_env: Callable[..., dict[str, str]]) -> dict[str, str]:
    """A folder with one working and one broken plugin distribution; returns the env
    that puts it on the path of a `wfe` subprocess."""
    folder = tmp_path / "site"
    install_fake_distribution(
        folder,
        "good-dist",
        "[wfe.plugins]\ngood = good_plugin\n",
        {"good_plugin": GOOD_PLUGIN, "good_components": GOOD_COMPONENTS},
    )
    install_fake_distribution(
        folder, "broken-dist", "[wfe.plugins]\nbroken = broken_plugin_xyz\n", {}
    )
    return subprocess_env(folder)


def test_installed_plugins_are_discovered_and_a_broken_one_is_reported(
    run_wfe: RunWfe, site: dict[str, str]
) -> None:
    listed = run_wfe("components", "list", "--json", env=site)
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)["components"]}
    assert rows["shout"]["distribution"] == "good-dist"
    assert rows["shout"]["version"] == "1.0"
    assert rows["shout"]["target"] == "good_components:Shout"
    assert rows["python_function"]["distribution"] == "engine-core"
    assert (
        "plugin 'broken' from distribution broken-dist 1.0 failed to load: ModuleNotFoundError"
        in listed.stderr
    )


def test_a_discovered_component_runs(
    run_wfe: RunWfe, site: dict[str, str], write_workflow: Any
) -> None:
    path = write_workflow(
        "workflow_name: shouting\ntasks:\n"
        "  - {name: s, component_name: shout, params: {text: hello}, outputs: [loud]}\n"
    )
    done = run_wfe("run", str(path), env=site)
    assert done.returncode == 0, done.stderr
    assert "loud=str of 5" in done.stdout


def test_unknown_component_error_mentions_broken_plugins(
    run_wfe: RunWfe, site: dict[str, str], write_workflow: Any
) -> None:
    path = write_workflow(
        "workflow_name: x\ntasks:\n  - {name: t, component_name: from_broken, outputs: [o]}\n"
    )
    done = run_wfe("validate", str(path), env=site)
    assert done.returncode == 2
    assert "unknown component 'from_broken'" in done.stderr
    assert "good-dist 1.0" in done.stderr
    assert "plugin 'broken' from distribution broken-dist 1.0 failed to load" in done.stderr


def test_operator_switches_limit_what_is_loaded(
    run_wfe: RunWfe, site: dict[str, str], write_workflow: Any
) -> None:
    only_good = run_wfe("components", "list", "--json", env={**site, "WFE_PLUGINS": "good"})
    assert {r["name"] for r in json.loads(only_good.stdout)["components"]} == {
        "python_function",
        "shout",
    }
    assert only_good.stderr == ""
    none = run_wfe("components", "list", "--json", env={**site, "WFE_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert [r["name"] for r in json.loads(none.stdout)["components"]] == ["python_function"]
    path = write_workflow(
        "workflow_name: x\ntasks:\n  - {name: s, component_name: shout, params: {text: a}}\n"
    )
    traced = run_wfe(
        "run", str(path), env={**site, "WFE_PLUGINS": "good", "WFE_TRACE_PLUGINS": "1"}
    )
    assert traced.returncode == 0, traced.stderr
    assert "wfe_workflow_start" in traced.stderr
    assert "wfe_execute_task" in traced.stderr


class Provides:
    def __init__(self, *refs: ComponentRef) -> None:
        self.refs = list(refs)

    @hookimpl
    def wfe_register_components(self) -> list[Any]:
        return self.refs


def test_the_same_name_from_two_plugins_is_ambiguous() -> None:
    plugins = load_plugins(
        [Provides(ComponentRef("dup", "a:A")), Provides(ComponentRef("dup", "b:B"))],
        environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    with pytest.raises(
        wfe.DefinitionError, match="component 'dup' is provided by both a:A and b:B"
    ):
        wfe.loads("workflow_name: x\ntasks:\n  - {name: t, component_name: dup}\n", plugins=plugins)


def test_a_plugin_returning_something_else_is_recorded_as_a_failure() -> None:
    plugins = load_plugins([Provides("not a ref")], environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"})  # type: ignore[arg-type]
    assert [r.name for r in plugins.components()] == ["python_function"]
    [failure] = plugins.failures
    assert "expected ComponentRef objects" in str(failure)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "no_such_module_xyz:Thing",
            "could not be imported from 'no_such_module_xyz:Thing': ModuleNotFoundError",
        ),
        (
            "wfe_test_functions:Missing",
            "points at 'wfe_test_functions:Missing', which does not exist",
        ),
        ("wfe_test_functions:NOT_CALLABLE", "'wfe_test_functions:NOT_CALLABLE' is not a class"),
    ],
)
def test_a_component_that_cannot_be_imported_fails_validation(
    make_plugins: MakePlugins, target: str, message: str
) -> None:
    plugins = load_plugins(
        [Provides(ComponentRef("thing", target))], environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    )
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(
            "workflow_name: x\ntasks:\n  - {name: t, component_name: thing}\n", plugins=plugins
        )
    assert info.value.kinds == ["component-import"]
    assert message in str(info.value)


def test_a_missing_dependency_names_the_package_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "needs_dep.py").write_text("import some_missing_dependency_xyz\nclass C: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    ref = ComponentRef("c", "needs_dep:C", distribution="my-dist")
    with pytest.raises(wfe.ComponentLoadError, match=r"pip install some_missing_dependency_xyz"):
        ref.load()


def test_components_are_not_imported_by_discovery() -> None:
    plugins = load_plugins(
        [Provides(ComponentRef("lazy", "no_such_module_xyz:Never"))],
        environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    registry = plugins.components()
    assert "lazy" in registry  # listed without importing its module
    assert registry.get("lazy") is not None
    with pytest.raises(wfe.ComponentLoadError):
        registry.load("lazy")


MISNAMED_PLUGIN = """
    from wfe import hookimpl

    @hookimpl
    def wfe_task_ends(task, report):
        pass
"""
WRONG_ARGUMENTS_PLUGIN = """
    from wfe import hookimpl

    @hookimpl
    def wfe_task_end(task, reprot):
        pass
"""


def test_a_hook_that_is_not_a_wfe_hook_fails_the_plugin_by_name(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    install_fake_distribution(
        site, "typo-dist", "[wfe.plugins]\ntypo = typo_plugin\n", {"typo_plugin": MISNAMED_PLUGIN}
    )
    install_fake_distribution(
        site,
        "args-dist",
        "[wfe.plugins]\nargs = args_plugin\n",
        {"args_plugin": WRONG_ARGUMENTS_PLUGIN},
    )
    import os

    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    listed = run_wfe("components", "list", env=env)
    assert listed.returncode == 0
    warnings = [line for line in listed.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2  # each reported once
    [typo] = [w for w in warnings if "typo-dist" in w]
    assert "plugin 'typo' from distribution typo-dist 1.0" in typo
    assert "'wfe_task_ends' is not a wfe hook. did you mean 'wfe_task_end'" in typo
    assert typo.endswith("fix it or uninstall typo-dist")
    [args] = [w for w in warnings if "args-dist" in w]
    assert "plugin 'args' from distribution args-dist 1.0" in args
    assert "reprot" in args


def test_strict_checks_apply_to_plugins_registered_in_code() -> None:
    class Misnamed:
        @hookimpl
        def wfe_workflow_started(self) -> None:
            """Not a hook."""

    with pytest.raises(wfe.PluginError, match="did you mean 'wfe_workflow_start'"):
        load_plugins([Misnamed()], environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"})


def test_a_failing_plugin_is_reported_once_however_often_the_registry_is_rebuilt() -> None:
    class Broken:
        @hookimpl
        def wfe_register_components(self) -> list[Any]:
            raise RuntimeError("cannot list")

    plugins = load_plugins([Broken()], environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"})
    for extra in range(3):
        plugins.components()
        plugins.register(object(), name=f"extra-{extra}")  # invalidates the registry
    plugins.components()
    assert [str(f.error) for f in plugins.failures] == ["cannot list"]


def test_every_public_error_class_is_importable_from_wfe() -> None:
    from wfe import errors

    public = {
        name
        for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, Exception) and not name.startswith("_")
    }
    assert public <= set(wfe.__all__)
    assert all(getattr(wfe, name) is getattr(errors, name) for name in public)

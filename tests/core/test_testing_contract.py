"""The plugin contract a distribution keeps: wfe.testing.check_distribution."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from wfe_test_distributions import install_fake_distribution

from wfe.testing import ContractError, check_distribution

Site = Callable[..., None]

GOOD_PLUGIN = """
    from wfe import ComponentRef, ExecutorRef, hookimpl

    @hookimpl
    def wfe_register_components():
        return [ComponentRef("tidy_up", "tidy_components:TidyUp", "Strip and lower-case text")]

    @hookimpl
    def wfe_register_executors():
        return [ExecutorRef("tidy_inline", "tidy_components:Inline", "Tasks in the calling thread")]
"""
GOOD_COMPONENTS = """
    from wfe import Component, Input, Param
    from wfe.local_executors import SequentialExecutor

    class TidyUp(Component):
        '''Strip and lower-case a text.'''

        params_schema = {"strip": Param(bool, default=True, doc="strip the ends first")}
        inputs_schema = {"text": Input("the text to tidy")}
        outputs_schema = {"tidy": "the tidied text"}

        def run(self, text):
            return (text.strip() if self.params["strip"] else text).lower()

    class Inline(SequentialExecutor):
        '''Run tasks one at a time in the calling thread.'''
"""

BAD_PLUGIN = """
    import pretend_heavy  # registration must not import this
    from wfe import ComponentRef, ExecutorRef, hookimpl
    from messy_components import Undocumented

    @hookimpl
    def wfe_register_components():
        return [
            ComponentRef("undocumented", Undocumented, ""),
            ComponentRef("badly_declared", "messy_components:BadlyDeclared", "Two\\nlines"),
            ComponentRef("missing", "messy_components:NoSuchClass", "Points nowhere"),
            ComponentRef("does_nothing", "messy_components:DoesNothing", "Nothing"),
            ComponentRef("python_function", "messy_components:Fine", "Taken"),
        ]

    @hookimpl
    def wfe_register_executors():
        return [ExecutorRef("not_an_executor", "messy_components:Fine", "Not one")]
"""
BAD_COMPONENTS = """
    from wfe import Component, Input, Param

    class Undocumented(Component):
        params_schema = {"size": Param(int, default="big", doc="how big")}

        def run(self):
            return 1

    class BadlyDeclared:
        '''Declares its schemas wrongly (a seed-style class: wfe.Component would refuse).'''

        params_schema = {"size": int, "mode": Param(str, default="a")}
        inputs_schema = {"data": "the data"}
        outputs_schema = ["result"]

        def __init__(self, inputs, outputs, params):
            pass

        def execute(self):
            return {}

    class DoesNothing(Component):
        '''Forgets to implement run().'''

    class Fine(Component):
        '''Keeps the contract (but its name is taken, and it is no executor).'''

        def run(self):
            return 1
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """``site(name, entry_points, modules)``: install a fake distribution where this process
    (and the contract's subprocess) finds it; its modules are forgotten afterwards."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))

    def install(name: str, entry_points: str, modules: dict[str, str]) -> None:
        install_fake_distribution(folder, name, entry_points, modules)

    yield install
    for module in [m for m in sys.modules if (folder / f"{m}.py").exists()]:
        del sys.modules[module]


def test_a_distribution_that_keeps_the_contract_gets_a_report(site: Site) -> None:
    site(
        "tidy-dist",
        "[wfe.plugins]\ntidy = tidy_plugin\n",
        {"tidy_plugin": GOOD_PLUGIN, "tidy_components": GOOD_COMPONENTS},
    )
    report = check_distribution("tidy-dist")
    assert report.distribution == "tidy-dist"
    assert report.version == "1.0"
    assert report.plugins == ("tidy",)
    assert report.components == ("tidy_up",)
    assert report.executors == ("tidy_inline",)


def test_every_breach_is_reported_at_once(site: Site) -> None:
    site("heavy-lib", "", {"pretend_heavy": ""})
    site(
        "messy-dist",
        "[wfe.plugins]\nmessy = messy_plugin\n",
        {"messy_plugin": BAD_PLUGIN, "messy_components": BAD_COMPONENTS},
    )
    with pytest.raises(ContractError) as info:
        check_distribution("messy-dist")
    error = info.value
    assert isinstance(error, AssertionError)  # pytest reports it as a failed check
    assert str(error).startswith("distribution 'messy-dist' breaks the wfe plugin contract (")
    found = "\n".join(error.problems)
    expected = [
        # registration
        "component 'undocumented' is registered as the class itself; name it as a string "
        "'messy_components:Undocumented'",
        "component 'undocumented' has no summary",
        "component 'badly_declared' has a summary of several lines",
        "component 'python_function' is also provided by engine-core",
        "cannot import component 'missing': component 'missing' from distribution "
        "'messy-dist' points at 'messy_components:NoSuchClass', which does not exist",
        # classes and schemas
        "component 'undocumented' (messy_components:Undocumented) has no docstring",
        "component 'undocumented': params_schema['size'] has the default 'big', which its own "
        "check refuses: must be an integer, got the string 'big'",
        "component 'badly_declared': params_schema['size'] is type <class 'int'>, not a wfe.Param",
        "component 'badly_declared': params_schema['mode'] has no doc",
        "component 'badly_declared': inputs_schema['data'] is str 'the data', not a wfe.Input",
        "component 'badly_declared': outputs_schema must be a mapping of output roles to "
        "descriptions, got list",
        "component 'does_nothing' implements neither run() nor execute()",
        "executor 'not_an_executor' (messy_components:Fine) is not a wfe.Executor subclass",
        # the distribution as a whole
        "`wfe components show badly_declared` failed (exit code 70)",
        "registering its plugins imports 'pretend_heavy' (from heavy-lib)",
    ]
    for problem in expected:
        assert problem in found, f"missing: {problem}\nreported:\n{found}"
    assert len(error.problems) == len(expected), found  # and nothing else


@pytest.mark.slow  # probes a fake distribution in a subprocess
def test_allowed_imports_are_not_breaches(site: Site) -> None:
    site("light-lib", "", {"light_helper": ""})
    plugin = "\n    import light_helper" + GOOD_PLUGIN
    site(
        "helped-dist",
        "[wfe.plugins]\nhelped = helped_plugin\n",
        {"helped_plugin": plugin, "tidy_components": GOOD_COMPONENTS},
    )
    with pytest.raises(ContractError, match="registering its plugins imports 'light_helper'"):
        check_distribution("helped-dist")
    assert check_distribution("helped-dist", allow_imports=["light_helper"]).components == (
        "tidy_up",
    )


@pytest.mark.slow  # probes a fake distribution in a subprocess
def test_a_name_registered_twice_is_a_breach(site: Site) -> None:
    plugin = GOOD_PLUGIN.replace(
        'return [ComponentRef("tidy_up", "tidy_components:TidyUp", "Strip and lower-case text")]',
        'return [ComponentRef("tidy_up", "tidy_components:TidyUp", "Tidy")] * 2',
    )
    site(
        "twice-dist",
        "[wfe.plugins]\ntwice = twice_plugin\n",
        {"twice_plugin": plugin, "tidy_components": GOOD_COMPONENTS},
    )
    with pytest.raises(ContractError) as info:
        check_distribution("twice-dist")
    assert (
        info.value.problems
        == ("component 'tidy_up' is registered more than once: register each name once",) * 2
    )


@pytest.mark.slow  # probes a fake distribution in a subprocess
def test_a_plugin_that_fails_to_load_is_a_breach(site: Site) -> None:
    site("broken-dist", "[wfe.plugins]\nbroken = no_such_module_here\n", {})
    with pytest.raises(ContractError) as info:
        check_distribution("broken-dist")
    assert info.value.problems == (
        "plugin 'broken' from distribution broken-dist 1.0 failed to load: "
        "ModuleNotFoundError: No module named 'no_such_module_here'",
    )


def test_a_distribution_without_an_entry_point_says_how_to_add_one(site: Site) -> None:
    site("plain-dist", "[console_scripts]\nplain = plain_module:main\n", {"plain_module": ""})
    with pytest.raises(ContractError, match=r'add \[project.entry-points."wfe.plugins"\]'):
        check_distribution("plain-dist")


@pytest.mark.slow  # probes a fake distribution in a subprocess
def test_a_plugin_that_registers_nothing_is_a_breach(site: Site) -> None:
    site("empty-dist", "[wfe.plugins]\nempty = empty_plugin\n", {"empty_plugin": ""})
    with pytest.raises(ContractError, match="register no component and no executor"):
        check_distribution("empty-dist")


def test_an_unknown_distribution_says_to_install_it() -> None:
    with pytest.raises(
        ContractError, match="no distribution named 'no-such-dist' is installed in this environment"
    ):
        check_distribution("no-such-dist")
    with pytest.raises(TypeError, match="takes a distribution's name"):
        check_distribution("")

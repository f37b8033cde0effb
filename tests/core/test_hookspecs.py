"""The plugin contract stays documented and tested: wfe.hookspecs."""

from __future__ import annotations

import inspect
from pathlib import Path

from wfe import hookspecs

HOOKS = [
    name
    for name, obj in vars(hookspecs).items()
    if inspect.isfunction(obj) and name.startswith("wfe_")
]
TESTS = Path(__file__).resolve().parents[1]


def test_every_hook_is_prefixed_and_documented() -> None:
    assert set(HOOKS) == {
        "wfe_register_components",
        "wfe_register_executors",
        "wfe_execute_task",
        "wfe_workflow_start",
        "wfe_workflow_end",
        "wfe_task_start",
        "wfe_task_end",
        "wfe_task_error",
    }
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name))
        assert doc, f"{name} needs a docstring"
        assert len(doc) > 40, f"{name} needs a docstring that explains it"
        assert hasattr(getattr(hookspecs, name), "wfe_spec"), f"{name} is not marked as a hookspec"


def test_every_hook_has_a_test_that_implements_it() -> None:
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for p in TESTS.rglob("*.py")  # test modules and the plugins in tests/support
        if p.name != Path(__file__).name
    )
    for name in HOOKS:
        assert f"def {name}(" in sources, f"no test implements {name}"


def test_the_docs_document_every_hook() -> None:
    readme = (TESTS.parent / "docs" / "plugin-hooks.md").read_text(encoding="utf-8")
    for name in HOOKS:
        assert f"`{name}" in readme, f"docs/plugin-hooks.md does not document {name}"

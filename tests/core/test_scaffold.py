"""What `wfe new` writes: wfe.scaffold (the command itself: test_cli_new.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wfe.scaffold import (
    ScaffoldError,
    distribution_scaffold,
    package_name,
    workflow_text,
    write_files,
)


@pytest.mark.parametrize(
    ("name", "package"),
    [("wfe-weather", "wfe_weather"), ("Acme.Feature_Store", "acme_feature_store"), ("x", "x")],
)
def test_the_import_package_is_derived_from_the_name(name: str, package: str) -> None:
    assert package_name(name) == package


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad name", "'bad name' is not a distribution name: use letters, digits"),
        ("-leading", "'-leading' is not a distribution name"),
        ("trailing.", "'trailing.' is not a distribution name"),
        ("2fast", "gives the import package '2fast', which is not a Python identifier"),
        ("class", "gives the import package 'class', which is not a Python identifier"),
        ("json", "a package 'json' already exists in this environment"),
        ("wfe", "a package 'wfe' already exists in this environment"),
    ],
)
def test_names_that_cannot_work_are_refused(name: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=re.escape(message)):
        package_name(name)


def test_a_distribution_has_every_part_and_no_placeholder_left() -> None:
    scaffold = distribution_scaffold("wfe-weather")
    assert (scaffold.name, scaffold.package, scaffold.component) == (
        "wfe-weather",
        "wfe_weather",
        "wfe_weather_scale",
    )
    assert set(scaffold.files) == {
        "pyproject.toml",
        "README.md",
        "src/wfe_weather/__init__.py",
        "src/wfe_weather/plugin.py",
        "src/wfe_weather/components.py",
        "tests/test_components.py",
        "example.yaml",
    }
    for path, text in scaffold.files.items():
        assert "{{" not in text, path
        if path.endswith(".py"):
            compile(text, path, "exec")  # valid Python
    pyproject = scaffold.files["pyproject.toml"]
    assert '[project.entry-points."wfe.plugins"]\nwfe_weather = "wfe_weather.plugin"' in pyproject
    assert 'dependencies = ["engine-core~=0.1.0"]' in pyproject  # the installed version
    assert scaffold.files["example.yaml"].startswith("# yaml-language-server: $schema=")


def test_a_workflow_is_named_after_its_file() -> None:
    text = workflow_text("flows/Nightly load.yaml")
    assert text.startswith("# yaml-language-server: $schema=./wfe-workflow.schema.json\n")
    assert "\nworkflow_name: nightly_load\n" in text
    assert "wfe validate flows/Nightly load.yaml" in text
    assert "\nworkflow_name: workflow_2024\n" in workflow_text("2024.yaml")


def test_nothing_is_overwritten(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match=r"refusing to overwrite existing files: .*b\.txt"):
        write_files(tmp_path, {"a/a.txt": "new", "b.txt": "new"})
    assert (tmp_path / "b.txt").read_text() == "mine"
    assert not (tmp_path / "a").exists()  # nothing was written
    assert write_files(tmp_path, {"a/a.txt": "new"}) == [tmp_path / "a" / "a.txt"]

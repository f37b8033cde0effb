"""wfe.fingerprint: a fingerprint changes with the definition, the code and the data."""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import wfe
from wfe import Component, Param
from wfe.errors import CheckpointError
from wfe.fingerprint import Fingerprint, fingerprints

from .conftest import MakePlugins


class ReadFile(Component):
    """Reads the file named by its `path` param (declared in `reads`)."""

    params_schema = {"path": Param(str), "tag": Param(str, default="")}
    reads = ("path",)

    def run(self) -> str:
        return Path(self.params["path"]).read_text()


class Upper(Component):
    def run(self, text: str) -> str:
        return text.upper()


class Versioned(Component):
    code_version = "2024.1"

    def run(self) -> int:
        return 1


Prints = Callable[[str], dict[str, Fingerprint]]


@pytest.fixture
def prints(make_plugins: MakePlugins) -> Prints:
    """``prints(yaml_text)``: every task's fingerprint, with the test components."""

    def compute(text: str) -> dict[str, Fingerprint]:
        plugins = make_plugins(read_file=ReadFile, upper=Upper, versioned=Versioned)
        workflow = wfe.loads(text, plugins=plugins)
        return fingerprints(workflow.graph, plugins.components(), workflow.classes)

    return compute


def chain(path: Path, tag: str = "", extra: str = "") -> str:
    return (
        "workflow_name: fp\ntasks:\n"
        f"  - {{name: read, component_name: read_file, params: {{path: '{path}', tag: '{tag}'}}, outputs: [text]{extra}}}\n"
        "  - {name: shout, component_name: upper, inputs: {text: text}, outputs: [loud]}\n"
        "  - {name: alone, component_name: versioned, outputs: [one]}\n"
    )


def digests(found: dict[str, Fingerprint]) -> dict[str, str]:
    return {name: fp.digest for name, fp in found.items()}


def test_the_same_definition_code_and_data_give_the_same_fingerprints(
    prints: Prints, tmp_path: Path
) -> None:
    data = tmp_path / "in.txt"
    data.write_text("hello")
    first = prints(chain(data))
    assert digests(first) == digests(prints(chain(data)))
    assert all(len(fp.digest) == 32 for fp in first.values())
    assert first["shout"].identity["inputs"] == {"text": ["read", "text", first["read"].digest]}


def test_a_param_change_changes_that_task_and_everything_downstream(
    prints: Prints, tmp_path: Path
) -> None:
    data = tmp_path / "in.txt"
    data.write_text("hello")
    before, after = digests(prints(chain(data))), digests(prints(chain(data, tag="v2")))
    assert before["read"] != after["read"]
    assert before["shout"] != after["shout"]  # downstream, through its input
    assert before["alone"] == after["alone"]


def test_the_content_of_a_file_a_component_reads_is_part_of_its_fingerprint(
    prints: Prints, tmp_path: Path
) -> None:
    data = tmp_path / "in.txt"
    data.write_text("hello")
    before = prints(chain(data))
    digest = hashlib.sha256(b"hello").hexdigest()
    assert before["read"].identity["data"] == {str(data): {"size": 5, "sha256": digest}}
    data.write_text("hellO")
    after = prints(chain(data))
    assert before["read"].digest != after["read"].digest
    assert before["shout"].digest != after["shout"].digest
    data.write_text("hello")  # the same content again: the same fingerprint again
    assert digests(prints(chain(data))) == digests(before)


def test_a_task_can_name_more_locations_and_how_to_hash_them(
    prints: Prints, tmp_path: Path
) -> None:
    data, side = tmp_path / "in.txt", tmp_path / "lookup.csv"
    data.write_text("hello")
    side.write_text("a")
    text = chain(data, extra=f", reads: ['{side}'], hash_inputs: false")
    found = prints(text)["read"].identity["data"]
    assert set(found) == {str(data), str(side)}
    assert "mtime_ns" in found[str(side)]  # hash_inputs: false
    before = prints(text)["read"].digest
    side.write_text("bb")
    assert prints(text)["read"].digest != before


def test_data_version_stands_for_the_data(prints: Prints, tmp_path: Path) -> None:
    data = tmp_path / "in.txt"
    data.write_text("hello")
    text = chain(data, extra=", data_version: '2024-11-24'")
    before = prints(text)["read"]
    assert before.identity["data"] == {"data_version": "2024-11-24"}
    data.write_text("changed, but the task says its data is the 2024-11-24 snapshot")
    assert prints(text)["read"].digest == before.digest
    assert prints(text.replace("2024-11-24", "2024-11-25"))["read"].digest != before.digest


def test_a_location_whose_state_cannot_be_told_never_matches_an_earlier_fingerprint(
    prints: Prints, tmp_path: Path
) -> None:
    text = chain(tmp_path / "in.txt", extra=", reads: ['gopher://host/data']")
    first, second = prints(text), prints(text)
    assert first["read"].identity["data"]["gopher://host/data"] == {
        "unknown": "no location probe for 'gopher://' is installed"
    }
    assert first["read"].digest != second["read"].digest
    assert first["shout"].digest != second["shout"].digest
    assert first["alone"].digest == second["alone"].digest


@pytest.mark.parametrize("value", ["[1]", "['']", "[{a: b}]"])
def test_reads_must_list_locations(prints: Prints, tmp_path: Path, value: str) -> None:
    with pytest.raises(CheckpointError, match=r"task 'read': reads: must list locations"):
        prints(chain(tmp_path / "in.txt", extra=f", reads: {value}"))


def test_python_function_code_is_its_module_file(
    prints: Prints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "wfe_fp_steps.py"
    module.write_text("def make():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    text = (
        "workflow_name: fp\ntasks:\n"
        "  - {name: make, component_name: python_function, params: {function: 'wfe_fp_steps:make'}, outputs: [x]}\n"
    )
    before = prints(text)["make"]
    assert before.identity["code"]["distribution"] == "engine-core"
    assert before.identity["code"]["function"] == "wfe_fp_steps:make"
    assert "wfe_fp_steps" not in sys.modules  # found and hashed, not imported
    module.write_text("def make():\n    return 2\n")
    assert prints(text)["make"].digest != before.digest


def test_code_version_replaces_the_code_identity(
    prints: Prints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "wfe_fp_versioned.py"
    module.write_text("def make():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    text = (
        "workflow_name: fp\ntasks:\n"
        "  - {name: make, component_name: python_function, code_version: 3, params: {function: 'wfe_fp_versioned:make'}, outputs: [x]}\n"
        "  - {name: alone, component_name: versioned, outputs: [one]}\n"
    )
    before = prints(text)
    assert before["make"].identity["code"] == {"code_version": 3}
    assert before["alone"].identity["code"] == {"code_version": "2024.1"}  # the class's
    module.write_text("def make():\n    return 2  # a refactoring that changes nothing\n")
    assert prints(text)["make"].digest == before["make"].digest
    assert prints(text.replace("code_version: 3", "code_version: 4"))["make"].digest != (
        before["make"].digest
    )


def test_after_dependencies_carry_changes_downstream(prints: Prints, tmp_path: Path) -> None:
    data = tmp_path / "in.txt"
    data.write_text("hello")
    text = chain(data).replace("outputs: [one]}", "outputs: [one], after: [read]}")
    before, after = prints(text), prints(text.replace("tag: ''", "tag: 'x'"))
    assert before["alone"].identity["after"] == {"read": before["read"].digest}
    assert before["alone"].digest != after["alone"].digest


def test_secrets_never_reach_the_identity_or_the_shown_values(
    prints: Prints, tmp_path: Path
) -> None:
    text = (
        "workflow_name: fp\ntasks:\n"
        "  - name: call\n    component_name: python_function\n    outputs: [x]\n"
        "    params:\n      function: 'json:dumps'\n"
        "      kwargs: {obj: 'postgresql://ann:hunter2@db/x', password: hunter2, nested: {api_key: hunter2}}\n"
    )
    found = prints(text)["call"]
    stored = json.dumps([found.identity, found.shown])
    assert "hunter2" not in stored
    assert '{"nested":{"api_key":"***"}' in found.shown["params"]["kwargs"]
    assert '"obj":"postgresql://ann:***@d' in found.shown["params"]["kwargs"]


def test_fingerprints_pickle_with_their_target(prints: Prints, tmp_path: Path) -> None:
    from wfe.fingerprint import Target

    target = Target(ReadFile, {"path": "x"}, {})
    fingerprint = Fingerprint("t", "0" * 32, {"component": "c"}, {}, target)
    assert pickle.loads(pickle.dumps(fingerprint)) == fingerprint


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("code_version: [1]", "code_version must be a string or an integer, got a list"),
        ("data_version: {a: 1}", "data_version must be a string or an integer, got a mapping"),
        ("reads: in.txt", "reads must be a list, got the string 'in.txt'"),
        ("hash_inputs: sometimes", "hash_inputs must be true or false"),
    ],
)
def test_checkpoint_options_are_checked_when_the_workflow_is_loaded(
    make_plugins: MakePlugins, tmp_path: Path, option: str, message: str
) -> None:
    text = chain(tmp_path / "in.txt", extra=f", {option}")
    with pytest.raises(wfe.DefinitionError, match=message):
        wfe.loads(text, plugins=make_plugins(read_file=ReadFile, upper=Upper, versioned=Versioned))

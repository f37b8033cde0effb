"""`wfe schema`: wfe.schema."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RunWfe = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "wfe", "schema"], capture_output=True, text=True, check=True
    )
    loaded: dict[str, Any] = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def errors(schema: dict[str, Any], text: str) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(yaml.safe_load(text))]


def test_the_quickstart_workflow_matches_the_schema(schema: dict[str, Any]) -> None:
    assert errors(schema, (REPO / "workflows" / "quickstart.yaml").read_text()) == []


def test_the_schema_knows_components_params_and_options(schema: dict[str, Any]) -> None:
    task = schema["$defs"]["task"]
    assert "python_function" in task["properties"]["component_name"]["enum"]
    assert {"retries", "timeout", "after"} <= set(task["properties"])
    bad = """\
workflow_name: x
tasks:
  - name: t
    component_name: python_function
    params: {fucntion: 'a:b'}
    retries: many
    outputs: y
"""
    found = " | ".join(errors(schema, bad))
    assert "'function' is a required property" in found
    assert "Additional properties are not allowed ('fucntion' was unexpected)" in found
    assert "'y' is not of type 'array'" in found
    assert "'many'" in found  # retries: neither an integer nor a ${variable}


def test_variables_are_accepted_where_numbers_are_expected(schema: dict[str, Any]) -> None:
    text = "workflow_name: x\ntasks:\n  - {name: t, component_name: python_function, params: {function: 'a:b'}, retries: '${n}'}\n"
    assert errors(schema, text) == []

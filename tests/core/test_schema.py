"""`wfe schema`: wfe.schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import wfe
from wfe.spec import EXECUTOR_KEYS, TASK_KEYS, TASK_OPTIONS, TOP_KEYS

REPO = Path(__file__).resolve().parents[2]

EVERY_KEY = """\
workflow_name: every_key
description: Uses every key the parser accepts.
vars: {start: 1}
checkpoint: checkpoints
executor:
  name: threads
  options: {workers: 2}
tasks:
  - name: first
    component_name: python_function
    description: a constant
    params: {function: "wfe_test_functions:const", kwargs: {value: "${start}"}}
    outputs: [a]
    retries: 1
    retry_delay: 0.5
    retry_on: [OSError]
    timeout: 10
    code_version: "2"
    data_version: "2024-11-24"
    reads: [in.csv, "s3://bucket/key.csv"]
    hash_inputs: true
  - name: second
    component_name: python_function
    params: {function: "wfe_test_functions:inc"}
    inputs: {x: a}
    outputs: [b]
    after: [first]
"""


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
    # engine-core alone runs it; tests/workflows checks every example with all components
    assert errors(schema, (REPO / "workflows" / "quickstart.yaml").read_text()) == []


def test_a_workflow_with_every_key_the_parser_accepts_matches_the_schema(
    schema: dict[str, Any],
) -> None:
    document = yaml.safe_load(EVERY_KEY)
    assert set(document) == set(TOP_KEYS)
    assert set(document["executor"]) == set(EXECUTOR_KEYS)
    used = {key for task in document["tasks"] for key in task}
    assert used == {*TASK_KEYS, *TASK_OPTIONS}, "add the new keys to EVERY_KEY"
    wfe.loads(EVERY_KEY)  # wfe accepts it...
    assert errors(schema, EVERY_KEY) == []  # ...and so does the schema


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


@pytest.mark.parametrize(
    ("executor", "message"),
    [
        ("nosuch", "'nosuch' is not valid under any of the given schemas"),
        ("{name: threads, options: {wrkers: 2}}", "('wrkers' was unexpected)"),
        ("{name: threads, options: {workers: 0}}", "0 is less than the minimum of 1"),
        ("{name: threads, workers: 2}", "('workers' was unexpected)"),
    ],
)
def test_the_schema_checks_the_executor_section(
    schema: dict[str, Any], executor: str, message: str
) -> None:
    text = f"workflow_name: x\nexecutor: {executor}\ntasks: [{{name: t, component_name: python_function, params: {{function: 'a:b'}}}}]\n"
    validator = jsonschema.Draft202012Validator(schema)
    [error] = validator.iter_errors(yaml.safe_load(text))
    assert message in " | ".join(messages(error))


def messages(error: jsonschema.ValidationError) -> list[str]:
    """An error's message and those of the alternatives it tried (anyOf), all the way down."""
    return [error.message, *(m for e in error.context or [] for m in messages(e))]


def test_variables_are_accepted_where_numbers_are_expected(schema: dict[str, Any]) -> None:
    text = "workflow_name: x\ntasks:\n  - {name: t, component_name: python_function, params: {function: 'a:b'}, retries: '${n}'}\n"
    assert errors(schema, text) == []

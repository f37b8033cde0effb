from pathlib import Path

import pytest

import wfe
from wfe.testing import check_distribution, run_component

WORKFLOW = Path(__file__).parents[1] / "greetings.yaml"


def test_the_distribution_keeps_the_plugin_contract():
    # entry point, lazy registration, schemas, docs, `wfe components show`, light imports
    assert check_distribution("wfe-greetings").components == ("greet",)


def test_greet_greets_each_name():
    # checked and run as a task would be: {output name: value}
    outputs = run_component("greet", inputs={"names": ["Ada"]}, params={"greeting": "Hey"})
    assert outputs == {"greetings": ["Hey, Ada!"]}


def test_a_misspelt_param_fails_before_running():
    with pytest.raises(wfe.DefinitionError, match="did you mean 'greeting'"):
        run_component("greet", inputs={"names": []}, params={"greting": "Hey"})


def test_the_workflow_runs(run_workflow):
    # run in a temporary working folder; result["name"] is any output the run kept
    result = run_workflow(WORKFLOW, outputs=["names"]).raise_for_status()
    assert result["names"] == ["Ada", "Grace"]
    assert result["greetings"] == ["Hi, Ada!", "Hi, Grace!"]


def test_a_workflow_written_in_the_test(run_workflow):
    text = """
workflow_name: welcome
vars: {greeting: Hello}
tasks:
  - name: names
    component_name: python_function
    params: {function: "json:loads", kwargs: {s: '["Bo"]'}}
    outputs: [names]
  - name: greet
    component_name: greet
    params: {greeting: "${greeting}"}
    inputs: {names: names}
    outputs: [greetings]
"""
    result = run_workflow(text, vars={"greeting": "Ahoy"})  # like --var greeting=Ahoy
    assert result.ok, result.errors
    assert result["greetings"] == ["Ahoy, Bo!"]

"""The operator policy (wfe.policy): reading it, python_function's rule, and how the
command line shows and enforces it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import wfe
from wfe import policy as policy_module
from wfe.policy import NO_POLICY, Policy, current_policy

RunWfe = Callable[..., subprocess.CompletedProcess[str]]

RESTRICTIVE = """\
allowed_function_modules = ["wfe_test_functions.", "json"]
allow_any_estimator = false
require_model_pin = true
"""


@pytest.fixture
def default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Stand in for /etc/wfe/policy.toml, with WFE_POLICY unset."""
    path = tmp_path / "etc-wfe-policy.toml"
    monkeypatch.setattr(policy_module, "DEFAULT_POLICY_FILE", path)
    monkeypatch.delenv("WFE_POLICY", raising=False)
    policy_module._policy_for.cache_clear()
    yield path
    policy_module._policy_for.cache_clear()


def call(function: str, kwargs: str = "{s: '1'}") -> str:
    return (
        "workflow_name: p\ntasks:\n  - name: call\n    component_name: python_function\n"
        f"    params: {{function: '{function}', kwargs: {kwargs}}}\n    outputs: [out]\n"
    )


def test_without_a_policy_file_everything_is_allowed(default_file: Path) -> None:
    assert current_policy() == NO_POLICY
    assert NO_POLICY.restrictions() == []
    assert wfe.loads(call("os:getcwd", "{}")).run().ok


def test_the_default_location_is_read_when_wfe_policy_is_unset(default_file: Path) -> None:
    default_file.write_text("allow_any_estimator = false\n")
    assert current_policy() == Policy(path=str(default_file), allow_any_estimator=False)


def test_a_policy_is_parsed(use_policy: Callable[[str], Path]) -> None:
    path = use_policy(RESTRICTIVE)
    assert current_policy() == Policy(
        path=str(path),
        allowed_function_modules=("wfe_test_functions", "json"),
        allow_any_estimator=False,
        require_model_pin=True,
    )
    empty = use_policy("")
    assert current_policy() == Policy(path=str(empty))
    assert current_policy().summary() == f"policy: {empty}: no restrictions"


@pytest.mark.parametrize(
    ("module", "allowed"),
    [
        ("os", True),
        ("os.path", True),
        ("osmosis", False),
        ("my_team", True),
        ("my_team.steps.clean", True),
        ("my_teams", False),
        ("pandas", False),
        ("json", False),
    ],
)
def test_module_prefixes_match_on_dotted_boundaries(module: str, allowed: bool) -> None:
    policy = Policy(path="p.toml", allowed_function_modules=("os", "my_team"))
    assert policy.allows_module(module) is allowed


def test_an_allowed_function_validates_and_runs(use_policy: Callable[[str], Path]) -> None:
    use_policy(RESTRICTIVE)
    assert wfe.loads(call("json:loads", "{s: '[1, 2]'}")).run().results == {"out": [1, 2]}
    assert wfe.loads(call("wfe_test_functions:const", "{value: 3}")).run().results == {"out": 3}


def test_a_refused_function_is_a_definition_error_naming_the_policy_and_the_rule(
    use_policy: Callable[[str], Path],
) -> None:
    path = use_policy(RESTRICTIVE)
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(call("os:system", "{command: 'echo pwned'}"), source="wf.yaml")
    [problem] = info.value.problems
    assert problem.task == "call"
    assert str(problem.location) == "wf.yaml:5:24"
    assert problem.message == (
        f"function 'os:system' is refused by the operator policy {path} "
        "(allowed_function_modules: wfe_test_functions, json); module 'os' is not among them: "
        "call a function from an allowed module, or ask the operator to allow this one"
    )


def test_an_empty_module_list_refuses_every_function(use_policy: Callable[[str], Path]) -> None:
    use_policy("allowed_function_modules = []\n")
    with pytest.raises(wfe.DefinitionError, match=r"\(allowed_function_modules: none\)"):
        wfe.loads(call("json:loads"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("allowed_function_modules = [", "not valid TOML: "),
        (
            "alow_any_estimator = false\n",
            "unknown key 'alow_any_estimator' (did you mean 'allow_any_estimator'?); known keys: "
            "allowed_function_modules, allow_any_estimator, require_model_pin",
        ),
        ("require_model_pin = 'yes'\n", "require_model_pin must be true or false, got 'yes'"),
        ("allowed_function_modules = 'os'\n", "allowed_function_modules must be a list"),
        ("allowed_function_modules = ['os', 3]\n", "3 is not a module name"),
        ("allowed_function_modules = ['my team']\n", "'my team' is not a module name"),
        ("[python_function]\nmodules = []\n", "unknown key 'python_function'"),
    ],
)
def test_a_broken_policy_file_is_an_error_naming_the_file(
    use_policy: Callable[[str], Path], text: str, message: str
) -> None:
    path = use_policy(text)
    with pytest.raises(wfe.PolicyError) as info:
        current_policy()
    assert str(info.value).startswith(f"operator policy {path} (from WFE_POLICY): ")
    assert message in str(info.value)
    assert str(info.value).endswith("; fix the file or WFE_POLICY")
    with pytest.raises(wfe.PolicyError):  # loading a workflow that uses a rule
        wfe.loads(call("json:loads"))


def test_a_missing_policy_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WFE_POLICY", str(tmp_path / "missing.toml"))
    with pytest.raises(wfe.PolicyError, match=r"missing.toml \(from WFE_POLICY\): no such file"):
        current_policy()


# -- through the command line -------------------------------------------------------------


def test_validate_and_run_refuse_and_allow(run_wfe: RunWfe, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(RESTRICTIVE)
    env = {"WFE_POLICY": str(policy)}
    refused = tmp_path / "refused.yaml"
    refused.write_text(call("os:system", f"{{command: 'touch {tmp_path / 'pwned'}'}}"))
    for command in ("validate", "run"):
        done = run_wfe(
            command, str(refused), "--no-record" if command == "run" else "--debug", env=env
        )
        assert done.returncode == 2, done.stderr
        assert (
            f"{refused}:5:24: task 'call': function 'os:system' is refused by the operator "
            f"policy {policy} (allowed_function_modules: wfe_test_functions, json)"
        ) in done.stderr
    assert not (tmp_path / "pwned").exists()
    allowed = tmp_path / "allowed.yaml"
    allowed.write_text(call("json:loads"))
    assert run_wfe("validate", str(allowed), env=env).returncode == 0
    assert run_wfe("run", str(allowed), "--no-record", env=env).returncode == 0
    # without the policy the same file is allowed (python_function is for your own code)
    assert run_wfe("validate", str(refused), env={"WFE_POLICY": ""}).returncode == 0


@pytest.mark.parametrize("command", ["validate", "run", "components"])
def test_a_broken_policy_stops_every_command_with_exit_2(
    run_wfe: RunWfe, tmp_path: Path, command: str
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("allow_any_estimator = maybe\n")
    flow = tmp_path / "flow.yaml"
    flow.write_text("workflow_name: none\ntasks: []\n")  # uses no rule: still refused
    args = ["components", "list"] if command == "components" else [command, str(flow)]
    done = run_wfe(*args, env={"WFE_POLICY": str(policy)}, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: operator policy {policy} (from WFE_POLICY): not valid")
    assert "Traceback" not in done.stderr


def test_components_list_shows_the_policy(run_wfe: RunWfe, tmp_path: Path) -> None:
    none = run_wfe("components", "list", env={"WFE_POLICY": ""})
    assert none.stdout.splitlines()[-1].startswith("policy: none (set WFE_POLICY or create ")
    as_json = json.loads(run_wfe("components", "list", "--json", env={"WFE_POLICY": ""}).stdout)
    assert as_json["policy"]["restrictions"] == []
    policy = tmp_path / "policy.toml"
    policy.write_text(RESTRICTIVE)
    env = {"WFE_POLICY": str(policy)}
    listed = run_wfe("components", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[-1] == (
        f"policy: {policy}: python_function limited to modules wfe_test_functions, json; "
        "allow_any_estimator refused; pickle/joblib model files must be pinned with sha256"
    )
    as_json = json.loads(run_wfe("components", "list", "--json", env=env).stdout)
    assert as_json["policy"] == {
        "path": str(policy),
        "allowed_function_modules": ["wfe_test_functions", "json"],
        "allow_any_estimator": False,
        "require_model_pin": True,
        "restrictions": [
            "python_function limited to modules wfe_test_functions, json",
            "allow_any_estimator refused",
            "pickle/joblib model files must be pinned with sha256",
        ],
    }
    assert "python_function" in {row["name"] for row in as_json["components"]}


def test_under_a_module_limit_modules_next_to_the_workflow_are_not_importable(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    """Else a module next to the file could shadow an allowed one of the same name."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "wfe_test_functions.py").write_text(
        "def const(value):\n    return 'shadowed'\n", encoding="utf-8"
    )
    (project / "flow.yaml").write_text(call("wfe_test_functions:const", "{value: 1}"))
    policy = tmp_path / "policy.toml"
    policy.write_text('allowed_function_modules = ["wfe_test_functions"]\n')
    env = {"WFE_POLICY": str(policy)}
    limited = run_wfe("run", "project/flow.yaml", "--no-record", cwd=tmp_path, env=env)
    assert limited.returncode == 0, limited.stderr
    assert "out=int 1" in limited.stdout  # the installed module (tests/support)
    free = run_wfe("run", "project/flow.yaml", "--no-record", cwd=tmp_path, env={"WFE_POLICY": ""})
    assert "out=str of 8" in free.stdout  # without a limit, the module next to the file wins


def test_an_attribute_path_out_of_an_allowed_module_is_refused_when_it_runs(
    use_policy: Callable[[str], Path],
) -> None:
    use_policy(RESTRICTIVE)
    # json is allowed; json.decoder imports re, so this names re.compile
    result = wfe.loads(call("json:decoder.re.compile", "{pattern: 'x'}")).run()
    [error] = result.errors
    assert isinstance(error.__cause__, wfe.PolicyError)
    assert "it resolves to a callable from module 're', which is not among them" in str(
        error.__cause__
    )

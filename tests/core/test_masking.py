"""Secrets never shown: wfe.masking, and every channel a run or a definition error
writes to, each checked with planted secrets."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wfe
from wfe.masking import is_secret_name, mask_text, mask_value, mask_vars
from wfe.records import read_record

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASS",
        "db-pass",
        "api_key",
        "KEY",
        "aws_secret_access_key",
        "AWSSecretAccessKey",
        "dbPassword",
        "dbpassword",
        "password2",
        "x.pwd",
        "github_token",
        "MYTOKEN",
        "apikey",
        "credentials",
        "Authorization",
    ],
)
def test_secret_names_are_recognised_by_their_parts(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["monkey", "passenger", "keyboard", "tokenizer", "author", "data_root", "bucket", "bypass_x"],
)
def test_words_that_merely_contain_a_secret_word_are_not_secrets(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (  # the rest of the message is kept byte for byte, the mail address included
            "connect postgresql://u:pw@h/db failed; mail admin@example.com",
            "connect postgresql://u:***@h/db failed; mail admin@example.com",
        ),
        ("postgresql://u@h/db?password=hunter2", "postgresql://u@h/db?password=***"),
        (
            "'postgresql://u@h/db?sslmode=require&password=hunter2&application_name=x'",
            "'postgresql://u@h/db?sslmode=require&password=***&application_name=x'",
        ),
        ("('postgresql://u@h/db?api_key=k1'), next", "('postgresql://u@h/db?api_key=***'), next"),
        ("postgresql://u:p@ss@h/db?x=a@b.c", "postgresql://u:***@h/db?x=a@b.c"),  # unencoded @
        ("postgresql://u:pa/ss@h/db", "postgresql://u:***@h/db"),  # unencoded /
        ("postgresql://:pw@h", "postgresql://:***@h"),
        ("https://h/x?next=https://u:pw@evil/p&a=1", "https://h/x?next=https://u:***@evil/p&a=1"),
        ("redis://h:6379/0 and s3://bucket/key@x", "redis://h:6379/0 and s3://bucket/key@x"),
        ("two: a://u:1@h b://v:2@k", "two: a://u:***@h b://v:***@k"),
        ("no URL, user:pw@host", "no URL, user:pw@host"),
    ],
)
def test_mask_text_hides_only_passwords_and_secret_query_values(text: str, masked: str) -> None:
    assert mask_text(text) == masked
    assert mask_text(masked) == masked  # masking twice changes nothing


# Passwords SQLAlchemy accepts unencoded: any visible character but "@".
_PASSWORDS = st.text(
    st.characters(categories=["L", "N", "P", "S"], exclude_characters="@"), min_size=1
)
_NAMES = st.from_regex(r"[a-z][a-z0-9_.-]{0,12}", fullmatch=True)


@given(user=_NAMES, password=_PASSWORDS, host=_NAMES, extra=st.sampled_from(["", ":5432"]))
def test_any_password_is_masked_and_the_rest_kept(
    user: str, password: str, host: str, extra: str
) -> None:
    text = f"connect postgresql://{user}:{password}@{host}{extra}/db failed; mail a@example.com"
    assert mask_text(text) == (
        f"connect postgresql://{user}:***@{host}{extra}/db failed; mail a@example.com"
    )


@given(
    name=st.sampled_from(["password", "sslpassword", "api_key", "token", "DB_PASS"]),
    value=st.text(
        st.characters(categories=["L", "N", "P", "S"], exclude_characters="&;#"), min_size=1
    ),
)
def test_any_secret_query_value_is_masked_and_the_rest_kept(name: str, value: str) -> None:
    text = f"postgresql://u@h/db?sslmode=require&{name}={value}&application_name=wfe done"
    assert mask_text(text) == (
        f"postgresql://u@h/db?sslmode=require&{name}=***&application_name=wfe done"
    )


def test_mask_value_and_mask_vars_walk_mappings_and_lists() -> None:
    values = {
        "DB_PASS": "hunter2",
        "conn": {"url": "postgresql://u:pw1@h/d", "password": 7, "hosts": ["a", "b"]},
        "urls": ["postgresql://u@h?password=pw2", ("mysql://u:pw3@h",)],
        "n": 3,
    }
    assert mask_vars(values) == {
        "DB_PASS": "***",
        "conn": {"url": "postgresql://u:***@h/d", "password": "***", "hosts": ["a", "b"]},
        "urls": ["postgresql://u@h?password=***", ["mysql://u:***@h"]],
        "n": 3,
    }
    # by_name=False: keys are not names of secrets (tasks called "api_key_check", say)
    assert mask_value({"api_key_check": "ok postgresql://u:pw@h"}, by_name=False) == {
        "api_key_check": "ok postgresql://u:***@h"
    }


def test_definition_errors_are_masked_in_every_form() -> None:
    text = (
        "workflow_name: m\ntasks:\n"
        "  - {name: t, component_name: python_function, outputs: [x],"
        " params: {function: 'json:loads', kwargs: 'postgresql://u:PLANTED@h/db'}}\n"
    )
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="m.yaml")
    [problem] = info.value.problems
    assert "postgresql://u:***@h/db" in problem.message
    assert "PLANTED" not in str(info.value) + problem.message + problem.hint
    assert str(problem.location) == "m.yaml:3:103"


def test_task_errors_are_masked() -> None:
    text = (
        "workflow_name: m\ntasks:\n"
        "  - {name: t, component_name: python_function, outputs: [x], params:"
        " {function: 'wfe_test_functions:fail_with', kwargs: {message: 'no postgresql://u@h/d?password=PLANTED'}}}\n"
    )
    [error] = wfe.loads(text).run().errors
    assert "no postgresql://u@h/d?password=***" in str(error)
    assert "PLANTED" not in str(error)


# -- every output channel of the command line, with planted secrets -----------------------

PLANTED = ("PLANTED-1", "PLANTED-2", "PLANTED-3", "PLANTED-4", "PLANTED-5", "PLANTED-6")

CHANNELS = """\
workflow_name: planted
vars:
  db_url: postgresql://etl@127.0.0.1/warehouse?password=PLANTED-1
  conn:
    url: postgresql://etl:PLANTED-2@127.0.0.1/warehouse
    replicas: ["mysql://ro:PLANTED-3@replica/db"]
tasks:
  - name: make
    component_name: python_function
    params:
      function: wfe_test_functions:const
      kwargs: {value: "${conn} ${DB_PASS}"}
    outputs: [text]
  - name: connect
    component_name: python_function
    params:
      function: wfe_test_functions:fail_with
      kwargs: {message: "connect ${db_url} failed; mail admin@example.com"}
    inputs: {ignored: text}
    outputs: [never]
"""


def _clean(text: str) -> None:
    leaked = [secret for secret in PLANTED if secret in text]
    assert not leaked, f"{leaked} in:\n{text}"


@pytest.mark.slow  # every output channel of several wfe runs: ~1.5 s
def test_no_channel_shows_a_planted_secret(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = tmp_path / "planted.yaml"
    path.write_text(CHANNELS)
    env = {"DB_PASS": "PLANTED-4"}
    records = tmp_path / "records"
    seen = []
    for extra in (["--log-format", "json"], ["--debug"], []):
        done = run_wfe(
            "run",
            str(path),
            "--record-dir",
            str(records),
            "--checkpoint",
            str(tmp_path / "checkpoints"),
            *extra,
            env=env,
            cwd=tmp_path,
        )
        assert done.returncode == 1, done.stderr
        seen.append(done.stdout + done.stderr)
    masked_error = (
        "connect postgresql://etl@127.0.0.1/warehouse?password=*** failed; mail admin@example.com"
    )
    assert all(masked_error in output for output in seen)
    folders = [path.parent for path in records.glob("*/run.json")]
    assert len(folders) == 3
    for folder in folders:
        summary = json.loads((folder / "run.json").read_text())
        assert summary["vars"] == {
            "DB_PASS": "***",
            "conn": {
                "url": "postgresql://etl:***@127.0.0.1/warehouse",
                "replicas": ["mysql://ro:***@replica/db"],
            },
            "db_url": "postgresql://etl@127.0.0.1/warehouse?password=***",
        }
        tasks = (folder / "tasks.jsonl").read_text()
        record = read_record(folder)
        assert record is not None
        assert record["tasks"]["connect"]["error"] == f"ValueError: {masked_error}"
        seen += [(folder / "run.json").read_text(), tasks]
        for as_json in ([], ["--json"]):
            shown = run_wfe(
                "runs", "show", summary["run_id"], "--record-dir", str(records), *as_json
            )
            assert shown.returncode == 0, shown.stderr
            seen.append(shown.stdout + shown.stderr)
    seen.append(run_wfe("runs", "list", "--record-dir", str(records), "--json").stdout)
    manifests = list((tmp_path / "checkpoints").rglob("manifest.json"))
    assert manifests
    seen += [p.read_text() for p in manifests]
    # three runs; per record its two files, show and show --json; runs list --json
    assert len(seen) == 3 + 3 * 4 + 1 + len(manifests)
    for output in seen:
        _clean(output)


def test_validate_masks_definition_errors_in_text_and_json(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "workflow_name: bad\ntasks:\n"
        "  - {name: t, component_name: python_function, outputs: [x],"
        " params: {function: 'json:loads', kwargs: 'postgresql://u@h/db?password=PLANTED-5'}}\n"
    )
    for command in (["validate", str(path)], ["run", str(path), "--log-format", "json"]):
        done = run_wfe(*command, "--debug", cwd=tmp_path)
        assert done.returncode == 2
        assert "postgresql://u@h/db?password=***" in done.stdout + done.stderr
        _clean(done.stdout + done.stderr)


@pytest.mark.slow  # every output channel of several wfe runs: ~1.5 s
def test_task_logs_are_masked_in_every_channel(run_wfe: RunWfe, tmp_path: Path) -> None:
    path = tmp_path / "chatty.yaml"
    path.write_text(
        "workflow_name: chatty\ntasks:\n"
        "  - {name: talk, component_name: python_function, outputs: [said], params:"
        " {function: 'wfe_test_functions:chatty',"
        " kwargs: {label: 'postgresql://u:PLANTED-6@h/db', fail: true}}}\n"
    )
    records = tmp_path / "records"
    seen = []
    for extra in (["--log-level", "INFO", "--log-file", str(tmp_path / "wfe.log")], []):
        for log_format in ("text", "json"):
            done = run_wfe(
                "run",
                str(path),
                "--record-dir",
                str(records),
                "--log-format",
                log_format,
                *extra,
                cwd=tmp_path,
            )
            assert done.returncode == 1
            seen.append(done.stdout + done.stderr)
    assert "print from postgresql://u:***@h/db" in seen[0]  # echoed, and in the failure tail
    assert "INFO [talk] chatty: info from postgresql://u:***@h/db" in seen[0]
    seen.append((tmp_path / "wfe.log").read_text())
    logs = list(records.glob("*/logs/*.log"))
    assert len(logs) == 4
    seen += [log.read_text() for log in logs]
    for log in logs:
        shown = run_wfe("runs", "log", log.parent.parent.name, "talk", "--record-dir", str(records))
        assert shown.returncode == 0, shown.stderr
        assert "print from postgresql://u:***@h/db" in shown.stdout
        seen.append(shown.stdout + shown.stderr)
    for output in seen:
        _clean(output)

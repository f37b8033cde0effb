"""components-io's pytest plugin: real S3 and PostgreSQL servers (wfe_io.testing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
Env = Callable[..., dict[str, str]]

AFTER_THE_README = """
import os


def test_afterwards_the_environment_is_as_it_was():
    assert os.environ["AWS_ENDPOINT_URL"] == "http://sentinel.invalid"
    assert os.environ["AWS_PROFILE"] == "sentinel"
    assert "AWS_ACCESS_KEY_ID" not in os.environ
"""

WITHOUT_SERVICES = """
def test_s3(bucket):
    pass


def test_postgres(postgres_server):
    pass


def test_nothing_needed():
    pass
"""


def readme_example() -> str:
    readme = (REPO / "docs" / "writing-components.md").read_text(encoding="utf-8")
    [code] = re.findall(
        r"<!-- tested by tests/io/test_testing_fixtures.py -->\n```python\n(.*?)```", readme, re.S
    )
    return code


def pytest_in(folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess on ``folder``, as a component author runs it: only the
    plugins installed with the distributions, no configuration of this repository."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_s3_endpoint_points_boto3_at_moto_with_fake_credentials(s3_endpoint: str) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", s3_endpoint)
    assert os.environ["AWS_ENDPOINT_URL"] == s3_endpoint
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert os.environ["AWS_CONFIG_FILE"] == os.devnull
    assert "AWS_PROFILE" not in os.environ
    assert "AWS_ENDPOINT_URL_S3" not in os.environ


@pytest.mark.slow  # a pytest session in a subprocess, with pandas, moto and a database
def test_the_readme_example_runs_as_printed_and_the_environment_is_restored(
    tmp_path: Path, subprocess_env: Env, postgres_server: str
) -> None:
    (tmp_path / "test_readme_example.py").write_text(readme_example())
    (tmp_path / "test_zz_after.py").write_text(AFTER_THE_README)
    env = subprocess_env()
    env.update(
        AWS_ENDPOINT_URL="http://sentinel.invalid",
        AWS_PROFILE="sentinel",
        WFE_TEST_POSTGRES_URL=postgres_server,  # this session's server: no second cluster
    )
    env.pop("AWS_ACCESS_KEY_ID", None)
    done = pytest_in(tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout  # the S3 example, the database one twice, the check


def test_without_the_services_their_fixtures_fail_saying_what_to_install(
    tmp_path: Path, subprocess_env: Env
) -> None:
    decoys = tmp_path / "decoys"  # moto as if not installed; no PostgreSQL binaries
    (decoys / "moto").mkdir(parents=True)
    (decoys / "moto" / "__init__.py").write_text("raise ImportError('No module named moto')\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "conftest.py").write_text(
        "import wfe_io.testing.postgres\n\nwfe_io.testing.postgres.server_bindir = lambda: None\n"
    )
    (tests / "test_services.py").write_text(WITHOUT_SERVICES)
    env = subprocess_env(decoys)
    env.pop("WFE_TEST_POSTGRES_URL", None)
    env["CI"] = "true"  # under CI a missing server fails; elsewhere PostgreSQL's tests skip
    done = pytest_in(tests, env)
    assert done.returncode == 1
    assert re.search(r"\b1 passed, 2 errors\b", done.stdout), done.stdout
    assert "pip install 'components-io[testing]'" in done.stdout
    assert "PostgreSQL's server binaries were not found" in done.stdout
    assert "PASSED test_services.py::test_nothing_needed" in done.stdout  # the plugin loaded
    assert "direct cause" not in done.stdout  # the hint alone, no chain of exceptions


@pytest.mark.usefixtures("s3_endpoint")
def test_bucket_is_new_and_empty(s3: object, bucket: str) -> None:
    listing = s3.list_objects_v2(Bucket=bucket)  # type: ignore[attr-defined]
    assert listing["KeyCount"] == 0
    assert bucket.startswith("wfe-test-")

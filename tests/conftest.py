"""Shared fixtures for every test folder (core, io, ml, workflows)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SUPPORT = Path(__file__).resolve().parent / "support"

# Test helper functions (tests/support/wfe_test_functions.py) must be importable by
# python_function, both in this process and in `wfe` subprocesses.
sys.path.insert(0, str(SUPPORT))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(SUPPORT), os.environ.get("PYTHONPATH", "")) if p
)


@pytest.fixture
def write_workflow(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write YAML text to a file in a temporary folder and return its path."""

    def write(text: str, name: str = "workflow.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def _run_wfe(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wfe", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def run_wfe() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``wfe`` command as a user would, in a subprocess:
    ``run_wfe("run", path, cwd=..., env={...})``."""
    return _run_wfe


@pytest.fixture
def use_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """``use_policy(toml_text)``: write an operator policy file and point WFE_POLICY at it
    (a new file each call: wfe reads a policy once per process and file name)."""
    count = 0

    def use(text: str) -> Path:
        nonlocal count
        count += 1
        path = tmp_path / f"policy-{count}.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("WFE_POLICY", str(path))
        return path

    return use


# -- real services (started on 127.0.0.1 by the tests that need them) ----------------

AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server, bound to loopback on a free port. For the whole session the
    environment points boto3 at it (subprocesses inherit that) with fake credentials,
    so nothing can reach a real AWS account."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = {k: os.environ.get(k) for k in [*AWS_TEST_ENV, "AWS_ENDPOINT_URL", "AWS_PROFILE"]}
    os.environ.update(AWS_TEST_ENV, AWS_ENDPOINT_URL=endpoint)
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield endpoint
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def bucket(s3: Any) -> str:
    """A new, empty bucket for one test."""
    name = f"wfe-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server: WFE_TEST_POSTGRES_URL if set, else a throwaway
    cluster started for this session. Missing PostgreSQL fails under CI and skips
    (saying how to get it) elsewhere."""
    given = os.environ.get("WFE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    import pg_cluster

    if pg_cluster.server_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail(pg_cluster.INSTALL_HINT)
        pytest.skip(pg_cluster.INSTALL_HINT)
    cluster = pg_cluster.start_cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


def _fresh_postgres_database(server: str) -> str:
    import sqlalchemy

    name = f"wfe_test_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return _fresh_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def read_table() -> Callable[[str, str], Any]:
    """``read_table(url, table)``: the table's rows as a DataFrame, ordered as stored."""

    def read(url: str, table: str) -> Any:
        import pandas as pd
        import sqlalchemy

        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as connection:
                return pd.read_sql_table(table, connection)
        finally:
            engine.dispose()

    return read

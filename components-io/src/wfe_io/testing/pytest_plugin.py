"""components-io's pytest plugin: real S3 and PostgreSQL servers for component tests.

pytest loads it wherever components-io is installed (entry point ``pytest11: wfe_io``;
``-p no:wfe_io`` turns it off). Servers start when a test first asks for them, on
127.0.0.1 only, and stop at the end of the session.

S3 (moto's server over HTTP; needs ``pip install 'components-io[testing]'``, else
these fixtures fail saying so):

``s3_server``
    session: the endpoint URL of moto's S3 server.
``s3_endpoint``
    the same URL; for the test's duration the environment points boto3 at it with
    fake credentials (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ...; restored
    after), so components and ``wfe`` subprocesses use it unchanged.
``s3``
    a boto3 S3 client for that server.
``bucket``
    the name of a new, empty bucket.

Databases (PostgreSQL needs its server binaries, see :mod:`wfe_io.testing.postgres`,
and ``pip install 'components-io[postgres]'``):

``postgres_server``
    session: the URL of a PostgreSQL server: ``WFE_TEST_POSTGRES_URL`` if set, else a
    throwaway cluster. Without PostgreSQL it fails when ``CI`` is set, else skips
    saying how to install it.
``database_url``
    an empty database, once on SQLite and once on PostgreSQL (parametrized).
``read_table``
    ``read_table(url, table)``: a table's rows as a DataFrame, in stored order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for the whole session."""
    from wfe_io.testing.s3 import MotoMissingError, moto_server

    missing = ""
    try:
        with moto_server() as endpoint:
            yield endpoint
    except MotoMissingError as exc:
        missing = str(exc)
    if missing:  # failed outside the handler: the report shows the hint, not a chain
        pytest.fail(missing, pytrace=False)


@pytest.fixture
def s3_endpoint(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The S3 server's URL, with the environment pointing boto3 at it for this test."""
    from wfe_io.testing.s3 import fake_environment

    for name, value in fake_environment(s3_server).items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return s3_server


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    """A boto3 S3 client of the test server."""
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
    """A PostgreSQL server's URL: WFE_TEST_POSTGRES_URL, else a throwaway cluster."""
    given = os.environ.get("WFE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    from wfe_io.testing.postgres import INSTALL_HINT, server_bindir, start_cluster

    if server_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail(INSTALL_HINT, pytrace=False)
        pytest.skip(INSTALL_HINT)
    cluster = start_cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    from wfe_io.testing.postgres import fresh_database

    server = request.getfixturevalue("postgres_server")
    try:
        return fresh_database(server)
    except ImportError as exc:
        missing = f"{exc}: PostgreSQL needs its driver: pip install 'components-io[postgres]'"
    pytest.fail(missing, pytrace=False)


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

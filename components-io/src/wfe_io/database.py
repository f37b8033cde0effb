"""Database URLs, engines and identifiers shared by ``sql_query`` and ``database_writer``.

A URL is a SQLAlchemy URL. When a task gives none, it comes from ``WFE_DATABASE_URL``;
when that is unset too, it is the embedded default, a SQLite file ``wfe.db`` in the
working directory. Passwords never appear in a message: every URL shown is masked.

SQLite engines are made *really* transactional: by default the pysqlite driver
commits before DDL (so ``DROP TABLE`` inside a transaction cannot be rolled back);
SQLAlchemy's documented fix takes over ``BEGIN`` so that a failed or killed write
leaves the previous table exactly as it was.

Table and schema names are checked at validate time against the rules of the database
the URL names, so that nothing "succeeds" without a table to show for it: temporary
schemas (SQLite's ``temp``, PostgreSQL's ``pg_temp``/``pg_temp_N``) lose their tables
when the connection closes; SQLite reserves ``sqlite_*`` table names; PostgreSQL
reserves ``pg_*`` schema names and silently cuts every name to 63 bytes of UTF-8.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

from wfe.masking import mask_text

__all__ = [
    "DEFAULT_URL",
    "URL_VARIABLE",
    "DatabaseError",
    "create_engine",
    "driver_message",
    "identifier_problem",
    "resolve_url",
    "table_problems",
    "url_param_problems",
    "url_problem",
]

URL_VARIABLE = "WFE_DATABASE_URL"
DEFAULT_URL = "sqlite:///wfe.db"
#: seconds a SQLite writer waits for another writer's transaction to finish
SQLITE_LOCK_WAIT = 300.0

# SQLAlchemy driver name -> (module to import, what to pip install)
_DRIVERS = {
    "psycopg": ("psycopg", "psycopg[binary]"),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "pg8000": ("pg8000", "pg8000"),
    "asyncpg": ("asyncpg", "asyncpg"),
    "pysqlite": ("sqlite3", "(part of Python)"),
    "mysqldb": ("MySQLdb", "mysqlclient"),
    "pymysql": ("pymysql", "pymysql"),
    "mariadbconnector": ("mariadb", "mariadb"),
    "oracledb": ("oracledb", "oracledb"),
    "pyodbc": ("pyodbc", "pyodbc"),
}
#: PostgreSQL keeps the first NAMEDATALEN - 1 bytes of a name (and says so only in a NOTICE).
POSTGRES_NAME_BYTES = 63
_POSTGRES_TEMP_SCHEMA = re.compile(r"pg_temp(_[0-9]+)?")  # case matters: "PG_TEMP" is quoted


class DatabaseError(RuntimeError):
    """A database call failed; the message names the (masked) URL and what to do."""


def resolve_url(url: str | None) -> str:
    """The task's URL, else ``$WFE_DATABASE_URL``, else the embedded SQLite default."""
    return url or os.environ.get(URL_VARIABLE) or DEFAULT_URL


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be used (bad syntax, unknown dialect, missing driver), or None.

    Checked at validate time; imports SQLAlchemy's dialect module but not the driver.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
        dialect = parsed.get_dialect()
    except NoSuchModuleError:  # (a subclass of ArgumentError)
        return f"'{mask_text(url)}': unknown database dialect '{url.split(':', 1)[0]}'"
    except ArgumentError:
        return f"'{mask_text(url)}' is not a database URL (expected e.g. sqlite:///file.db or postgresql://user@host/db)"
    except ValueError:  # SQLAlchemy converts the port with int()
        return (
            f"'{mask_text(url)}' is not a database URL: its port is not a number "
            "(expected e.g. postgresql://user@host:5432/db)"
        )
    module, package = _DRIVERS.get(dialect.driver, (None, None))
    if module is not None and importlib.util.find_spec(module) is None:
        return (
            f"the database driver '{dialect.driver}' for {mask_text(url)} is not installed: "
            f"pip install {package}"
        )
    return None


def url_param_problems(params: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    """Validate-time check of a component's optional ``url`` param."""
    url = params.get("url")
    if isinstance(url, str) and (problem := url_problem(url)):
        yield "url", f"param 'url': {problem}"


def create_engine(url: str, *, writing: bool = False) -> Any:
    """A SQLAlchemy engine for ``url``; SQLite engines get real transactions.

    With ``writing``, a SQLite transaction takes the write lock when it begins
    (``BEGIN IMMEDIATE``): two tasks writing to one SQLite file then wait for each
    other (up to ``SQLITE_LOCK_WAIT`` seconds) instead of failing with "database is
    locked" when one upgrades a read lock.
    """
    import sqlalchemy
    from sqlalchemy import event

    problem = url_problem(url)
    if problem:
        raise DatabaseError(problem)
    if not url.startswith("sqlite"):
        return sqlalchemy.create_engine(url)
    engine = sqlalchemy.create_engine(url, connect_args={"timeout": SQLITE_LOCK_WAIT})
    begin = "BEGIN IMMEDIATE" if writing else "BEGIN"

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite emits no BEGIN/COMMIT itself

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def driver_message(exc: BaseException) -> str:
    """The database driver's own words for a failure, without SQLAlchemy's wrapping
    (the SQL text, the bound values and a link), as ``Type: message``, URLs masked."""
    cause: BaseException = exc
    while getattr(cause, "orig", None) is None and cause.__cause__ is not None:
        cause = cause.__cause__  # pandas wraps SQLAlchemy's error, which wraps the driver's
    original = getattr(cause, "orig", None) or cause
    first_line = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return mask_text(f"{type(original).__name__}: {first_line}")


def identifier_problem(value: str, what: str) -> str | None:
    """Why ``value`` is not a plain SQL identifier (checked before any SQL is built)."""
    if value.isidentifier():
        return None
    return (
        f"{what} '{value}' is not a plain identifier: use letters, digits and '_' "
        "(not starting with a digit)"
    )


def _backend(url: str) -> str:
    """``postgresql+psycopg://...`` -> ``postgresql`` (without importing SQLAlchemy)."""
    return url.split(":", 1)[0].split("+", 1)[0].lower()


def table_problems(table: object, schema: object, url: str) -> Iterator[tuple[str | None, str]]:
    """``(param, message)`` for each reason ``table`` (in ``schema``) cannot be written
    at ``url``: not a plain identifier, or against the database's naming rules (see the
    module docstring). Checked at validate time."""
    names = [(n, v) for n, v in (("table_name", table), ("schema", schema)) if isinstance(v, str)]
    plain = []
    for name, value in names:
        problem = identifier_problem(value, name)
        if problem:
            yield name, problem
        else:
            plain.append((name, value))
    backend = _backend(url)
    for name, value in plain:
        if backend == "sqlite":
            problem = _sqlite_problem(name, value)
        elif backend == "postgresql":
            problem = _postgres_problem(name, value)
        else:
            problem = None
        if problem:
            yield name, problem


def _temporary(schema: str) -> str:
    return (
        f"schema '{schema}' is a temporary schema: its tables vanish when the writer's "
        "connection closes, so the run would succeed and leave no table; write to a "
        "permanent schema (leave schema out for the default)"
    )


def _sqlite_problem(name: str, value: str) -> str | None:
    if name == "schema" and value.lower() == "temp":
        return _temporary(value)
    if name == "table_name" and value.lower().startswith("sqlite_"):
        return (
            f"table_name '{value}': SQLite reserves names starting with 'sqlite_' for its "
            "own tables; choose another name"
        )
    return None


def _postgres_problem(name: str, value: str) -> str | None:
    size = len(value.encode("utf-8"))
    if size > POSTGRES_NAME_BYTES:
        return (
            f"{name} '{value}' is {size} bytes long in UTF-8; PostgreSQL keeps only the "
            f"first {POSTGRES_NAME_BYTES} bytes of a name and would silently use a shorter "
            f"one: shorten it to at most {POSTGRES_NAME_BYTES} bytes"
        )
    if name == "schema" and _POSTGRES_TEMP_SCHEMA.fullmatch(value):
        return _temporary(value)
    if name == "schema" and value.startswith("pg_"):
        return (
            f"schema '{value}': PostgreSQL reserves schema names starting with 'pg_' for its "
            "system schemas; write to a schema of your own (leave schema out for the default)"
        )
    return None

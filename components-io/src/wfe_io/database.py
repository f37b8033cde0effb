"""Database URLs, engines and identifiers shared by ``sql_query`` and ``database_writer``.

A URL is a SQLAlchemy URL. When a task gives none, it comes from ``WFE_DATABASE_URL``;
when that is unset too, it is the embedded default, a SQLite file ``wfe.db`` in the
working directory. Passwords never appear in a message: every URL shown is masked.

SQLite engines are made *really* transactional: by default the pysqlite driver
commits before DDL (so ``DROP TABLE`` inside a transaction cannot be rolled back);
SQLAlchemy's documented fix takes over ``BEGIN`` so that a failed or killed write
leaves the previous table exactly as it was.
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
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


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
        yield "url", problem


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
    if _IDENTIFIER.fullmatch(value):
        return None
    return (
        f"{what} '{value}' is not a plain identifier: use letters, digits and '_' "
        "(not starting with a digit, at most 63 characters)"
    )

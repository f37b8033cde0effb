"""``database_writer``: a DataFrame into a table, atomically, through the bulk path.

Everything happens in one transaction, so a failure (or a ``kill -9``) at any point
leaves the database exactly as it was:

* ``replace`` loads a staging table, then drops the old table and renames the staging
  table in its place, and only then commits;
* ``append`` inserts every row, then commits;
* ``fail`` (the default) refuses to touch an existing table.

Rows go in through the fastest path each database offers: on PostgreSQL (psycopg 3)
one ``COPY ... FROM STDIN`` fed with pandas' CSV, chunk by chunk (missing values are
written as ``\\N``, so a text value of exactly ``\\N`` would read back as NULL);
elsewhere the driver's ``executemany`` in chunks. The table's columns are created from
the DataFrame's dtypes, as ``DataFrame.to_sql`` does; a replaced table's indexes and
constraints are not carried over.

Every statement names the table with its schema: the ``schema`` param, else the
connection's default schema (PostgreSQL's ``current_schema()``, SQLite's ``main``).
Unqualified, a table named like a system catalog (``pg_type``) would resolve to the
catalog, which PostgreSQL searches first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from wfe import Component, Input, Param
from wfe.masking import mask_text
from wfe_io.credentials import secret_params
from wfe_io.database import (
    DatabaseError,
    create_engine,
    driver_message,
    resolve_url,
    table_problems,
    url_param_problems,
)
from wfe_io.states import table_problem, table_state

__all__ = ["DatabaseWriter", "TableExistsError"]


class TableExistsError(DatabaseError):
    """The table exists and ``if_exists`` is ``fail``."""


class DatabaseWriter(Component):
    """Write a DataFrame to a database table in one transaction (see the module docs)."""

    params_schema = {
        "table_name": Param(str, doc="the table to write"),
        "url": Param(
            str, default=None, doc="SQLAlchemy URL (default: $WFE_DATABASE_URL or sqlite:///wfe.db)"
        ),
        "if_exists": Param(
            str,
            default="fail",
            choices=("fail", "replace", "append"),
            doc="what to do when the table exists",
        ),
        "schema": Param(
            str, default=None, doc="the database schema (PostgreSQL) holding the table"
        ),
        "chunksize": Param(int, default=50_000, doc="rows per bulk statement"),
    }
    inputs_schema = {"data_to_save": Input("the DataFrame to write")}
    outputs_schema = {}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        yield from secret_params(params, cls.params_schema)
        url = params.get("url")
        yield from table_problems(
            params.get("table_name"),
            params.get("schema"),
            resolve_url(url if isinstance(url, str) else None),
        )
        if params.get("chunksize", 1) < 1:
            yield "chunksize", "chunksize must be at least 1"
        yield from url_param_problems(params)

    @classmethod
    def target_state(
        cls, params: Mapping[str, Any], literals: Mapping[str, str]
    ) -> Mapping[str, Any] | None:
        return table_state(params)

    @classmethod
    def target_problem(
        cls, params: Mapping[str, Any], literals: Mapping[str, str], recorded: Mapping[str, Any]
    ) -> str | None:
        return table_problem(params, recorded)

    def run(self, data_to_save: Any) -> None:
        import sqlalchemy

        url = resolve_url(self.params["url"])
        engine = create_engine(url, writing=True)
        table, schema = self.params["table_name"], self.params["schema"]
        where = (
            f"table '{table}'"
            + (f" in schema '{schema}'" if schema else "")
            + f" of {mask_text(url)}"
        )
        try:
            with engine.begin() as connection:
                self._write(connection, data_to_save, table, schema, where)
        except sqlalchemy.exc.SQLAlchemyError as exc:
            raise DatabaseError(
                f"writing {where} failed, nothing was changed: {driver_message(exc)}"
            ) from exc
        finally:
            engine.dispose()

    def _write(
        self, connection: Any, frame: Any, table: str, schema: str | None, where: str
    ) -> None:
        import sqlalchemy

        schema = _target_schema(connection, schema)
        if_exists = self.params["if_exists"]
        exists = sqlalchemy.inspect(connection).has_table(table, schema=schema)
        if exists and if_exists == "fail":
            raise TableExistsError(
                f"{where} already exists; set if_exists: replace (swap in the new rows) or "
                "append (add them)"
            )
        if exists and if_exists == "append":
            self._load(connection, frame, table, schema, create=False)
            return
        if not exists:
            self._load(connection, frame, table, schema, create=True)
            return
        staging = _staging_name(table)
        self._load(connection, frame, staging, schema, create=True)
        quote = connection.dialect.identifier_preparer.quote
        connection.exec_driver_sql(f"DROP TABLE {_qualified(connection, table, schema)}")
        connection.exec_driver_sql(
            f"ALTER TABLE {_qualified(connection, staging, schema)} RENAME TO {quote(table)}"
        )

    def _load(self, connection: Any, frame: Any, table: str, schema: str, create: bool) -> None:
        """Create ``table`` from the frame's dtypes if asked, then bulk-insert all rows."""
        chunksize = self.params["chunksize"]
        if connection.dialect.driver == "psycopg":
            if create:  # the same column types to_sql would choose
                frame.head(0).to_sql(table, connection, schema=schema, index=False)
            _copy_frame(connection, frame, table, schema, chunksize)
            return
        # pandas creates the table and converts values for the driver; `method` is its
        # documented hook for how each chunk of rows is inserted.
        frame.to_sql(
            table,
            connection,
            schema=schema,
            if_exists="fail" if create else "append",
            index=False,
            chunksize=chunksize,
            method=_executemany_rows,
        )


def _target_schema(connection: Any, schema: str | None) -> str:
    """The schema to write into: the given one, else the connection's default."""
    if schema:
        return schema
    default: str | None = connection.dialect.default_schema_name
    if not default:
        raise DatabaseError(
            "the connection has no default schema (PostgreSQL: no schema on the search_path "
            "exists); set the schema param"
        )
    return default


def _staging_name(table: str) -> str:
    """A unique name beside ``table``, at most 57 bytes of UTF-8 (PostgreSQL keeps 63)."""
    prefix = table.encode("utf-8")[:40].decode("utf-8", errors="ignore")
    return f"{prefix}_wfe_{uuid.uuid4().hex[:12]}"


def _qualified(connection: Any, table: str, schema: str) -> str:
    quote = connection.dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(table)}"


def _executemany_rows(
    pd_table: Any, connection: Any, keys: list[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """One chunk through the driver's executemany, with positional parameters."""
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(k) for k in keys)
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    placeholders = ", ".join([marker] * len(keys))
    batch = list(rows)
    target = _qualified(connection, pd_table.name, pd_table.schema)
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(f"INSERT INTO {target} ({columns}) VALUES ({placeholders})", batch)
    finally:
        cursor.close()
    return len(batch)


# COPY reads pandas' CSV, with \N for missing values (so NULL and '' stay different).
_NULL = "\\N"


def _copy_frame(connection: Any, frame: Any, table: str, schema: str, chunksize: int) -> None:
    """All rows in one ``COPY ... FROM STDIN``, fed pandas' C-speed CSV chunk by chunk.

    The statement is composed with psycopg's own quoting: SQLAlchemy's quoting doubles
    ``%`` for statements that go through parameter formatting, which COPY does not."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL {})").format(
        sql.Identifier(schema, table),
        sql.SQL(", ").join(sql.Identifier(str(c)) for c in frame.columns),
        sql.Literal(_NULL),
    )
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for start in range(0, len(frame), chunksize):
                _copy_chunk(copy, frame.iloc[start : start + chunksize])
    finally:
        cursor.close()


def _copy_chunk(copy: Any, chunk: Any) -> int:
    copy.write(chunk.to_csv(index=False, header=False, na_rep=_NULL))
    return len(chunk)

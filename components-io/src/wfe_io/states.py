"""What checkpoints need to know about S3 objects and database tables.

* :func:`s3_state` is the ``s3`` location probe (entry point group
  ``wfe.location_probes``): one ``HEAD`` request gives the object's ETag, VersionId (on
  a versioned bucket) and size, so a task reading ``s3://...`` gets a new fingerprint
  when the object changes. It honours a task's ``endpoint_url`` and ``region`` params.
* :func:`database_locations` says what ``sql_query`` reads: for a SQLite file, the file
  (its size and content hash join the fingerprint); for a database server, the URL,
  whose state wfe cannot see, so the task runs every time unless the task sets
  ``data_version:``.
* :func:`table_state` and :func:`table_problem` record and check what
  ``database_writer`` wrote: the table exists with the row count it had right after the
  write (for ``if_exists: append``, at least that many rows: later appends are fine).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from wfe.masking import mask_text
from wfe_io.database import create_engine, resolve_url
from wfe_io.locations import S3Object, parse_location
from wfe_io.s3 import S3NotFoundError, s3_client, s3_errors

__all__ = ["database_locations", "s3_state", "table_problem", "table_state"]


def s3_state(
    location: str, hash_contents: bool | None, params: Mapping[str, Any]
) -> dict[str, Any]:
    """The state of an ``s3://`` object; ``{"missing": true}`` when there is none."""
    target = parse_location(location)
    if not isinstance(target, S3Object):
        raise ValueError(f"'{location}' is not an s3:// location")
    endpoint = params.get("endpoint_url")
    client = s3_client(endpoint, params.get("region"))
    try:
        with s3_errors(target, "read the state of", endpoint):
            head = client.head_object(Bucket=target.bucket, Key=target.key)
    except S3NotFoundError:
        return {"missing": True}
    state = {"etag": head.get("ETag"), "size": head.get("ContentLength")}
    if head.get("VersionId"):
        state["version_id"] = head["VersionId"]
    return state


def _sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL, "" for an in-memory database, None for another
    database."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    return "" if database in {"", ":memory:"} else database


def database_locations(url: str | None) -> list[str]:
    """What a query of ``url`` reads, as locations (see the module docstring)."""
    resolved = resolve_url(url)
    sqlite = _sqlite_file(resolved)
    if sqlite is None:
        return [resolved]
    return [sqlite] if sqlite else []  # an in-memory database starts empty


def _row_count(url: str, table: str, schema: str | None) -> int | None:
    """The table's row count, or None when it does not exist."""
    import sqlalchemy

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not sqlalchemy.inspect(connection).has_table(table, schema=schema):
                return None
            quote = connection.dialect.identifier_preparer.quote
            name = (f"{quote(schema)}." if schema else "") + quote(table)
            return int(connection.exec_driver_sql(f"SELECT COUNT(*) FROM {name}").scalar_one())
    finally:
        engine.dispose()


def table_state(params: Mapping[str, Any]) -> dict[str, Any]:
    """The written table's row count, right after ``database_writer`` wrote it."""
    url = resolve_url(params.get("url"))
    rows = _row_count(url, params["table_name"], params.get("schema"))
    return {"table": params["table_name"], "rows": rows}


def table_problem(params: Mapping[str, Any], recorded: Mapping[str, Any]) -> str | None:
    """Why the table no longer holds what the task wrote, or None."""
    url = resolve_url(params.get("url"))
    table = params["table_name"]
    sqlite = _sqlite_file(url)
    if sqlite == "":
        return f"table '{table}' was written to an in-memory database, which is gone"
    if sqlite and not os.path.exists(sqlite):
        return f"the database file {sqlite} is gone"
    rows = _row_count(url, table, params.get("schema"))
    where = f"table '{table}' in {mask_text(url)}"
    if rows is None:
        return f"{where} is gone"
    wrote = recorded.get("rows")
    if params.get("if_exists") == "append":
        if isinstance(wrote, int) and rows < wrote:
            return f"{where} has {rows} rows, fewer than the {wrote} it had after the write"
        return None
    if rows != wrote:
        return f"{where} has {rows} rows, not the {wrote} the task left"
    return None

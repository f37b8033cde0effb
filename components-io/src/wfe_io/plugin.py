"""The plugin wfe loads from this distribution's ``wfe.plugins`` entry point.

It only *names* the components (lazy ``"module:Class"`` targets); their modules, and
pandas, boto3 and SQLAlchemy behind them, are imported when a workflow uses them.
"""

from __future__ import annotations

from wfe import ComponentRef, hookimpl

#: The components this distribution provides.
COMPONENTS = [
    ComponentRef(
        "csv_loader",
        "wfe_io.csv_io:CsvLoader",
        "Read a CSV file (local path or s3:// URI) into a DataFrame",
    ),
    ComponentRef(
        "s3_csv_loader",
        "wfe_io.csv_io:S3CsvLoader",
        "Read a CSV object from S3 (bucket and key) into a DataFrame",
    ),
    ComponentRef(
        "csv_writer",
        "wfe_io.csv_io:CsvWriter",
        "Write a DataFrame as CSV to a local path or s3:// URI, atomically",
    ),
    ComponentRef(
        "sql_query",
        "wfe_io.sql_query:SqlQuery",
        "Run a SQL query with bound parameters; rows as a DataFrame",
    ),
    ComponentRef(
        "database_writer",
        "wfe_io.database_writer:DatabaseWriter",
        "Write a DataFrame to a table in one transaction (bulk COPY/executemany)",
    ),
]


@hookimpl
def wfe_register_components() -> list[ComponentRef]:
    return list(COMPONENTS)

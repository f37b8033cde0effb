"""database_writer vs plain DataFrame.to_sql, on SQLite and PostgreSQL.

1,000,000 rows x 10 columns (``--rows N`` to change), each writer creating a new table
in an empty database. Plain calls: ``to_sql`` with default options, ``to_sql(method=
"multi")``, and on PostgreSQL a raw ``COPY ... FROM STDIN`` fed the same rows by psycopg.
PostgreSQL is a throwaway cluster started here (needs the server binaries).

Targets: PostgreSQL >= 5x default to_sql and within 1.5x of raw COPY; SQLite at least
as fast as the best plain call.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy
from io_support import frame, postgres

import wfe


def timed(label: str, write: Callable[[], Any], results: dict[str, float]) -> None:
    started = time.perf_counter()
    write()
    results[label] = time.perf_counter() - started


def component(url: str, data: Any, table: str) -> None:
    from wfe_io.database_writer import DatabaseWriter

    DatabaseWriter({"data_to_save": data}, [], {"table_name": table, "url": url}).execute()


def to_sql(url: str, data: Any, table: str, method: str | None) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        data.to_sql(
            table,
            connection,
            index=False,
            method=method,
            chunksize=None if method is None else 1000,
        )
    engine.dispose()


def raw_copy(url: str, data: Any, table: str) -> None:
    """The floor: create the table like to_sql, then one COPY fed row by row by psycopg."""
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        data.head(0).to_sql(table, connection, index=False)
        columns = ", ".join(f'"{c}"' for c in data.columns)
        cursor = connection.connection.cursor()
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for row in data.itertuples(index=False, name=None):
                copy.write_row(row)
    engine.dispose()


def report(database: str, rows: int, results: dict[str, float]) -> None:
    ours = results["database_writer"]
    print(f"\n{database}: {rows:,} rows x 10 columns")
    for label, seconds in results.items():
        print(
            f"  {label:<28} {seconds:7.2f} s  {rows / seconds:>11,.0f} rows/s  database_writer is {seconds / ours:5.2f}x as fast"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    data = frame(rows)
    _ = wfe  # the component runs through the installed engine-core

    with tempfile.TemporaryDirectory() as folder:
        results: dict[str, float] = {}
        for label, write in {
            "database_writer": lambda url: component(url, data, "t"),
            "to_sql (default)": lambda url: to_sql(url, data, "t", None),
            "to_sql (method='multi')": lambda url: to_sql(url, data, "t", "multi"),
        }.items():
            url = f"sqlite:///{Path(folder) / (label.split()[0] + str(len(results)) + '.db')}"
            timed(label, lambda w=write, u=url: w(u), results)
        report("SQLite", rows, results)

    with postgres() as url:
        results = {}
        for number, (label, write) in enumerate(
            {
                "database_writer": lambda t: component(url, data, t),
                "to_sql (default)": lambda t: to_sql(url, data, t, None),
                "to_sql (method='multi')": lambda t: to_sql(url, data, t, "multi"),
                "raw COPY (psycopg)": lambda t: raw_copy(url, data, t),
            }.items()
        ):
            timed(label, lambda w=write, n=number: w(f"t{n}"), results)
        report("PostgreSQL 15", rows, results)


if __name__ == "__main__":
    main()

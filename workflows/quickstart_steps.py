"""Plain Python functions that workflows/quickstart.yaml wires together.

They use only the standard library, so the quickstart runs right after installing
engine-core. ``wfe run`` imports this module because it sits next to the workflow.
"""

from __future__ import annotations

import csv
import sqlite3
from collections import defaultdict
from pathlib import Path


def read_orders(path: str) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def revenue_by_region(orders: list[dict[str, str]]) -> dict[str, float]:
    """Sum of quantity x unit price per region."""
    totals: dict[str, float] = defaultdict(float)
    for row in orders:
        totals[row["region"]] += int(row["quantity"]) * float(row["unit_price"])
    return dict(sorted(totals.items()))


def top_customers(orders: list[dict[str, str]], n: int) -> list[tuple[str, float]]:
    """The ``n`` customers with the highest spend."""
    spend: dict[str, float] = defaultdict(float)
    for row in orders:
        spend[row["customer"]] += int(row["quantity"]) * float(row["unit_price"])
    return sorted(spend.items(), key=lambda item: item[1], reverse=True)[:n]


def save_report(revenue: dict[str, float], top: list[tuple[str, float]], database: str) -> int:
    """Replace the report tables in a SQLite file, in one transaction; return rows written."""
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(database)
    try:
        with connection:  # one transaction: the old tables survive any failure
            connection.execute("DROP TABLE IF EXISTS revenue_by_region")
            connection.execute(
                "CREATE TABLE revenue_by_region (region TEXT PRIMARY KEY, revenue REAL)"
            )
            connection.executemany("INSERT INTO revenue_by_region VALUES (?, ?)", revenue.items())
            connection.execute("DROP TABLE IF EXISTS top_customers")
            connection.execute("CREATE TABLE top_customers (customer TEXT PRIMARY KEY, spend REAL)")
            connection.executemany("INSERT INTO top_customers VALUES (?, ?)", top)
    finally:
        connection.close()
    return len(revenue) + len(top)

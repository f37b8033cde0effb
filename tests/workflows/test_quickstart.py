"""The README's first command: `wfe run workflows/quickstart.yaml`, end to end."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RunWfe = Callable[..., subprocess.CompletedProcess[str]]


def test_quickstart_runs_from_the_repository_root_and_writes_sqlite(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    database = tmp_path / "report.db"
    done = run_wfe("run", "workflows/quickstart.yaml", "--var", f"database={database}", cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "wfe: 'quickstart_sales_report' succeeded" in done.stdout
    with sqlite3.connect(database) as connection:
        revenue = dict(connection.execute("SELECT region, revenue FROM revenue_by_region"))
        top = connection.execute(
            "SELECT customer, spend FROM top_customers ORDER BY spend DESC"
        ).fetchall()
    assert set(revenue) == {"north", "south", "east", "west"}
    assert all(value > 0 for value in revenue.values())
    assert len(top) == 5
    # cross-check against the CSV, computed independently of the workflow
    import csv

    with open(REPO / "workflows/data/orders.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected_north = sum(
        int(r["quantity"]) * float(r["unit_price"]) for r in rows if r["region"] == "north"
    )
    assert abs(revenue["north"] - expected_north) < 1e-6


def test_quickstart_rerun_replaces_tables_instead_of_appending(
    run_wfe: RunWfe, tmp_path: Path
) -> None:
    database = tmp_path / "report.db"
    for _ in range(2):
        assert (
            run_wfe(
                "run", "workflows/quickstart.yaml", "--var", f"database={database}", cwd=REPO
            ).returncode
            == 0
        )
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM revenue_by_region").fetchone() == (4,)


def test_quickstart_validates_with_the_default_variables(run_wfe: RunWfe) -> None:
    done = run_wfe("validate", "workflows/quickstart.yaml", cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "4 tasks" in done.stdout

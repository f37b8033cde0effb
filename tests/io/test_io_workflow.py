"""Every components-io component in one workflow, run by the CLI as a user would,
against moto's S3 server and each database."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

WORKFLOW = """\
workflow_name: io_end_to_end
vars:
  bucket: set-by-test
  db: set-by-test
tasks:
  - name: load_orders
    component_name: s3_csv_loader
    params: {bucket: "${bucket}", key: raw/orders.csv, parse_dates: [ordered]}
    outputs: [orders]
  - name: load_regions
    component_name: csv_loader
    params: {path: "s3://${bucket}/raw/regions.csv"}
    outputs: [regions]
  - name: save_orders
    component_name: database_writer
    params: {table_name: orders, url: "${db}", if_exists: replace, chunksize: 2}
    inputs: {data_to_save: orders}
  - name: save_regions
    component_name: database_writer
    params: {table_name: regions, url: "${db}", if_exists: replace}
    inputs: {data_to_save: regions}
  - name: revenue
    component_name: sql_query
    after: [save_orders, save_regions]
    params:
      url: "${db}"
      query: >
        SELECT r.name AS region, SUM(o.amount) AS revenue
        FROM orders o JOIN regions r ON r.code = o.region
        WHERE o.amount >= :minimum GROUP BY r.name ORDER BY r.name
      parameters: {minimum: 10}
    outputs: [revenue_by_region]
  - name: publish
    component_name: csv_writer
    params: {path: "s3://${bucket}/reports/revenue.csv"}
    inputs: {data: revenue_by_region}
"""

ORDERS = "id,region,amount,ordered\n1,N,10,2024-01-01\n2,S,5,2024-01-02\n3,N,30,2024-01-03\n4,S,12,2024-01-04\n5,E,50,2024-01-05\n"
REGIONS = "code,name\nN,north\nS,south\nE,east\n"


@pytest.mark.slow  # every io component, on S3 and on both databases
def test_all_io_components_end_to_end(
    run_wfe: Callable[..., Any],
    write_workflow: Callable[..., Path],
    s3: Any,
    bucket: str,
    database_url: str,
) -> None:
    s3.put_object(Bucket=bucket, Key="raw/orders.csv", Body=ORDERS.encode())
    s3.put_object(Bucket=bucket, Key="raw/regions.csv", Body=REGIONS.encode())
    path = write_workflow(WORKFLOW)
    done = run_wfe(
        "run",
        str(path),
        "--var",
        f"bucket={bucket}",
        "--var",
        f"db={database_url}",
        "--workers",
        "2",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "orders=DataFrame 5x4" in done.stdout
    report = pd.read_csv(
        io.BytesIO(s3.get_object(Bucket=bucket, Key="reports/revenue.csv")["Body"].read())
    )
    assert report.to_dict("list") == {"region": ["east", "north", "south"], "revenue": [50, 40, 12]}

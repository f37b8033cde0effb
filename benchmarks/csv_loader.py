"""csv_loader vs pandas.read_csv on the same bytes: a ~200 MB CSV, local and on S3.

Local: the component (through a one-task workflow) vs ``pd.read_csv(path)``. S3: the
component reading ``s3://`` from moto's S3 server on loopback vs ``pd.read_csv`` of the
same object's body fetched with boto3 ``get_object``. Best of 5 each, interleaved.
Target: the component's overhead under 5%.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_support import bench_plugins
from io_support import frame

import wfe


def interleaved(
    repeats: int, plain: Callable[[], Any], ours: Callable[[], Any]
) -> tuple[float, float]:
    """Best time of each, alternating the two so that machine noise hits both alike."""
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for slot, function in enumerate((plain, ours)):
            started = time.perf_counter()
            function()
            best[slot] = min(best[slot], time.perf_counter() - started)
    return best[0], best[1]


def load_with_wfe(path: str) -> Callable[[], Any]:
    plugins = bench_plugins()
    workflow = wfe.loads(
        f"workflow_name: load\ntasks:\n  - {{name: load, component_name: csv_loader, params: {{path: '{path}'}}, outputs: [df]}}\n",
        plugins=plugins,
    )
    return lambda: workflow.run().raise_for_status()


def main() -> None:
    import boto3
    import pandas as pd

    from wfe_io.testing.s3 import fake_environment, moto_server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=2_900_000, help="rows of 10 columns (~69 bytes each: ~200 MB)"
    )
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.csv"
        frame(rows).to_csv(path, index=False)
        size = path.stat().st_size
        print(f"{size / 1e6:.0f} MB CSV, {rows:,} rows x 10 columns (best of 5, interleaved)")

        plain, ours = interleaved(5, lambda: pd.read_csv(path), load_with_wfe(str(path)))
        print(
            f"  local  pandas.read_csv {plain:6.2f} s   csv_loader {ours:6.2f} s   overhead {100 * (ours / plain - 1):+5.1f}%"
        )

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        with moto_server() as endpoint:
            for name, value in fake_environment(endpoint).items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            s3 = boto3.client("s3")
            s3.create_bucket(Bucket="bench")
            s3.upload_file(str(path), "bench", "orders.csv")
            plain, ours = interleaved(
                5,
                lambda: pd.read_csv(s3.get_object(Bucket="bench", Key="orders.csv")["Body"]),
                load_with_wfe("s3://bench/orders.csv"),
            )
            print(
                f"  S3     pandas.read_csv {plain:6.2f} s   csv_loader {ours:6.2f} s   overhead {100 * (ours / plain - 1):+5.1f}%"
            )


if __name__ == "__main__":
    main()

"""Data and servers shared by the components-io benchmarks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def frame(rows: int) -> Any:
    """``rows`` x 10 columns of mixed types (ints, floats, text, booleans, timestamps)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "customer": rng.integers(0, 100_000, rows),
            "amount": rng.normal(100, 25, rows).round(2),
            "discount": rng.random(rows).round(4),
            "quantity": rng.integers(1, 20, rows),
            "region": rng.choice(["north", "south", "east", "west"], rows),
            "channel": rng.choice(["web", "store", "phone"], rows),
            "returned": rng.random(rows) < 0.05,
            "ordered": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 365 * 24 * 3600, rows), unit="s"),
            "note": np.where(rng.random(rows) < 0.9, "ok", "check"),
        }
    )


@contextmanager
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (wfe_io.testing.postgres)."""
    from wfe_io.testing.postgres import start_cluster

    cluster = start_cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()

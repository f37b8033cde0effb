"""DataFrame makers for the components-io tests' workflows (pandas is imported here,
so only tests that have pandas use this module)."""

from __future__ import annotations

import pandas as pd


def frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(rows),
            "value": [i * 0.5 for i in range(rows)],
            "name": [f"n{i}" for i in range(rows)],
        }
    )


def customers(rows: int) -> pd.DataFrame:
    """Ids, text with NULLs, floats, booleans, timestamps and text with empty strings."""
    return pd.DataFrame(
        {
            "id": range(100, 100 + rows),
            "name": [f"new-{i}" if i % 7 else None for i in range(rows)],
            "score": [i / 4 for i in range(rows)],
            "active": [i % 2 == 0 for i in range(rows)],
            "joined": pd.date_range("2024-01-01", periods=rows, freq="h"),
            "note": ["" if i % 3 else 'x,"quoted"' for i in range(rows)],
        }
    )

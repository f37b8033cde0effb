"""Descriptions of task outputs for progress displays, logs and run records.

A description is a small JSON-ready mapping made *where the output is* (possibly a
worker process), so displays and records never need the value itself. It carries the
value of what a user wants to read at a glance: numbers, booleans, and small mappings
of those (metrics such as ``{"roc_auc": 0.83, "accuracy": 0.77}``), also when they come
as a one-row table of numbers (what ``evaluator`` returns). Strings are never
shown, only their length: they may hold anything, secrets included.
Anything bigger is described by type and size. Duck-typed (``shape``, ``len``) so that
describing a DataFrame never imports pandas, and cheap: nothing here walks the data.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

__all__ = ["describe", "summary_text", "values_text"]

#: a mapping with at most this many numbers is shown whole (metrics)
SMALL_MAPPING = 20
_BUILTIN_SCALARS = frozenset({int, float, bool, type(None)})


def _plain_scalar(value: Any) -> tuple[bool, Any]:
    """``(True, plain Python value)`` for a number, boolean or None (NumPy scalars
    included), else ``(False, None)``."""
    if value is None or isinstance(value, bool | int | float):
        return True, value
    if isinstance(value, numbers.Number) and hasattr(value, "item"):  # numpy.float64, int64
        return True, value.item()
    return False, None


def _small_mapping(value: Mapping[Any, Any]) -> dict[str, Any] | None:
    if len(value) > SMALL_MAPPING:
        return None
    plain: dict[str, Any] = {}
    for key, item in value.items():
        ok, scalar = _plain_scalar(item)
        if not ok or not isinstance(key, str):
            return None
        plain[key] = scalar
    return plain


def describe(value: Any, detail: bool = False) -> dict[str, Any]:
    """``{"type": ..., "shape": [...]}``, ``{"type": ..., "len": n}``, or with the
    ``value`` itself for scalars and small mappings of numbers.

    With ``detail``, also a table's ``columns`` (the first 100) and the ``bytes`` its
    arrays hold (shallow: Python objects inside are not walked, to stay cheap).
    """
    kind = type(value)
    if kind in _BUILTIN_SCALARS:  # the common case, answered at once
        return {"type": kind.__name__, "value": value}
    info: dict[str, Any] = {"type": kind.__name__}
    if detail:
        columns = getattr(value, "columns", None)
        if columns is not None:
            info["columns"] = [str(c) for c in list(columns)[:100]]
        size = _shallow_bytes(value)
        if size is not None:
            info["bytes"] = size
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape) and shape:
        info["shape"] = list(shape)
        row = _single_row(value, shape)
        if row is not None:  # a one-row table of numbers: metrics, shown like a mapping
            info["value"] = row
        return info
    ok, scalar = _plain_scalar(value)
    if ok:
        info["value"] = scalar
    elif isinstance(value, Mapping):
        small = _small_mapping(value)
        if small is not None:
            info["value"] = small
        else:
            info["len"] = len(value)
    elif isinstance(value, list | tuple | set | frozenset | str | bytes):
        info["len"] = len(value)
    return info


def _single_row(value: Any, shape: tuple[int, ...]) -> dict[str, Any] | None:
    """A one-row table's numbers by column (``evaluator``'s metrics), else None. Reads
    one row only, through the table's own ``to_dict`` (pandas), importing nothing."""
    if len(shape) != 2 or shape[0] != 1 or not 0 < shape[1] <= SMALL_MAPPING:
        return None
    to_dict = getattr(value, "to_dict", None)
    if not callable(to_dict):
        return None
    try:
        rows = to_dict(orient="records")
    except (TypeError, ValueError):
        return None
    if not isinstance(rows, list) or len(rows) != 1 or not isinstance(rows[0], Mapping):
        return None
    return _small_mapping(rows[0])


def values_text(value: Any) -> str:
    """A description's ``value`` as a few words: ``0.83`` or ``{r2: 0.9522, mae: 8.107}``."""
    if isinstance(value, Mapping):
        text = "{" + ", ".join(f"{k}: {_number(v)}" for k, v in value.items()) + "}"
    else:
        text = _number(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value)


def summary_text(info: Mapping[str, Any]) -> str:
    """A description as a few words: ``"DataFrame 1,000x12"``, ``"list of 3"``,
    ``"float 2.5"``, ``"dict {roc_auc: 0.8312, accuracy: 0.7704}"``."""
    kind = str(info.get("type", "?"))
    if "shape" in info:
        text = f"{kind} " + "x".join(f"{n:,}" for n in info["shape"])
        return text + (f" {values_text(info['value'])}" if "value" in info else "")
    if "value" in info:
        return f"{kind} {values_text(info['value'])}"
    if "len" in info:
        return f"{kind} of {info['len']:,}"
    return kind


def _shallow_bytes(value: Any) -> int | None:
    if isinstance(value, bytes | bytearray):
        return len(value)
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    usage = getattr(value, "memory_usage", None)
    if callable(usage):
        try:
            return int(usage(index=True, deep=False).sum())
        except (TypeError, AttributeError, ValueError):
            return None
    return None

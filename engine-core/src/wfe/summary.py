"""Descriptions of task outputs for progress displays, logs and run records.

A description is a small JSON-ready mapping made *where the output is* (possibly a
worker process), so displays and records never need the value itself. It carries the
value of what a user wants to read at a glance: numbers, booleans, and small mappings
of those (metrics such as ``{"roc_auc": 0.83, "accuracy": 0.77}``). Strings are never
shown, only their length: they may hold anything, secrets included.
Anything bigger is described by type and size. Duck-typed (``shape``, ``len``) so that
describing a DataFrame never imports pandas, and cheap: nothing here walks the data.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

__all__ = ["describe", "summary_text"]

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


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value)


def summary_text(info: Mapping[str, Any]) -> str:
    """A description as a few words: ``"DataFrame 1,000x12"``, ``"list of 3"``,
    ``"float 2.5"``, ``"dict {roc_auc: 0.8312, accuracy: 0.7704}"``."""
    kind = str(info.get("type", "?"))
    if "shape" in info:
        return f"{kind} " + "x".join(f"{n:,}" for n in info["shape"])
    if "value" in info:
        value = info["value"]
        if isinstance(value, Mapping):
            text = "{" + ", ".join(f"{k}: {_number(v)}" for k, v in value.items()) + "}"
        else:
            text = _number(value)
        return f"{kind} {text if len(text) <= 120 else text[:117] + '...'}"
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

"""One-line descriptions of task outputs for progress displays and logs.

Duck-typed (``shape``, ``len``) so that describing a DataFrame never imports pandas,
and cheap: nothing here walks the data.
"""

from __future__ import annotations

from typing import Any

__all__ = ["describe", "describe_text"]

_SCALARS = (int, float, bool, complex, type(None))


def describe(value: Any, detail: bool = False) -> dict[str, Any]:
    """``{"type": ..., "shape": [...]}`` or ``{"type": ..., "len": n}`` or a scalar's value.

    With ``detail``, also a table's ``columns`` (the first 100) and the ``bytes`` its
    arrays hold (shallow: Python objects inside are not walked, to stay cheap).
    """
    info: dict[str, Any] = {"type": type(value).__name__}
    if detail:
        columns = getattr(value, "columns", None)
        if columns is not None:
            info["columns"] = [str(c) for c in list(columns)[:100]]
        size = _shallow_bytes(value)
        if size is not None:
            info["bytes"] = size
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and all(isinstance(n, int) for n in shape):
        info["shape"] = list(shape)
    elif isinstance(value, _SCALARS):
        info["value"] = value
    elif isinstance(value, list | tuple | dict | set | frozenset | str | bytes):
        info["len"] = len(value)
    return info


def describe_text(value: Any) -> str:
    """``"DataFrame 1,000x12"``, ``"list of 3"``, ``"int 42"``."""
    info = describe(value)
    kind: str = info["type"]
    if "shape" in info:
        return f"{kind} " + "x".join(f"{n:,}" for n in info["shape"])
    if "value" in info:
        text = repr(info["value"])
        return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"
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

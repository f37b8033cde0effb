"""One-line descriptions of task outputs for progress displays and logs.

Duck-typed (``shape``, ``len``) so that describing a DataFrame never imports pandas,
and cheap: nothing here walks the data.
"""

from __future__ import annotations

from typing import Any

__all__ = ["describe", "describe_text"]

_SCALARS = (int, float, bool, complex, type(None))


def describe(value: Any) -> dict[str, Any]:
    """``{"type": ..., "shape": [...]}`` or ``{"type": ..., "len": n}`` or a scalar's value."""
    info: dict[str, Any] = {"type": type(value).__name__}
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

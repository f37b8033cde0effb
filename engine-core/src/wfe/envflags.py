"""Switches given as environment variables (``WFE_NO_DISCOVERY_CACHE=1``, ...)."""

from __future__ import annotations

__all__ = ["is_on"]

_ON = frozenset(("1", "true", "yes", "on"))


def is_on(value: str | None) -> bool:
    """Whether a switch's value says 1, true, yes or on (any case, spaces ignored)."""
    return (value or "").strip().lower() in _ON

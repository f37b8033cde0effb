"""User text in messages: a short, printable excerpt, never the whole value.

A workflow value can be megabytes long (a 50 MB scalar, a path of thousands of
characters, a key made of control characters). Echoing it whole would make an error
unreadable, and its cost unbounded. Every message that shows something the user wrote
goes through :func:`quote` (text) or :func:`describe_value` (any value), so each
message stays a line or two whatever the input.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_QUOTED", "brief", "describe_value", "quote"]

#: The most characters of a user's text that a message shows; longer text is cut in
#: the middle (``'abc…xyz' (50,000,000 characters)``).
MAX_QUOTED = 60
#: Integers wider than this are described by their size: turning a huge int into
#: decimal text is slow (and refused by Python past 4,300 digits).
_MAX_INT_BITS = 256


def quote(text: str, *, marks: bool = True, limit: int = MAX_QUOTED) -> str:
    """``text`` in single quotes, cut to ``limit`` characters, with control characters,
    lone surrogates and other unprintable characters escaped.

    ``marks=False`` leaves out the quotes (for numbers and tags written as text, and for
    other libraries' messages, which may hold user text: give those a longer ``limit``).
    """
    length = len(text)
    cut = length > limit
    if cut:
        # Mask first: the cut could part a URL's password from the '@' that ends it,
        # and the masking that every message gets would then miss it.
        from wfe.masking import mask_text

        text = mask_text(text)
    half = (limit - 1) // 2
    shown = text[:half] + "…" + text[-half:] if cut else text
    if not shown.isprintable():
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown)
    if marks:
        shown = f"'{shown}'"
    return f"{shown} ({length:,} characters)" if cut else shown


def describe_value(value: Any) -> str:
    """What a value is, for "must be X, got ..." messages: ``the string 'x'``,
    ``the boolean true``, ``a list``, ``the int 3``."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {quote(value)}" if value else "an empty string"
    if value is None:
        return "nothing (null)"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the {type(value).__name__} {brief(value)}"


def brief(value: Any) -> str:
    """A short ``repr`` of ``value`` without quotes (``3``, ``0.5``, ``nan``)."""
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        return f"(an int of {value.bit_length():,} bits)"
    return quote(repr(value), marks=False)

"""Keep secrets out of messages, logs and run records."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["mask_url", "mask_vars"]

_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:).+@(?=[^@]*$)")  # up to the last '@'
_SECRET_NAMES = ("secret", "password", "passwd", "token", "access_key", "credential", "api_key")


def mask_url(text: str) -> str:
    """``scheme://user:password@host`` -> ``scheme://user:***@host`` (anything else as is)."""
    return _PASSWORD_IN_URL.sub(r"\1***@", text)


def mask_vars(values: Mapping[str, Any]) -> dict[str, Any]:
    """Variables with secret-looking names hidden, and passwords in URLs masked."""
    masked: dict[str, Any] = {}
    for name, value in values.items():
        if any(word in name.lower() for word in _SECRET_NAMES):
            masked[name] = "***"
        else:
            masked[name] = mask_url(value) if isinstance(value, str) else value
    return masked

"""Refuse credentials in workflow params: they belong to the standard credential chain."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["secret_params"]

_SECRET_WORDS = ("secret", "password", "passwd", "token", "access_key", "credential", "api_key")

CREDENTIAL_CHAIN = (
    "credentials are never workflow params: wfe uses the standard credential chain "
    "(AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, an instance "
    "role) for S3, and the database URL (from WFE_DATABASE_URL or a --var) for databases"
)


def secret_params(params: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    """``(name, message)`` for every param whose name looks like a credential."""
    for name in params:
        lowered = str(name).lower()
        if any(word in lowered for word in _SECRET_WORDS):
            yield name, f"param '{name}' looks like a credential; {CREDENTIAL_CHAIN}"

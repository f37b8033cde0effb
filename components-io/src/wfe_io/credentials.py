"""Refuse credentials in workflow params: they belong to the standard credential chain."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from wfe.masking import is_secret_name

__all__ = ["secret_params"]

CREDENTIAL_CHAIN = (
    "credentials are never workflow params: wfe uses the standard credential chain "
    "(AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, an instance "
    "role) for S3, and the database URL (from WFE_DATABASE_URL or a --var) for databases"
)


def secret_params(
    params: Mapping[str, Any], declared: Mapping[str, Any] | None
) -> Iterator[tuple[str | None, str]]:
    """``(name, message)`` for every undeclared param whose name looks like a credential
    (:func:`wfe.masking.is_secret_name`). A declared param is never one: s3_csv_loader's
    ``key`` is an object's key, not a secret."""
    for name in params:
        if name not in (declared or {}) and is_secret_name(name):
            yield name, f"param '{name}' looks like a credential; {CREDENTIAL_CHAIN}"

"""moto's S3 server on 127.0.0.1, and an environment that points boto3 at it.

The server speaks real HTTP, so components are tested through the same boto3 code
paths as against AWS. The environment carries fake credentials and hides the user's
AWS configuration, so a test can never reach a real account.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["INSTALL_HINT", "MotoMissingError", "fake_environment", "moto_server"]

INSTALL_HINT = (
    "moto's S3 server is not installed: pip install 'components-io[testing]' "
    "(it brings moto[server])"
)


class MotoMissingError(ImportError):
    """moto (with its server extra) is not installed; the message says what to install."""


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's S3 server on a free loopback port; yields its endpoint URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        raise MotoMissingError(f"{INSTALL_HINT} ({type(exc).__name__}: {exc})") from exc
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)  # never all interfaces
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def fake_environment(endpoint: str) -> dict[str, str | None]:
    """Environment variables for boto3 against ``endpoint``: fake credentials, a region,
    and no profile, config file or S3-specific endpoint of the user's. ``None`` means
    "remove this variable"."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_PROFILE": None,
        "AWS_DEFAULT_PROFILE": None,
        "AWS_ENDPOINT_URL_S3": None,  # would win over AWS_ENDPOINT_URL
    }

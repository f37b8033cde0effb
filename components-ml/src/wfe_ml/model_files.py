"""Model files: save and load scikit-learn models, locally or on S3, safely.

Loading a pickle or joblib file runs code stored in it, so a file from anywhere but
your own pipeline must be trusted or pinned: with ``sha256`` the file's digest is
checked *before a single byte is unpickled*, and a mismatch refuses to load. The skops
format (``.skops``) is the safe choice for models from elsewhere: it loads without
pickle, and only types you name as trusted.

Saving writes the model atomically, then ``<file>.sha256`` (the digest, sha256sum
style) and ``<file>.meta.json`` (scikit-learn's version, the estimator's class) beside
it. On load, a different scikit-learn version is a clear warning.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from wfe.atomicfile import atomic_write
from wfe_io.locations import S3Object, parse_location
from wfe_io.s3 import s3_client, s3_errors

__all__ = ["ModelFileError", "ModelVersionWarning", "load_model", "save_model"]


class ModelFileError(RuntimeError):
    """A model file cannot be loaded safely (digest mismatch, untrusted types, ...)."""


class ModelVersionWarning(UserWarning):
    """The model was saved with another scikit-learn version than the one loading it."""


def _is_skops(location: str) -> bool:
    return location.lower().endswith(".skops")


def _read(location: str) -> bytes:
    target = parse_location(location)
    if isinstance(target, S3Object):
        client = s3_client()
        with s3_errors(target, "read"):
            data: bytes = client.get_object(Bucket=target.bucket, Key=target.key)["Body"].read()
        return data
    if not target.is_file():
        raise FileNotFoundError(f"no model file {target} (from '{location}'); check the path")
    return target.read_bytes()


def _read_optional(location: str) -> bytes | None:
    try:
        return _read(location)
    except FileNotFoundError:  # also S3NotFoundError: a missing sidecar is no error
        return None


def _write(location: str, data: bytes) -> None:
    """Atomic: a local file is renamed into place; an S3 object appears whole."""
    target = parse_location(location)
    if isinstance(target, S3Object):
        client = s3_client()
        with s3_errors(target, "write"):
            client.put_object(Bucket=target.bucket, Key=target.key, Body=data)
        return
    with atomic_write(target, "wb") as handle:
        handle.write(data)


def _serialise(model: Any, location: str) -> bytes:
    if _is_skops(location):
        import skops.io

        return bytes(skops.io.dumps(model))
    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return buffer.getvalue()


def save_model(model: Any, location: str) -> str:
    """Write ``model`` (joblib, or skops for ``.skops``) and its sidecars; return the
    sha256 hex digest."""
    import sklearn

    data = _serialise(model, location)
    digest = hashlib.sha256(data).hexdigest()
    _write(location, data)
    name = location.rsplit("/", 1)[-1]
    _write(location + ".sha256", f"{digest}  {name}\n".encode())
    meta = {
        "sha256": digest,
        "estimator": f"{type(model).__module__}.{type(model).__qualname__}",
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write(location + ".meta.json", (json.dumps(meta, indent=2) + "\n").encode())
    return digest


def load_model(location: str, sha256: str | None = None, trusted_types: Sequence[str] = ()) -> Any:
    """Load a model saved by :func:`save_model` (or any joblib/pickle/skops file).

    ``sha256`` pins the file: the digest is checked before anything is unpickled.
    ``.skops`` files load without pickle; types outside skops' defaults must be listed
    in ``trusted_types``.
    """
    import sklearn

    data = _read(location)
    if sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256.lower():
            raise ModelFileError(
                f"refusing to load {location}: its sha256 is {actual}, not the pinned {sha256} "
                "(the file changed or was replaced; nothing was unpickled)"
            )
    meta_bytes = _read_optional(location + ".meta.json")
    if meta_bytes:
        saved_with = json.loads(meta_bytes).get("sklearn_version")
        if saved_with and saved_with != sklearn.__version__:
            warnings.warn(
                f"{location} was saved with scikit-learn {saved_with} and is loaded with "
                f"{sklearn.__version__}: predictions may differ or fail; retrain or pin "
                f"scikit-learn=={saved_with}",
                ModelVersionWarning,
                stacklevel=2,
            )
    if _is_skops(location):
        import skops.io

        untrusted = skops.io.get_untrusted_types(data=data)
        refused = sorted(set(untrusted) - set(trusted_types))
        if refused:
            raise ModelFileError(
                f"refusing to load {location}: it contains types that are not trusted: "
                f"{refused}; list them in trusted_types only if you trust where the file came from"
            )
        return skops.io.loads(data, trusted=list(untrusted))
    import joblib

    return joblib.load(io.BytesIO(data))

"""Model files: save and load scikit-learn models, locally or on S3, safely.

Loading a pickle or joblib file runs code stored in it, so a file from anywhere but
your own pipeline must be trusted or pinned: with ``sha256`` the file's digest is
checked *before a single byte is unpickled*, and a mismatch refuses to load. The skops
format (``.skops``) is the safe choice for models from elsewhere: it loads without
pickle, and only types you name as trusted.

Saving writes the model atomically, then ``<file>.sha256`` (the digest, sha256sum
style) and ``<file>.meta.json`` (scikit-learn's version, the estimator's class) beside
it. On load, a different scikit-learn version is a clear warning.

Loading without a pin (every check before anything is unpickled):

* when ``<file>.sha256`` exists beside the file it is checked, and a mismatch refuses
  to load: a model swapped in next to its sidecar is caught. The sidecar is no pin:
  whoever can replace the file can usually replace the sidecar too.
* when the operator policy requires pins (``require_model_pin = true``, see
  :mod:`wfe.policy`), a pickle/joblib file is refused, with its digest and the line
  that would pin it;
* otherwise, without a sidecar, the file loads with an :class:`UnpinnedModelWarning`
  that gives its digest and the ``sha256: <hex>`` line to pin it.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import re
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from wfe.atomicfile import atomic_write
from wfe.policy import current_policy
from wfe_io.locations import S3Object, parse_location
from wfe_io.s3 import s3_client, s3_errors

__all__ = [
    "SHA256_PATTERN",
    "ModelFileError",
    "ModelVersionWarning",
    "UnpinnedModelWarning",
    "load_model",
    "save_model",
]


#: a sha256 hex digest, as a pin or a sidecar holds it
SHA256_PATTERN = re.compile(r"[0-9a-fA-F]{64}")


class ModelFileError(RuntimeError):
    """A model file cannot be loaded safely (digest mismatch, untrusted types, ...)."""


class ModelVersionWarning(UserWarning):
    """The model was saved with another scikit-learn version than the one loading it."""


class UnpinnedModelWarning(UserWarning):
    """A pickle/joblib model file is being loaded with neither a ``sha256`` pin nor a
    ``.sha256`` sidecar to check it against: whatever it contains will run.

    It is issued before the file is unpickled, so turning it into an error
    (``warnings.simplefilter("error", UnpinnedModelWarning)``; ``require_model_pin`` in
    the operator policy does it for every workflow) refuses the file before any of its
    code runs.
    Attributes let a run record or a monitoring plugin capture it without parsing the
    message: ``location``, ``sha256`` (the file's actual digest) and ``pin`` (the line
    to add under the task's params)."""

    def __init__(self, location: str, sha256: str) -> None:
        self.location = location
        self.sha256 = sha256
        self.pin = f"sha256: {sha256}"
        super().__init__(
            f"loading {location} unpinned: it is a pickle, so loading it runs whatever code "
            "it contains, and nothing checks that it is the file you meant. Its sha256 is "
            f"{sha256}; if you trust it, pin it by adding `{self.pin}` under the task's params"
        )

    def __reduce__(self) -> tuple[type[UnpinnedModelWarning], tuple[str, str]]:
        return type(self), (self.location, self.sha256)  # picklable (to another process)


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
    Without it, the ``.sha256`` sidecar is checked when there is one, and the operator
    policy may refuse the file (see the module docstring). ``.skops`` files load without
    pickle; types outside skops' defaults must be listed in ``trusted_types``.
    """
    import sklearn

    data = _read(location)
    actual = hashlib.sha256(data).hexdigest()
    if sha256 is not None:
        if actual != sha256.lower():
            raise ModelFileError(
                f"refusing to load {location}: its sha256 is {actual}, not the pinned {sha256} "
                "(the file changed or was replaced; nothing was unpickled)"
            )
    else:
        _check_unpinned(location, actual)
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


def _check_unpinned(location: str, actual: str) -> None:
    """The checks for a file without a pin, all before anything is unpickled: its
    sidecar, the operator policy, and the warning."""
    sidecar = _read_optional(location + ".sha256")
    if sidecar is not None:
        recorded = sidecar.decode("utf-8", errors="replace").split(maxsplit=1)[:1]
        if not recorded or not SHA256_PATTERN.fullmatch(recorded[0]):
            raise ModelFileError(
                f"refusing to load {location}: {location}.sha256 beside it is not a sha256sum "
                "line ('<64 hex digits>  <name>'); restore it, or pin the file with sha256"
            )
        if recorded[0].lower() != actual:
            raise ModelFileError(
                f"refusing to load {location}: its sha256 is {actual}, but {location}.sha256 "
                f"beside it says {recorded[0]} (the file changed or was replaced; nothing was "
                "unpickled)"
            )
    if _is_skops(location):
        return  # loaded without pickle, and only trusted types: no pin needed
    policy = current_policy()
    if policy.require_model_pin:
        raise ModelFileError(
            policy.refusal(
                f"loading {location} without a sha256 pin",
                "require_model_pin = true",
                f"its sha256 is {actual}: if you trust the file, pin it by adding "
                f"`sha256: {actual}` under the task's params (or save it as .skops)",
            )
        )
    if sidecar is None:
        warnings.warn(UnpinnedModelWarning(location, actual), stacklevel=3)

"""Local files that appear complete or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_file"]


@contextmanager
def atomic_file(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Write through a temporary file in the same folder, renamed onto ``path`` only
    when the block succeeds (and the data is on disk). On any failure the temporary
    file is removed and ``path`` keeps its previous contents, if any."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  closed below, renamed on success
        mode, dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False, **open_args
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise

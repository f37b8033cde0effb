"""How one checkpointed output is written to a file and read back.

A checkpoint is a cache, not an archive, so the format is the fastest safe one:

* a pandas DataFrame whose columns Arrow represents exactly goes to an **Arrow IPC
  file** (Feather v2), uncompressed, written by pyarrow straight from the frame's
  memory, and comes back **memory-mapped**: loading a 400 MB frame maps the file and
  copies nothing; pages are read as they are used;
* anything else (and every DataFrame when pyarrow is not installed) is **pickled**.

Each file's digest is computed *while it is written*, never by reading the file back,
and loading checks it before a single value is built (unless the caller has just
checked it). The digest is xxh3-128, which detects accidental damage (a truncated or
partly written file, flipped bits) as surely as sha256 for this purpose and runs at
~10 GB/s: sha256 (~1 GB/s here) took longer than writing the file to the page cache.
It is no defence against tampering, and neither would sha256 be, with the manifest
beside the file.

A mapped DataFrame's columns live in read-only pages. Under pandas' copy-on-write
(the default from pandas 3) the frame handed out is a shallow copy of the mapped one,
which is kept alive with it, so the first in-place change of a column copies that
column, exactly as for any frame that shares data. Without copy-on-write (pandas 2
with the option off) the frame is copied into memory when loaded.

Only load checkpoints from a folder you trust: a pickle runs code when loaded.
"""

from __future__ import annotations

import mmap
import os
import pickle
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["DamagedFileError", "file_problem", "read_output", "write_output"]

ARROW, PICKLE = "arrow", "pickle"
_SUFFIX = {ARROW: ".arrow", PICKLE: ".pkl"}
#: the manifest key of a file's digest
DIGEST = "xxh3_128"


class DamagedFileError(ValueError):
    """A checkpoint file does not hold what its manifest says (digest or size)."""


def _digest(data: Any = b"") -> Any:
    import xxhash

    return xxhash.xxh3_128(data)


class _HashingWriter:
    """A binary file that computes the digest of exactly the bytes written to it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = _digest()
        self.size = 0

    def write(self, data: Any) -> int:  # any buffer: bytes, memoryview, pyarrow.Buffer
        view = memoryview(data)
        self._hash.update(view)
        self._raw.write(view)
        self.size += view.nbytes
        return view.nbytes

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._raw.flush()

    @property
    def closed(self) -> bool:
        return self._raw.closed

    def hexdigest(self) -> str:
        digest: str = self._hash.hexdigest()
        return digest


def _arrow_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "columns")


def _arrow_exact(frame: Any) -> bool:
    """True when Arrow gives this frame back exactly: string, unique column labels; no
    object columns (Arrow would infer one type for values of many); an index without
    object values or a ``freq`` (Arrow keeps neither). Everything else is pickled."""
    columns = frame.columns
    if len(columns) == 0 or not columns.is_unique:
        return False
    labels = [part for c in columns for part in (c if isinstance(c, tuple) else (c,))]
    if not all(isinstance(label, str) for label in labels):
        return False
    if any(str(dtype) == "object" for dtype in frame.dtypes):
        return False
    index = frame.index
    levels = getattr(index, "levels", None)
    if levels is not None:
        return all(str(level.dtype) != "object" for level in levels)
    return str(index.dtype) != "object" and getattr(index, "freq", None) is None


def _arrow_table(frame: Any) -> Any:
    """The frame as an Arrow table, or None when Arrow cannot hold it exactly.

    Columns of numpy numbers go in as they are, without a copy or a scan (and a float
    column's NaN stays a value: pyarrow's own conversion scans every float for NaN and
    turns them into nulls, which loading would then have to copy back; that scan alone
    cost ~0.3 s per 400 MB). The other columns and the index go through pyarrow's pandas
    conversion; the schema carries pandas' metadata either way."""
    if not (_arrow_available() and _arrow_exact(frame)):
        return None
    import numpy as np
    import pyarrow as pa

    numeric = {
        label
        for label, dtype in frame.dtypes.items()
        if isinstance(label, str) and isinstance(dtype, np.dtype) and dtype.kind in "fiu"
    }
    try:
        schema = pa.Schema.from_pandas(frame, preserve_index=None)
        rest = pa.Table.from_pandas(
            frame.drop(columns=list(numeric)), schema=None, preserve_index=None
        )
        arrays = [
            pa.array(frame[field.name].to_numpy(), type=field.type, from_pandas=False)
            if field.name in numeric
            else rest.column(field.name)
            for field in schema
        ]
        return pa.Table.from_arrays(arrays, schema=schema)
    except (pa.ArrowException, TypeError, ValueError, KeyError):
        return None  # e.g. sparse or complex columns


def write_output(folder: Path, stem: str, value: Any) -> dict[str, Any]:
    """Write ``value`` to ``folder/stem.<format>`` and fsync it; return its manifest
    entry: ``{"file", "format", "bytes", "xxh3_128"}``."""
    table = _arrow_table(value) if _is_frame(value) else None
    kind = PICKLE if table is None else ARROW
    path = folder / f"{stem}{_SUFFIX[kind]}"
    with path.open("xb") as raw:
        sink = _HashingWriter(raw)
        if table is not None:
            import pyarrow as pa

            with pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
        else:
            pickle.dump(value, sink, protocol=pickle.HIGHEST_PROTOCOL)
        raw.flush()
        os.fsync(raw.fileno())
    return {"file": path.name, "format": kind, "bytes": sink.size, DIGEST: sink.hexdigest()}


def _mapped(path: Path, entry: Mapping[str, Any], verify: bool) -> mmap.mmap:
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size != entry["bytes"] or size == 0:
            raise DamagedFileError(f"{path} has {size} bytes, its manifest says {entry['bytes']}")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    if verify and _digest(mapped).hexdigest() != entry.get(DIGEST):
        mapped.close()
        raise DamagedFileError(f"{path} is damaged: its digest does not match its manifest")
    return mapped


def file_problem(path: Path, entry: Mapping[str, Any]) -> str | None:
    """Why the file does not hold what ``entry`` says (size, then digest), or None."""
    try:
        _mapped(path, entry, verify=True).close()
    except (OSError, ValueError) as exc:
        return str(exc)
    return None


def read_output(path: Path, entry: Mapping[str, Any], verify: bool = True) -> Any:
    """The value stored in ``path`` as described by its manifest ``entry``; with
    ``verify`` its digest is checked first (:class:`DamagedFileError` if it differs)."""
    mapped = _mapped(path, entry, verify)
    if entry["format"] == PICKLE:
        try:
            return pickle.loads(mapped)  # our own file; its digest was checked
        finally:
            mapped.close()
    if entry["format"] != ARROW:
        mapped.close()
        raise DamagedFileError(f"{path}: unknown checkpoint format {entry['format']!r}")
    return _mapped_frame(mapped)


def _keep(_: Any) -> None:
    """Nothing to do: :func:`weakref.finalize` holds the mapped frame until then."""


def _mapped_frame(mapped: mmap.mmap) -> Any:
    import pandas as pd
    import pyarrow as pa

    table = pa.ipc.open_file(pa.py_buffer(mapped)).read_all()
    if not _copy_on_write(pd):
        return table.to_pandas()  # copies into writable memory
    frame = table.to_pandas(split_blocks=True)  # zero-copy views of the mapped pages
    shallow = frame.copy(deep=False)  # writes to it copy the column first
    weakref.finalize(shallow, _keep, frame)
    return shallow


def _copy_on_write(pd: Any) -> bool:
    major = int(pd.__version__.split(".", 1)[0])
    return major >= 3 or pd.options.mode.copy_on_write is True

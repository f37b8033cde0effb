"""How one checkpointed output is written to a file and read back.

A checkpoint is a cache, not an archive, so the format is the fastest safe one:

* a pandas DataFrame whose columns Arrow represents exactly goes to an **Arrow IPC
  file** (Feather v2), uncompressed, written by pyarrow straight from the frame's
  memory, and comes back **memory-mapped**: loading a 400 MB frame maps the file and
  copies nothing; pages are read as they are used;
* anything else (and every DataFrame when pyarrow is not installed) is **pickled**.

The file's sha256 is computed *while it is written* (in a helper thread, beside the
write: both release the GIL), never by reading the file back. Loading checks it
before a single value is built, unless the caller has just checked it.

A mapped DataFrame's columns live in read-only pages. Under pandas' copy-on-write
(the default from pandas 3) the frame handed out is a shallow copy of the mapped one,
which is kept alive with it, so the first in-place change of a column copies that
column, exactly as for any frame that shares data. Without copy-on-write (pandas 2
with the option off) the frame is copied into memory when loaded.

Only load checkpoints from a folder you trust: a pickle runs code when loaded.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import pickle
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["DamagedFileError", "file_problem", "read_output", "write_output"]

ARROW, PICKLE = "arrow", "pickle"
_SUFFIX = {ARROW: ".arrow", PICKLE: ".pkl"}
#: writes at least this large are hashed in a helper thread while they are written
_PARALLEL_HASH = 1 << 20


class DamagedFileError(ValueError):
    """A checkpoint file does not hold what its manifest says (digest or size)."""


class _HashingWriter:
    """A binary file that computes the sha256 of exactly the bytes written to it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._sha = hashlib.sha256()
        self.size = 0

    def write(self, data: Any) -> int:  # any buffer: bytes, memoryview, pyarrow.Buffer
        view = memoryview(data)
        if view.nbytes >= _PARALLEL_HASH:  # hash in a helper thread while writing
            hashing = threading.Thread(target=self._sha.update, args=(view,))
            hashing.start()
            try:
                self._raw.write(view)
            finally:
                hashing.join()
        else:
            self._sha.update(view)
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
        return self._sha.hexdigest()


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
    """The frame as an Arrow table, or None when Arrow cannot hold it exactly."""
    if not (_arrow_available() and _arrow_exact(frame)):
        return None
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(frame, preserve_index=None)
    except (pa.ArrowException, TypeError, ValueError):
        return None  # e.g. sparse or complex columns
    return _nan_as_values(frame, table)


def _nan_as_values(frame: Any, table: Any) -> Any:
    """pyarrow turns a float column's NaN into nulls, and loading would then have to
    copy the column to turn them back into NaN. Keep NaN as values instead: the column
    then maps without a copy, and reads back the same."""
    import pyarrow as pa

    for position, name in enumerate(table.column_names):
        column = table.column(position)
        if not (column.null_count and pa.types.is_floating(column.type)):
            continue
        values = frame[name].to_numpy() if name in frame.columns else None
        if values is not None and values.dtype.kind == "f":
            field = table.schema.field(position)
            table = table.set_column(position, field, pa.array(values, from_pandas=False))
    return table


def write_output(folder: Path, stem: str, value: Any) -> dict[str, Any]:
    """Write ``value`` to ``folder/stem.<format>`` and fsync it; return its manifest
    entry: ``{"file", "format", "bytes", "sha256"}``."""
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
    return {"file": path.name, "format": kind, "bytes": sink.size, "sha256": sink.hexdigest()}


def _mapped(path: Path, entry: Mapping[str, Any], verify: bool) -> mmap.mmap:
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size != entry["bytes"] or size == 0:
            raise DamagedFileError(f"{path} has {size} bytes, its manifest says {entry['bytes']}")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    if verify and hashlib.sha256(mapped).hexdigest() != entry["sha256"]:
        mapped.close()
        raise DamagedFileError(f"{path} is damaged: its sha256 does not match its manifest")
    return mapped


def file_problem(path: Path, entry: Mapping[str, Any]) -> str | None:
    """Why the file does not hold what ``entry`` says (size, then sha256), or None."""
    try:
        _mapped(path, entry, verify=True).close()
    except (OSError, ValueError) as exc:
        return str(exc)
    return None


def read_output(path: Path, entry: Mapping[str, Any], verify: bool = True) -> Any:
    """The value stored in ``path`` as described by its manifest ``entry``; with
    ``verify`` its sha256 is checked first (:class:`DamagedFileError` if it differs)."""
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

"""The text of a workflow: read from a file safely, or checked when given directly.

Everything a user can name as a workflow file ends here as text or as a
``DefinitionError`` that says what is wrong with the path: a missing file, a folder, a
device such as ``/dev/zero`` (which would be read until memory runs out), a pipe, a
loop of symbolic links, a file over :data:`MAX_FILE_BYTES`, bytes that are not UTF-8.
The file's type is checked before it is opened and again on the open file (the path
may change in between), and no more than the limit is ever read.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import AnyStr

from wfe.errors import DefinitionError, Location, Problem
from wfe.quoting import quote

__all__ = ["MAX_FILE_BYTES", "RefusedFile", "encode_text", "read_bounded", "read_text"]

#: The largest workflow file (and the longest text ``wfe.loads`` accepts, in
#: characters). A 10,000-task file is about 1.2 MiB, so this leaves room for 100,000+
#: tasks, while the densest YAML of this size (``[1,1,1,...]``) still parses in about
#: 10 s and 2.5 GB (libyaml makes ~150 bytes of nodes per byte of such text).
MAX_FILE_BYTES = 16 * 1024 * 1024

_MAX_SHOWN_PATH = 1024
_TOO_LARGE_HINT = (
    "a workflow definition is far smaller than this: check that the path names the "
    "workflow's YAML file (split a generated workflow into several if it really is one)"
)


def read_text(path: str) -> str:
    """The UTF-8 text of the workflow file ``path``, or a ``DefinitionError``."""
    # Messages name the file; a path longer than any real one is shown cut.
    source = path if len(path) <= _MAX_SHOWN_PATH else quote(path, marks=False)
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
    except RefusedFile as refused:
        problem = _file_problem(path, source, refused.what, refused.hint)
        raise DefinitionError([problem], source) from None
    except (OSError, ValueError) as exc:
        raise DefinitionError([_os_problem(path, source, exc)], source) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start, b"\n")
        problem = Problem(
            "not-text",
            f"the file is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
            "save it as UTF-8 (most editors offer this under 'Save with encoding')",
            location=Location(source, line, column),
        )
        raise DefinitionError([problem], source) from None


def encode_text(text: str, source: str) -> bytes:
    """``text`` as UTF-8 (for its digest), after checking its size and that it is
    valid Unicode: a string built in Python may hold lone surrogates, which no file
    can contain and YAML cannot read."""
    if len(text) > MAX_FILE_BYTES:
        raise DefinitionError(
            [
                Problem(
                    "too-large",
                    f"the workflow text is {len(text):,} characters; the limit is "
                    f"{MAX_FILE_BYTES:,}",
                    _TOO_LARGE_HINT,
                    location=Location(source, 1, 1),
                )
            ],
            source,
        )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line, column = _position(text, exc.start, "\n")
        problem = Problem(
            "not-text",
            f"the text holds {quote(text[exc.start : exc.end])}, which is not a valid "
            "Unicode character (a lone surrogate, often from decoding bytes with "
            "errors='surrogateescape')",
            "decode the file as UTF-8 before passing its text, or remove the character",
            location=Location(source, line, column),
        )
        raise DefinitionError([problem], source) from None


class RefusedFile(Exception):
    """The path names something other than a regular file, or a file over the limit:
    ``what`` it is and the ``hint`` for the user."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint


def read_bounded(path: str, limit: int) -> bytes:
    """The bytes of the regular file ``path``, never more than ``limit`` of them.

    Raises :class:`RefusedFile` for a folder, a device, a pipe or a socket (checked
    before opening, since opening a device or a pipe can block or have effects, and
    again on the open file, since the path may change in between) and for a file over
    ``limit`` bytes (also one that grew after the check); ``OSError`` or ``ValueError``
    (a NUL in the path) when the path cannot be opened.
    """
    _check_file(os.stat(path), limit)
    flags = os.O_RDONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0)
    with os.fdopen(os.open(path, flags), "rb") as handle:
        _check_file(os.fstat(handle.fileno()), limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit, "at least ")
    return data


def _check_file(info: os.stat_result, limit: int) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise RefusedFile("is a folder, not a workflow file", "name a YAML file inside it")
    if not stat.S_ISREG(mode):
        raise RefusedFile(
            "is not a regular file (a device, a pipe or a socket): wfe reads workflows "
            "from files only",
            "save the workflow to a file and name that file",
        )
    if info.st_size > limit:
        raise _too_large(info.st_size, limit)


def _too_large(size: int, limit: int, qualifier: str = "") -> RefusedFile:
    return RefusedFile(
        f"is {qualifier}{size:,} bytes; workflow files are limited to {limit:,} bytes "
        f"({limit / 2**20:g} MiB)",
        _TOO_LARGE_HINT,
    )


def _file_problem(path: str, source: str, what: str, hint: str) -> Problem:
    return Problem("bad-file", f"{quote(path)} {what}", hint, location=Location(source, 1, 1))


_MISSING = {errno.ENOENT, errno.ENOTDIR}
_REASONS = {
    errno.ELOOP: ("is a loop of symbolic links", "point the path at the real file"),
    errno.EACCES: ("cannot be read: permission denied", "check the file's permissions"),
    errno.EPERM: ("cannot be read: operation not permitted", "check the file's permissions"),
    errno.EISDIR: ("is a folder, not a workflow file", "name a YAML file inside it"),
    errno.ENAMETOOLONG: (
        "is too long for the operating system",
        "use a shorter path (a relative one, or move the file)",
    ),
}


def _os_problem(path: str, source: str, exc: OSError | ValueError) -> Problem:
    if isinstance(exc, ValueError):  # a NUL character in the path
        return Problem("no-file", f"{quote(path)} is not a valid path: {exc}", "check the path")
    if exc.errno in _MISSING:
        return Problem("no-file", f"no such file: {quote(path)}", "check the path")
    what, hint = _REASONS.get(exc.errno or 0, (f"cannot be read: {exc.strerror}", "check the path"))
    return _file_problem(path, source, what, hint)


def _position(text: AnyStr, offset: int, newline: AnyStr) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line_start = text.rfind(newline, 0, offset) + 1
    return text.count(newline, 0, offset) + 1, offset - line_start + 1

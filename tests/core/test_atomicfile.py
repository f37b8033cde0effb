"""wfe.atomicfile: complete or absent files, durable once written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from wfe.atomicfile import atomic_write, fsync_folder, make_folders


def test_a_new_file_appears_whole_in_new_folders_with_no_temporary_left(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.csv"
    with atomic_write(target, "w", encoding="utf-8", newline="") as handle:
        handle.write("x,y\r\n1,2\r\n")
    assert target.read_bytes() == b"x,y\r\n1,2\r\n"
    assert os.listdir(target.parent) == ["out.csv"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "model.bin"
    target.write_bytes(b"old")

    def write_then_fail() -> None:
        with atomic_write(target) as handle:
            handle.write(b"new, half written")
            raise RuntimeError("injected")

    with pytest.raises(RuntimeError, match="injected"):
        write_then_fail()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["model.bin"]


def test_the_data_then_the_rename_are_made_durable_in_that_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        events.append("rename")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    with atomic_write(tmp_path / "f", "wb") as handle:
        handle.write(b"data")
    assert events == ["fsync file", "rename", "fsync folder"]

    events.clear()  # a cache's file: replaced whole, but nothing waits for the disk
    with atomic_write(tmp_path / "cache", "wb", durable=False) as handle:
        handle.write(b"data")
    assert events == ["rename"]
    assert (tmp_path / "cache").read_bytes() == b"data"


def test_new_files_get_the_usual_permissions_not_owner_only(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "shared.txt", "w", encoding="utf-8") as handle:
            handle.write("x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "shared.txt").stat().st_mode) == 0o644


@pytest.mark.parametrize(
    ("mode", "options", "message"),
    [
        ("a", {}, "mode must be 'w' or 'wb', got 'a'"),
        ("r+b", {}, "mode must be 'w' or 'wb'"),
        ("wb", {"encoding": "utf-8"}, "apply to text mode"),
    ],
)
def test_modes_other_than_a_whole_new_file_are_refused(
    tmp_path: Path, mode: str, options: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message), atomic_write(tmp_path / "f", mode, **options):
        pass  # pragma: no cover
    assert os.listdir(tmp_path) == []


def test_a_path_without_a_file_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs a file name"), atomic_write(tmp_path / ".."):
        pass  # pragma: no cover


def test_make_folders_makes_every_missing_parent_and_refuses_a_file_in_the_way(
    tmp_path: Path,
) -> None:
    make_folders(tmp_path / "x" / "y" / "z")
    assert (tmp_path / "x" / "y" / "z").is_dir()
    make_folders(tmp_path / "x" / "y" / "z")  # already there: nothing to do
    (tmp_path / "file").write_text("")
    with pytest.raises(FileExistsError):
        make_folders(tmp_path / "file" / "sub")
    fsync_folder(tmp_path)

"""Answers remembered across processes (wfe.memofiles): used only under their stamp,
bounded in number, and never a reason to fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wfe import memofiles


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def test_a_value_is_recalled_only_for_its_subject_and_stamp(cache_home: Path) -> None:
    value = (("a", 1), frozenset({"x"}), {"f": (True, None)})
    memofiles.remember("things", ("subject",), (1, 2), value)
    assert memofiles.recall("things", ("subject",), (1, 2)) == value
    assert memofiles.recall("things", ("subject",), (1, 3)) is None  # changed since
    assert memofiles.recall("things", ("other",), (1, 2)) is None
    assert memofiles.recall("elsewhere", ("subject",), (1, 2)) is None
    memofiles.remember("things", ("subject",), (1, 3), "newer")  # replaces the file
    assert memofiles.recall("things", ("subject",), (1, 3)) == "newer"
    assert len(list((cache_home / "wfe" / "things").iterdir())) == 1


def test_a_damaged_file_is_ignored_and_replaced(cache_home: Path) -> None:
    memofiles.remember("things", ("s",), (1,), "value")
    [file] = (cache_home / "wfe" / "things").iterdir()
    for damage in (b"", b"\x00garbage", file.read_bytes()[:-3]):
        file.write_bytes(damage)
        assert memofiles.recall("things", ("s",), (1,)) is None
    memofiles.remember("things", ("s",), (1,), "value")
    assert memofiles.recall("things", ("s",), (1,)) == "value"


def test_a_folder_keeps_a_bounded_number_of_files_the_newest(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memofiles, "MAX_FILES", 8)
    folder = cache_home / "wfe" / "things"
    for number in range(20):
        memofiles.remember("things", (number,), (), number)
        assert len(list(folder.iterdir())) <= 8
        # Ages in write order, without sleeping past the clock's resolution.
        os.utime(memofiles._path("things", (number,)), ns=(number, number))
    kept = [n for n in range(20) if memofiles.recall("things", (n,), ()) == n]
    assert kept == list(range(20 - len(kept), 20))  # the newest ones
    assert len(kept) >= 8 * 3 // 4


def test_an_unwritable_cache_folder_means_no_memory_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    memofiles.remember("things", ("s",), (1,), "value")
    assert memofiles.recall("things", ("s",), (1,)) is None


def test_a_value_marshal_cannot_store_is_not_kept(cache_home: Path) -> None:
    memofiles.remember("things", ("s",), (1,), object())
    assert memofiles.recall("things", ("s",), (1,)) is None

"""Reading a workflow file safely, and checking text given directly: wfe.sourcetext."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import wfe
from wfe.errors import Problem
from wfe.sourcetext import MAX_FILE_BYTES, encode_text, read_text


def refused(path: str | Path) -> Problem:
    with pytest.raises(wfe.DefinitionError) as info:
        read_text(str(path))
    [problem] = info.value.problems
    return problem


def test_a_regular_utf8_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("workflow_name: café\n", encoding="utf-8")
    assert read_text(str(path)) == "workflow_name: café\n"


def test_a_folder_is_refused(tmp_path: Path) -> None:
    problem = refused(tmp_path)
    assert problem.kind == "bad-file"
    assert "is a folder, not a workflow file" in problem.message
    assert str(problem.location) == f"{tmp_path}:1:1"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_devices_are_refused_before_a_byte_is_read(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    problem = refused(device)
    assert "is not a regular file (a device, a pipe or a socket)" in problem.message


def test_a_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever
    assert "is not a regular file" in refused(fifo).message


def test_a_loop_of_symbolic_links_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    problem = refused(tmp_path / "a.yaml")
    assert "is a loop of symbolic links" in problem.message


def test_missing_files_and_impossible_paths(tmp_path: Path) -> None:
    assert refused(tmp_path / "nope.yaml").message.startswith("no such file: ")
    (tmp_path / "file").write_text("x")
    assert refused(tmp_path / "file" / "w.yaml").kind == "no-file"  # ENOTDIR
    long = refused("d/" * 3000 + "w.yaml")  # ENAMETOOLONG
    assert "is too long for the operating system" in long.message
    assert "(6,006 characters)" in long.message  # quoted, not echoed whole
    assert "is not a valid path" in refused("a\0b.yaml").message


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("x: 1\n")
    path.chmod(0)
    if os.geteuid() != 0:
        assert "permission denied" in refused(path).message
        return
    # root reads any file: ask as an unprivileged user (root can switch back)
    os.seteuid(65534)  # nobody
    try:
        message = refused(path).message
    finally:
        os.seteuid(0)
    assert "permission denied" in message


def test_a_file_over_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: takes no disk space
    problem = refused(path)
    assert f"is {MAX_FILE_BYTES + 1:,} bytes; workflow files are limited to" in problem.message
    assert "16 MiB" in problem.message


def test_bytes_that_are_not_utf8_are_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nworkflow_name: caf\xe9\n".encode("latin-1"))
    problem = refused(path)
    assert problem.message == "the file is not UTF-8 text: byte 0xe9 cannot be decoded"
    assert str(problem.location) == f"{path}:2:19"


def test_text_with_a_lone_surrogate_is_located() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        encode_text("a: 1\nworkflow_name: x\udcff\n", "wf.yaml")
    [problem] = info.value.problems
    assert problem.kind == "not-text"
    assert "'\\udcff'" in problem.message
    assert str(problem.location) == "wf.yaml:2:17"


def test_text_over_the_limit_is_refused() -> None:
    assert encode_text("a: 1\n", "wf.yaml") == b"a: 1\n"
    with pytest.raises(wfe.DefinitionError, match="the limit is 16,777,216"):
        encode_text(" " * (MAX_FILE_BYTES + 1), "wf.yaml")

"""wfe.datastate: the state of locations a task reads or writes outside the run."""

from __future__ import annotations

import hashlib
import os
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from wfe import datastate
from wfe.datastate import Probe, file_sha256, local_state, state_change


def test_a_small_file_is_its_size_and_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert local_state(path, None) == {
        "size": 8,
        "sha256": hashlib.sha256(b"a,b\n1,2\n").hexdigest(),
    }
    os.utime(path, ns=(1, 1))  # touching it changes nothing: the content decides
    assert local_state(path, None)["sha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert file_sha256(tmp_path / "data.csv") == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert file_sha256(tmp_path / "empty") == hashlib.sha256(b"").hexdigest()


def test_a_file_above_the_limit_is_its_size_mtime_and_inode_unless_hashing_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datastate, "HASH_LIMIT", 4)
    path = tmp_path / "big.bin"
    path.write_bytes(b"12345")
    info = path.stat()
    assert local_state(path, None) == {
        "size": 5,
        "mtime_ns": info.st_mtime_ns,
        "inode": info.st_ino,
    }
    assert "sha256" in local_state(path, True)  # hash_inputs: true
    monkeypatch.setattr(datastate, "HASH_LIMIT", 1 << 30)
    assert "sha256" not in local_state(path, False)  # hash_inputs: false


def test_missing_files_folders_and_unknown_schemes(tmp_path: Path) -> None:
    probe = Probe()
    assert probe(str(tmp_path / "nope.csv"), None, {}) == {"missing": True}
    assert probe(f"file://{tmp_path / 'nope.csv'}", None, {}) == {"missing": True}
    assert probe(str(tmp_path), None, {}) == {"unknown": f"{tmp_path} is not a file"}
    assert probe("gopher://host/x", None, {}) == {
        "unknown": "no location probe for 'gopher://' is installed"
    }


def test_probes_are_found_by_scheme_and_their_failures_mean_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, Any, Any]] = []

    def fake_probe(location: str, hash_contents: bool | None, params: Any) -> dict[str, Any]:
        calls.append((location, hash_contents, params))
        if "broken" in location:
            raise ConnectionError("unreachable")
        return {"etag": "e1"}

    def entry_points(group: str, name: str) -> list[Any]:
        assert group == "wfe.location_probes"
        return [EntryPoint(name, "fake:probe", group)] if name == "mem" else []

    monkeypatch.setattr("importlib.metadata.entry_points", entry_points)
    monkeypatch.setattr(EntryPoint, "load", lambda self: fake_probe)
    datastate._probe_function.cache_clear()
    try:
        probe = Probe()
        assert probe("mem://a", None, {"endpoint_url": "x"}) == {"etag": "e1"}
        assert probe("mem://a", None, {"endpoint_url": "x"}) == {"etag": "e1"}
        assert len(calls) == 1  # each location is probed once per planning pass
        assert probe("mem://broken", None, {}) == {
            "unknown": "cannot read its state: ConnectionError: unreachable"
        }
    finally:
        datastate._probe_function.cache_clear()


@pytest.mark.parametrize(
    ("recorded", "current", "change"),
    [
        ({"size": 1, "sha256": "a"}, {"size": 1, "sha256": "a"}, None),
        ({"size": 1, "sha256": "a"}, {"missing": True}, "gone"),
        ({"missing": True}, {"size": 1, "sha256": "a"}, "appeared"),
        ({"size": 1, "sha256": "a"}, {"size": 2, "sha256": "b"}, "size changed (1 -> 2 bytes)"),
        ({"size": 1, "sha256": "a"}, {"size": 1, "sha256": "b"}, "content changed"),
        ({"etag": "a"}, {"unknown": "offline"}, "cannot tell whether it changed (offline)"),
    ],
)
def test_changes_are_named(
    recorded: dict[str, Any], current: dict[str, Any], change: str | None
) -> None:
    assert state_change(recorded, current) == change

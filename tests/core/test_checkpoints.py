"""wfe.checkpoints: the store. Atomic, durable, safe under concurrent runs, inside its root."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import wfe
from wfe import Component, Param
from wfe.checkpoints import MANIFEST, CheckpointStore, Saved
from wfe.errors import CheckpointError
from wfe.fingerprint import Fingerprint, Target

from .conftest import MakePlugins

RunWfe = Callable[..., subprocess.CompletedProcess[str]]


def fp(task: str = "t", digest: str = "a" * 32, target: Target | None = None) -> Fingerprint:
    return Fingerprint(task, digest, {"component": "c", "params": {}}, {"params": {}}, target)


def everything_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_a_fingerprint_saves_only_its_own_task(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="the fingerprint of task 't' cannot save task 'u'"):
        CheckpointStore(tmp_path).save("u", fp(), {"x": 1})
    assert everything_under(tmp_path) == []


def test_outputs_round_trip_and_a_save_says_what_it_did(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "ck")
    saved = store.save("t", fp(), {"x": 1, "y": [1, 2]})
    assert saved == Saved("t", "a" * 32, saved.bytes, kept_existing=False)
    assert saved.bytes > 0
    assert store.load("t", fp()) == {"x": 1, "y": [1, 2]}
    assert everything_under(tmp_path / "ck") == [
        "t",
        f"t/{'a' * 32}",
        f"t/{'a' * 32}/{MANIFEST}",
        f"t/{'a' * 32}/output-0.pkl",
        f"t/{'a' * 32}/output-1.pkl",
    ]
    manifest = json.loads((tmp_path / "ck" / "t" / ("a" * 32) / MANIFEST).read_text())
    assert manifest["identity"] == fp().identity  # what a later plan compares against
    assert manifest["target"] is None
    assert store.problem("t", "a" * 32, verify=True) is None
    assert store.problem("t", "b" * 32) == "no checkpoint"
    with pytest.raises(FileNotFoundError, match="no complete checkpoint of task 't'"):
        store.load("t", "b" * 32)


def test_checkpoints_get_the_usual_permissions_for_a_shared_folder(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        CheckpointStore(tmp_path).save("t", fp(), {"x": 1})
    finally:
        os.umask(umask)
    folder = tmp_path / "t" / ("a" * 32)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o644}


def test_a_failed_save_leaves_nothing(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)

    class Unpicklable:
        def __reduce__(self) -> tuple[object, ...]:
            raise RuntimeError("cannot pickle (injected)")

    with pytest.raises(RuntimeError, match="injected"):
        store.save("t", fp(), {"ok": 1, "bad": Unpicklable()})
    assert store.problem("t", "a" * 32) == "no checkpoint"
    assert list((tmp_path / "t").iterdir()) == []  # no temporary folder left


def test_the_store_pickles_and_holds_nothing_but_its_root(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    assert vars(store) == {"root": tmp_path}
    copy = pickle.loads(pickle.dumps(store))
    copy.save("t", fp(), {"x": 1})
    assert store.load("t", fp()) == {"x": 1}
    assert repr(store) == f"CheckpointStore({str(tmp_path)!r})"


@pytest.mark.parametrize(
    "task", ["../../x", "/tmp/x", "..", ".", "", "a/b", "a\\b", "a\0b", "../t"]
)
def test_paths_that_would_leave_the_root_are_refused(tmp_path: Path, task: str) -> None:
    root = tmp_path / "ck"
    store = CheckpointStore(root)
    with pytest.raises(CheckpointError, match="cannot name a checkpoint folder"):
        store.save(task, fp(task), {"x": 1})
    with pytest.raises(CheckpointError, match="cannot name a checkpoint folder"):
        store.problem(task, "a" * 32)
    assert everything_under(tmp_path) == []  # nothing written anywhere


@pytest.mark.parametrize("digest", ["../" + "a" * 29, "A" * 32, "a" * 31, "a" * 33])
def test_fingerprints_must_be_32_hex_digits(tmp_path: Path, digest: str) -> None:
    with pytest.raises(CheckpointError, match="is not a fingerprint"):
        CheckpointStore(tmp_path).save("t", fp(digest=digest), {"x": 1})


def test_a_second_save_keeps_an_intact_checkpoint_and_replaces_a_damaged_one(
    tmp_path: Path,
) -> None:
    store = CheckpointStore(tmp_path)
    store.save("t", fp(), {"x": 1})
    assert store.save("t", fp(), {"x": 1}).kept_existing
    [output] = (tmp_path / "t" / ("a" * 32)).glob("output-*")
    data = bytearray(output.read_bytes())
    data[-2] ^= 0xFF
    output.write_bytes(bytes(data))
    assert "damaged" in str(store.problem("t", "a" * 32, verify=True))
    assert not store.save("t", fp(), {"x": 1}).kept_existing
    assert store.problem("t", "a" * 32, verify=True) is None
    assert store.load("t", fp()) == {"x": 1}
    assert [p.name for p in (tmp_path / "t").iterdir()] == ["a" * 32]  # no trash left


class Written(Component):
    """A writer whose target state is a module-level value the test changes."""

    params_schema = {"path": Param(str)}
    state: dict[str, Any] = {"rows": 1}

    @classmethod
    def target_state(cls, params: Any, literals: Any) -> dict[str, Any]:
        return dict(cls.state)


def test_the_target_is_recorded_and_refreshed_when_an_intact_checkpoint_is_kept(
    tmp_path: Path,
) -> None:
    store = CheckpointStore(tmp_path)
    writer = fp(target=Target(Written, {"path": "x"}, {}))
    store.save("t", writer, {})
    assert store.manifest("t", "a" * 32)["target"] == {"rows": 1}  # type: ignore[index]
    Written.state = {"rows": 2}  # the task ran again and wrote again
    try:
        assert store.save("t", writer, {}).kept_existing
    finally:
        Written.state = {"rows": 1}
    assert store.manifest("t", "a" * 32)["target"] == {"rows": 2}  # type: ignore[index]


def test_a_target_that_cannot_be_read_is_recorded_as_unknown(tmp_path: Path) -> None:
    class Broken(Component):
        @classmethod
        def target_state(cls, params: Any, literals: Any) -> dict[str, Any]:
            raise ConnectionError("database unreachable")

    store = CheckpointStore(tmp_path)
    store.save("t", fp(target=Target(Broken, {}, {})), {})
    assert store.manifest("t", "a" * 32)["target"] == {  # type: ignore[index]
        "unknown": "ConnectionError: database unreachable"
    }


@pytest.mark.slow  # 4 processes x 4 threads x 3 rounds
def test_many_concurrent_saves_in_threads_and_processes_leave_one_valid_checkpoint_each(
    tmp_path: Path,
) -> None:
    from wfe_test_checkpoints import payload, save_many

    root = tmp_path / "ck"
    prints = [fp("shared", d * 32) for d in "abc"] + [fp("other", "d" * 32)]
    # a damaged checkpoint is in place before the race: it must be replaced, once
    CheckpointStore(root).save("shared", prints[0], payload(0))
    [output] = (root / "shared" / ("a" * 32)).glob("output-0.*")
    output.write_bytes(output.read_bytes()[:-8] + b"\0" * 8)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(4, mp_context=context) as pool:
        jobs = [pool.submit(save_many, str(root), prints, 4, 3) for _ in range(4)]
        errors = [e for job in jobs for e in job.result(timeout=300)]
    assert errors == []  # 4 processes x 4 threads x 3 rounds x 4 fingerprints: all saved
    store = CheckpointStore(root)
    assert everything_under(root) == sorted(
        [
            "other",
            "shared",
            *(f"{p.task}/{p.digest}" for p in prints),
            *(
                f"{p.task}/{p.digest}/{n}"
                for p in prints
                for n in store.manifest(p.task, p.digest)["outputs"].values()
                for n in [n["file"]]
            ),  # type: ignore[index]
            *(f"{p.task}/{p.digest}/{MANIFEST}" for p in prints),
        ]
    )
    for number, fingerprint in enumerate(prints):
        assert store.problem(fingerprint.task, fingerprint.digest, verify=True) is None
        loaded = store.load(fingerprint.task, fingerprint)
        assert loaded["list"] == payload(number)["list"]


def test_concurrent_runs_sharing_a_checkpoint_folder_all_succeed(
    subprocess_env: Callable[..., dict[str, str]], tmp_path: Path
) -> None:
    log = tmp_path / "calls.log"
    path = tmp_path / "wf.yaml"
    path.write_text(
        "workflow_name: shared\ntasks:\n"
        + "".join(
            f"  - {{name: t{i}, component_name: python_function, params: {{function: 'wfe_test_functions:logged', kwargs: {{log: '{log}', label: t{i}, value: {i}}}}}, outputs: [o{i}]"
            + (f", inputs: {{x: o{i - 1}}}" if i else "")
            + "}\n"
            for i in range(6)
        )
    )
    for _ in range(2):
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "wfe",
                    "run",
                    str(path),
                    "--checkpoint",
                    "ck",
                    "--no-record",
                ],
                cwd=tmp_path,
                env=subprocess_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        outcomes = [(run.wait(timeout=120), run.communicate()) for run in runs]
        assert [code for code, _ in outcomes] == [0, 0, 0, 0], outcomes
    entries = CheckpointStore(tmp_path / "ck").entries()
    assert sorted((e.task, e.state) for e in entries) == [(f"t{i}", "complete") for i in range(6)]


def backdate(store: CheckpointStore, task: str, digest: str, days: float) -> None:
    path = store.folder(task, digest) / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["saved"] = time.time() - days * 86400
    path.write_text(json.dumps(manifest))


def test_entries_prune_and_clear(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path)
    for task, digest, age in [("a", "1", 3), ("a", "2", 2), ("a", "3", 0), ("b", "4", 10)]:
        store.save(task, fp(task, digest * 32), {"x": task})
        backdate(store, task, digest * 32, age)
    crashed = tmp_path / "a" / f".{'5' * 32}.x.tmp"
    crashed.mkdir()
    os.utime(crashed, (time.time() - 2.5 * 86400,) * 2)
    running = tmp_path / "b" / f".{'6' * 32}.y.tmp"
    running.mkdir()
    listed = [(e.task, e.fingerprint[:1], e.state) for e in store.entries()]
    assert listed == [
        ("a", "3", "complete"),
        ("a", "2", "complete"),
        ("a", ".", "temporary"),
        ("a", "1", "complete"),
        ("b", ".", "temporary"),
        ("b", "4", "complete"),
    ]
    removed = store.prune()  # the newest of each task stays; the crashed save goes
    assert sorted((e.task, e.fingerprint[:1]) for e in removed) == [
        ("a", "."),
        ("a", "1"),
        ("a", "2"),
    ]
    assert [(e.task, e.fingerprint[:1]) for e in store.entries()] == [
        ("a", "3"),
        ("b", "."),
        ("b", "4"),
    ]
    assert [e.task for e in store.prune(older_than_days=5)] == ["b"]  # newest or not
    with pytest.raises(CheckpointError, match=r"no checkpoints of task 'aa'.*did you mean 'a'"):
        store.clear(["aa"])
    assert [e.task for e in store.clear(["a"])] == ["a"]
    assert not (tmp_path / "a").exists()
    with pytest.raises(CheckpointError, match="give a number >= 0"):
        store.prune(older_than_days=-1)


def test_an_empty_or_missing_folder_has_no_entries(tmp_path: Path) -> None:
    assert CheckpointStore(tmp_path / "missing").entries() == []
    (tmp_path / "not-a-task").write_text("")
    assert CheckpointStore(tmp_path).entries() == []
    assert CheckpointStore(tmp_path).clear() == []
    with pytest.raises(CheckpointError, match="not-a-task is a file, not a folder"):
        CheckpointStore(tmp_path / "not-a-task").entries()


def test_a_file_given_as_the_checkpoint_folder_is_refused_before_anything_runs(
    tmp_path: Path, make_plugins: MakePlugins
) -> None:
    log, store = tmp_path / "ran.log", tmp_path / "ck"
    store.write_text("not a folder")
    text = (
        "workflow_name: file\ntasks:\n"
        f"  - {{name: t, component_name: python_function, params: {{function: 'wfe_test_functions:append_line', kwargs: {{path: '{log}', line: ran}}}}}}\n"
    )
    with pytest.raises(CheckpointError, match="is a file, not a folder"):
        wfe.loads(text, plugins=make_plugins()).run(checkpoint=store)
    assert not log.exists()

"""What checkpoints know about components-io's locations (wfe_io.states): S3 objects and
CSV files read, SQLite files queried, tables and files written."""

from __future__ import annotations

import sqlite3
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pandas as pd

import wfe
from wfe.plan import Plan

FRAME = pd.DataFrame({"id": [1, 2, 3], "value": [0.5, 1.5, 2.5]})


def flow(*tasks: str) -> str:
    return "workflow_name: states\ntasks:\n" + "".join(f"  - {t}\n" for t in tasks)


def plan(text: str, store: Path) -> Plan:
    return wfe.loads(text).plan(store, resume=True, explain=True)


def run(text: str, store: Path) -> wfe.RunResult:
    result = wfe.loads(text).run(checkpoint=store, resume=True)
    result.raise_for_status()
    return result


def test_components_io_declares_the_s3_probe() -> None:
    [probe] = entry_points(group="wfe.location_probes", name="s3")
    assert probe.value == "wfe_io.states:s3_state"
    assert probe.dist is not None
    assert probe.dist.name == "components-io"


def test_an_s3_object_read_is_its_etag_and_a_new_object_means_a_new_fingerprint(
    s3: Any, bucket: str, s3_endpoint: str, tmp_path: Path
) -> None:
    s3.put_object(Bucket=bucket, Key="raw/data.csv", Body=FRAME.to_csv(index=False).encode())
    text = flow(
        f"{{name: load, component_name: csv_loader, params: {{path: 's3://{bucket}/raw/data.csv', endpoint_url: '{s3_endpoint}'}}, outputs: [df]}}",
        f"{{name: seed, component_name: s3_csv_loader, params: {{bucket: {bucket}, key: raw/data.csv}}, outputs: [df2]}}",
    )
    store = tmp_path / "ck"
    first = plan(text, store)
    state = first.fingerprints["load"].identity["data"][f"s3://{bucket}/raw/data.csv"]
    assert set(state) == {"etag", "size"}
    assert first.fingerprints["seed"].identity["data"] == {f"s3://{bucket}/raw/data.csv": state}
    run(text, store)
    assert plan(text, store).modes == {"load": "load", "seed": "load"}  # results: loaded
    s3.put_object(Bucket=bucket, Key="raw/data.csv", Body=b"id,value\n9,9.5\n")
    changed = plan(text, store)
    assert changed.modes == {"load": "run", "seed": "run"}
    assert changed.reasons["load"] == (
        f"data: s3://{bucket}/raw/data.csv: size changed ({state['size']} -> 15 bytes)"
    )
    s3.delete_object(Bucket=bucket, Key="raw/data.csv")
    gone = plan(text, store)
    assert gone.reasons["seed"] == f"data: s3://{bucket}/raw/data.csv: gone"


def test_an_unreachable_s3_endpoint_means_the_task_runs(tmp_path: Path) -> None:
    text = flow(
        "{name: load, component_name: csv_loader, params: {path: 's3://bucket/x.csv', endpoint_url: 'http://127.0.0.1:9'}, outputs: [df]}"
    )
    [state] = plan(text, tmp_path).fingerprints["load"].identity["data"].values()
    assert state["unknown"].startswith("cannot read its state: S3Error: cannot read the state of")


def test_a_query_of_a_sqlite_file_depends_on_the_file_and_a_server_cannot_be_told(
    tmp_path: Path,
) -> None:
    database = tmp_path / "source.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
        connection.execute("INSERT INTO t VALUES (1)")
    local = [
        f"{{name: query, component_name: sql_query, params: {{query: 'SELECT * FROM t', url: 'sqlite:///{database}'}}, outputs: [rows]}}",
        "{name: memory, component_name: sql_query, params: {query: 'SELECT 1', url: 'sqlite://'}, outputs: [three]}",
    ]
    servers = flow(
        "{name: remote, component_name: sql_query, params: {query: 'SELECT 1', url: 'postgresql://ann:secret@db.example/x'}, outputs: [one]}",
        "{name: pinned, component_name: sql_query, data_version: '2024-11-24', params: {query: 'SELECT 1', url: 'postgresql://ann:secret@db.example/x'}, outputs: [two]}",
    )
    store = tmp_path / "ck"
    first = plan(flow(*local), store)
    assert list(first.fingerprints["query"].identity["data"]) == [str(database)]
    assert first.fingerprints["memory"].identity["data"] == {}  # starts empty every time
    run(flow(*local), store)
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO t VALUES (2)")
    again = plan(flow(*local), store)
    assert again.reasons["query"] == f"data: {database}: content changed"
    assert again.modes["memory"] == "load"
    remote, later = plan(servers, store).fingerprints, plan(servers, store).fingerprints
    assert remote["remote"].identity["data"] == {
        "postgresql://ann:***@db.example/x": {
            "unknown": "no location probe for 'postgresql://' is installed"
        }
    }
    assert remote["remote"].digest != later["remote"].digest  # never reused
    assert remote["pinned"].digest == later["pinned"].digest  # the user vouches for the data


def test_a_written_table_is_checked_before_its_writer_is_reused(tmp_path: Path) -> None:
    database = tmp_path / "out.db"
    source = tmp_path / "in.csv"
    FRAME.to_csv(source, index=False)
    text = flow(
        f"{{name: load, component_name: csv_loader, params: {{path: '{source}'}}, outputs: [df]}}",
        f"{{name: save, component_name: database_writer, params: {{table_name: results, url: 'sqlite:///{database}', if_exists: replace}}, inputs: {{data_to_save: df}}}}",
        f"{{name: log, component_name: database_writer, params: {{table_name: history, url: 'sqlite:///{database}', if_exists: append}}, inputs: {{data_to_save: df}}}}",
    )
    store = tmp_path / "ck"
    run(text, store)
    manifest = wfe.checkpoints.CheckpointStore(store).latest("save")
    assert manifest is not None
    assert manifest["target"] == {"table": "results", "rows": 3}
    assert plan(text, store).modes == {"load": "skip", "save": "skip", "log": "skip"}
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO history SELECT * FROM history")  # later appends: fine
        connection.execute("DELETE FROM results WHERE id = 1")
    changed = plan(text, store)
    assert changed.modes == {"load": "load", "save": "run", "log": "skip"}
    assert changed.reasons["save"] == (
        f"target: table 'results' in sqlite:///{database} has 2 rows, not the 3 the task left"
    )
    with sqlite3.connect(database) as connection:
        connection.execute("DELETE FROM history")
        connection.execute("DROP TABLE results")
    dropped = plan(text, store)
    assert dropped.reasons["save"] == f"target: table 'results' in sqlite:///{database} is gone"
    assert dropped.reasons["log"] == (
        f"target: table 'history' in sqlite:///{database} has 0 rows, fewer than the 3 it had "
        "after the write"
    )
    database.unlink()
    assert plan(text, store).reasons["save"] == f"target: the database file {database} is gone"
    assert run(text, store).reused == ["load"]  # both writers ran again
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM results").fetchone() == (3,)


def test_a_written_csv_file_is_checked_before_its_writer_is_reused(tmp_path: Path) -> None:
    source, target = tmp_path / "in.csv", tmp_path / "out" / "copy.csv"
    FRAME.to_csv(source, index=False)
    text = flow(
        f"{{name: load, component_name: csv_loader, params: {{path: '{source}'}}, outputs: [df]}}",
        f"{{name: save, component_name: csv_writer, params: {{path: '{target}'}}, inputs: {{data: df}}}}",
    )
    store = tmp_path / "ck"
    run(text, store)
    assert plan(text, store).modes["save"] == "skip"
    target.write_text(target.read_text().replace("0.5", "0.6"))
    assert plan(text, store).reasons["save"] == (
        f"target: {target}: content changed since the task wrote it"
    )
    target.unlink()
    assert plan(text, store).reasons["save"] == f"target: {target}: gone since the task wrote it"
    run(text, store)
    pd.testing.assert_frame_equal(pd.read_csv(target), FRAME)


def test_dataframe_checkpoints_are_arrow_files(tmp_path: Path) -> None:
    import json

    source = tmp_path / "in.csv"
    FRAME.to_csv(source, index=False)
    text = flow(
        f"{{name: load, component_name: csv_loader, outputs: [df], params: {{path: '{source}'}}}}"
    )
    wfe.loads(text).run(checkpoint=tmp_path / "store").raise_for_status()
    [manifest] = list((tmp_path / "store" / "load").glob("*/manifest.json"))
    assert json.loads(manifest.read_text())["outputs"]["df"]["format"] == "arrow"
    resumed = wfe.loads(text).run(checkpoint=tmp_path / "store", resume=True)
    assert resumed.reused == ["load"]
    pd.testing.assert_frame_equal(resumed.results["df"], FRAME)

"""sql_query and database_writer against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy

import wfe

ReadTable = Callable[[str, str], Any]

OLD = pd.DataFrame({"id": [1, 2, 3], "name": ["old-a", "old-b", "old-c"]})


def seed(url: str, table: str = "customers", frame: pd.DataFrame = OLD) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        frame.to_sql(table, connection, index=False)
    engine.dispose()


def write_flow(url: str, rows: int = 5, extra: str = "", table: str = "customers") -> str:
    return (
        "workflow_name: db_test\ntasks:\n"
        "  - {name: make, component_name: python_function, outputs: [df],"
        f" params: {{function: 'wfe_test_frames:customers', kwargs: {{rows: {rows}}}}}}}\n"
        "  - {name: save, component_name: database_writer, inputs: {data_to_save: df},"
        f" params: {{table_name: {table}, url: '{url}'{extra}}}}}\n"
    )


def test_new_table_is_created_with_all_rows_and_types(
    database_url: str, read_table: ReadTable
) -> None:
    wfe.loads(write_flow(database_url, rows=20)).run().raise_for_status()
    table = read_table(database_url, "customers")
    assert len(table) == 20
    assert table["id"].tolist() == list(range(100, 120))
    assert table["name"].isna().sum() == 3  # rows 0, 7, 14: NULL, not the text 'None'
    assert table["name"].iloc[1] == "new-1"
    assert table["score"].iloc[3] == 0.75
    assert bool(table["active"].iloc[0]) is True
    assert pd.Timestamp(table["joined"].iloc[2]) == pd.Timestamp("2024-01-01 02:00")
    assert table["note"].iloc[0] == 'x,"quoted"'
    assert table["note"].iloc[1] == ""  # an empty string stays empty, not NULL


def test_if_exists_fail_refuses_and_names_the_table(
    database_url: str, read_table: ReadTable
) -> None:
    seed(database_url)
    [error] = wfe.loads(write_flow(database_url)).run().errors
    assert "table 'customers'" in str(error)
    assert "already exists; set if_exists: replace" in str(error)
    assert read_table(database_url, "customers").equals(OLD)


def test_replace_swaps_in_the_new_rows(database_url: str, read_table: ReadTable) -> None:
    seed(database_url)
    wfe.loads(
        write_flow(database_url, rows=4, extra=", if_exists: replace")
    ).run().raise_for_status()
    table = read_table(database_url, "customers")
    assert table["id"].tolist() == [100, 101, 102, 103]
    assert list(table.columns) == ["id", "name", "score", "active", "joined", "note"]
    engine = sqlalchemy.create_engine(database_url)
    assert sqlalchemy.inspect(engine).get_table_names() == ["customers"]  # no staging left
    engine.dispose()


def test_append_adds_rows(database_url: str, read_table: ReadTable) -> None:
    wfe.loads(write_flow(database_url, rows=3)).run().raise_for_status()
    wfe.loads(
        write_flow(database_url, rows=2, extra=", if_exists: append")
    ).run().raise_for_status()
    assert len(read_table(database_url, "customers")) == 5


@pytest.mark.parametrize("if_exists", ["replace", "append"])
def test_a_failure_in_the_middle_of_a_multi_chunk_write_changes_nothing(
    database_url: str, read_table: ReadTable, monkeypatch: pytest.MonkeyPatch, if_exists: str
) -> None:
    import wfe_io.database_writer as writer

    seed(
        database_url,
        frame=pd.DataFrame(
            {
                "id": [1, 2, 3],
                "name": ["a", "b", "c"],
                "score": [0.1, 0.2, 0.3],
                "active": [True, False, True],
                "joined": pd.date_range("2020-01-01", periods=3),
                "note": ["", "n", "m"],
            }
        ),
    )
    before = read_table(database_url, "customers")
    calls = {"chunks": 0}
    for name in ("_copy_chunk", "_executemany_rows"):
        real = getattr(writer, name)

        def failing(*args: Any, _real: Any = real) -> int:
            calls["chunks"] += 1
            if calls["chunks"] == 3:
                raise RuntimeError("connection lost (injected)")
            return int(_real(*args))

        monkeypatch.setattr(writer, name, failing)
    result = wfe.loads(
        write_flow(database_url, rows=1000, extra=f", if_exists: {if_exists}, chunksize: 100")
    ).run()
    assert calls["chunks"] == 3, result.errors  # two chunks went in before the failure
    assert "connection lost (injected)" in str(result.errors[0])
    pd.testing.assert_frame_equal(read_table(database_url, "customers"), before)
    engine = sqlalchemy.create_engine(database_url)
    assert sqlalchemy.inspect(engine).get_table_names() == ["customers"]
    engine.dispose()


# `wfe run FILE` in a process whose writer stops for good after its third chunk of rows,
# once it has said so by creating the file MARKER: killed there, it dies mid-write.
STALLING_WFE = """
import sys, threading
import wfe_io.database_writer as writer
path, marker = sys.argv[1:]
chunks = []

def stalling(real):
    def chunk(*args):
        written = real(*args)
        chunks.append(written)
        if len(chunks) == 3:
            open(marker, "w").close()
            threading.Event().wait()
        return written
    return chunk

for name in ("_copy_chunk", "_executemany_rows"):
    setattr(writer, name, stalling(getattr(writer, name)))
sys.argv = ["wfe", "run", path]
from wfe.cli import main
main()
"""


def test_a_writer_killed_mid_write_leaves_the_old_table(
    database_url: str,
    read_table: ReadTable,
    tmp_path: Path,
    subprocess_env: Callable[..., dict[str, str]],
) -> None:
    seed(database_url)
    path = tmp_path / "write.yaml"
    path.write_text(
        write_flow(database_url, rows=1000, extra=", if_exists: replace, chunksize: 100")
    )
    marker = tmp_path / "three-chunks-written"
    command = [sys.executable, "-c", STALLING_WFE, str(path), str(marker)]
    with subprocess.Popen(
        command, cwd=tmp_path, stderr=subprocess.PIPE, text=True, env=subprocess_env()
    ) as process:
        deadline = time.monotonic() + 60
        while not marker.exists():  # wait for the event, however loaded the machine is
            if process.poll() is not None:
                raise AssertionError(
                    f"wfe ended before its write was stopped:\n{process.communicate()[1]}"
                )
            assert time.monotonic() < deadline, "the writer never reached its third chunk"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert read_table(database_url, "customers").equals(OLD)


def test_table_and_schema_names_are_checked_before_anything_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(
            write_flow(url, table="'customers; DROP TABLE users; --'", extra=", schema: 'a b'")
        )
    text = str(info.value)
    assert "table_name 'customers; DROP TABLE users; --' is not a plain identifier" in text
    assert "schema 'a b' is not a plain identifier" in text
    assert not (tmp_path / "x.db").exists()


def test_default_url_comes_from_the_environment_then_sqlite_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_table: ReadTable
) -> None:
    flow = write_flow("", rows=2).replace(", url: ''", "")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WFE_DATABASE_URL", raising=False)
    wfe.loads(flow).run().raise_for_status()
    assert len(read_table(f"sqlite:///{tmp_path / 'wfe.db'}", "customers")) == 2
    other = tmp_path / "other.db"
    monkeypatch.setenv("WFE_DATABASE_URL", f"sqlite:///{other}")
    wfe.loads(flow).run().raise_for_status()
    assert len(read_table(f"sqlite:///{other}", "customers")) == 2


def query_flow(url: str, query: str, parameters: str = "") -> str:
    return (
        "workflow_name: q\ntasks:\n"
        f"  - name: q\n    component_name: sql_query\n    outputs: [rows]\n"
        f"    params:\n      url: '{url}'\n      query: \"{query}\"\n"
        + (f"      parameters: {parameters}\n" if parameters else "")
    )


def test_sql_query_binds_parameters(database_url: str) -> None:
    seed(database_url)
    result = wfe.loads(
        query_flow(
            database_url, "SELECT id, name FROM customers WHERE id >= :low ORDER BY id", "{low: 2}"
        )
    ).run()
    result.raise_for_status()
    assert result.results["rows"]["name"].tolist() == ["old-b", "old-c"]
    hostile = wfe.loads(
        query_flow(
            database_url, "SELECT id FROM customers WHERE name = :name", "{name: \"x' OR '1'='1\"}"
        )
    ).run()
    hostile.raise_for_status()
    assert hostile.results["rows"].empty  # the value was bound, not spliced into the SQL


@pytest.mark.slow  # two wfe runs per case, each importing pandas and SQLAlchemy
@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://analyst:hunter2@127.0.0.1:9/warehouse",
            "postgresql://analyst:***@127.0.0.1:9/warehouse",
        ),
        (
            "postgresql://analyst@127.0.0.1:9/warehouse?password=hunter2&connect_timeout=5",
            "postgresql://analyst@127.0.0.1:9/warehouse?password=***&connect_timeout=5",
        ),
    ],
)
def test_database_errors_mask_the_password(
    run_wfe: Any, write_workflow: Any, url: str, shown: str
) -> None:
    path = write_workflow(query_flow(url, "SELECT 1"))
    for log_format in ("text", "json"):
        done = run_wfe("run", str(path), "--log-format", log_format, cwd=path.parent)
        assert done.returncode == 1
        assert "hunter2" not in done.stdout + done.stderr
        assert shown in done.stdout + done.stderr


def test_unknown_drivers_and_dialects_are_definition_errors() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(
            query_flow("mysql+mysqldb://u:pw@127.0.0.1/db", "SELECT 1")
            + "  - {name: w, component_name: database_writer, inputs: {data_to_save: rows}, params: {table_name: t, url: 'nosuchdb://host/db'}}\n"
        )
    text = str(info.value)
    assert (
        "the database driver 'mysqldb' for mysql+mysqldb://u:***@127.0.0.1/db is not installed: pip install mysqlclient"
        in text
    )
    assert "unknown database dialect 'nosuchdb'" in text
    assert "pw@" not in text


def write_frame(url: str, frame: pd.DataFrame, table: str, **params: Any) -> None:
    from wfe_io.database_writer import DatabaseWriter

    DatabaseWriter(
        {"data_to_save": frame}, [], {"table_name": table, "url": url, **params}
    ).execute()


def select_all(url: str, schema: str, table: str) -> pd.DataFrame:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote
            return pd.read_sql_query(
                sqlalchemy.text(f"SELECT * FROM {quote(schema)}.{quote(table)}"), connection
            )
    finally:
        engine.dispose()


def default_schema(url: str) -> str:
    return "public" if url.startswith("postgresql") else "main"


ODD_COLUMNS = ["margin %", "100%:done", 'say "hi"', "it's", "two  words", "größe €", "a:b", ":name"]


def test_odd_column_names_are_written_as_they_are(database_url: str) -> None:
    frame = pd.DataFrame({column: [i, i + 10] for i, column in enumerate(ODD_COLUMNS)})
    write_frame(database_url, frame, "odd")  # create
    write_frame(database_url, frame, "odd", if_exists="replace")  # staging table + swap
    write_frame(database_url, frame + 1, "odd", if_exists="append")
    table = select_all(database_url, default_schema(database_url), "odd")
    assert list(table.columns) == ODD_COLUMNS
    assert table["margin %"].tolist() == [0, 10, 1, 11]
    assert table["größe €"].tolist() == [5, 15, 6, 16]


@pytest.mark.parametrize("table", ["pg_type", "pg_class"])
def test_tables_named_like_system_catalogs_land_in_the_default_schema(
    database_url: str, table: str
) -> None:
    frame = pd.DataFrame({"id": [1, 2]})
    write_frame(database_url, frame, table)
    [error] = wfe.loads(write_flow(database_url, table=table)).run().errors
    assert "already exists" in str(error)
    write_frame(database_url, frame + 10, table, if_exists="replace")
    write_frame(database_url, frame, table, if_exists="append")
    assert select_all(database_url, default_schema(database_url), table)["id"].tolist() == [
        11,
        12,
        1,
        2,
    ]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_default_schema_is_the_connections_current_schema(database_url: str) -> None:
    engine = sqlalchemy.create_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE SCHEMA sales")
    url = database_url + "?options=-csearch_path%3Dsales"
    write_frame(url, pd.DataFrame({"id": [1]}), "pg_type")
    write_frame(url, pd.DataFrame({"id": [2]}), "pg_type", if_exists="replace")
    assert select_all(database_url, "sales", "pg_type")["id"].tolist() == [2]
    assert "pg_type" not in sqlalchemy.inspect(engine).get_table_names(schema="public")
    engine.dispose()


def writers(url: str, *params: str) -> str:
    """A workflow writing one frame with one database_writer per ``params`` text."""
    return (
        "workflow_name: names\ntasks:\n"
        + "".join(
            f"  - {{name: save{n}, component_name: database_writer, inputs: {{data_to_save: df}},"
            f" params: {{url: '{url}', {text}}}}}\n"
            for n, text in enumerate(params)
        )
        + (
            "  - {name: make, component_name: python_function, outputs: [df],"
            " params: {function: 'wfe_test_frames:frame', kwargs: {rows: 1}}}\n"
        )
    )


def definition_text(text: str) -> str:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source="db.yaml")
    return str(info.value)


def test_sqlite_temporary_schemas_and_reserved_names_are_refused_at_validate_time(
    tmp_path: Path,
) -> None:
    database = tmp_path / "x.db"
    text = definition_text(
        writers(
            f"sqlite:///{database}",
            "table_name: t, schema: temp",
            "table_name: t, schema: TEMP",
            "table_name: sqlite_stat1",
            "table_name: SQLite_x",
            "table_name: " + "ä" * 40,  # no length limit on SQLite
            "table_name: pg_type, schema: pg_temp",  # PostgreSQL's rules do not apply
        )
    )
    assert "db.yaml: 4 problems" in text
    assert "db.yaml:3:" in text  # the first writer's line
    assert "task 'save0': schema 'temp' is a temporary schema" in text
    assert "task 'save1': schema 'TEMP' is a temporary schema: its tables vanish when" in text
    assert "task 'save2': table_name 'sqlite_stat1': SQLite reserves names starting with" in text
    assert "task 'save3': table_name 'SQLite_x': SQLite reserves" in text
    assert not database.exists()


def test_postgres_temporary_and_system_schemas_and_long_names_are_refused_at_validate_time() -> (
    None
):
    url = "postgresql://etl:hunter2@127.0.0.1:9/warehouse"  # nothing listens: nothing connects
    text = definition_text(
        writers(
            url,
            "table_name: t, schema: pg_temp",
            "table_name: t, schema: pg_temp_3",
            "table_name: t, schema: pg_catalog",
            "table_name: " + "ä" * 32,  # 32 characters, 64 bytes
            "table_name: " + "a" * 64,
            "table_name: t, schema: " + "s" * 64,
            "table_name: " + "ä" * 31 + "a",  # 63 bytes: fine
            "table_name: pg_type, schema: PG_TEMP",  # quoted: an ordinary schema
            "table_name: t, schema: temp",  # an ordinary schema on PostgreSQL
        )
    )
    assert "6 problems" in text
    assert "task 'save0': schema 'pg_temp' is a temporary schema" in text
    assert "task 'save1': schema 'pg_temp_3' is a temporary schema" in text
    assert (
        "task 'save2': schema 'pg_catalog': PostgreSQL reserves schema names starting with 'pg_'"
        in text
    )
    assert (
        f"task 'save3': table_name '{'ä' * 32}' is 64 bytes long in UTF-8; PostgreSQL keeps only "
        "the first 63 bytes of a name and would silently use a shorter one: shorten it to at "
        "most 63 bytes"
    ) in text
    assert "task 'save4': table_name 'aaaa" in text
    assert "task 'save5': schema 'ssss" in text
    assert "hunter2" not in text


def test_a_non_numeric_port_is_a_definition_error_naming_the_param(
    run_wfe: Any, write_workflow: Any
) -> None:
    url = "postgresql://etl:hunter2@db.example:abc/warehouse"
    text = query_flow(url, "SELECT 1")
    problem_text = definition_text(text)
    assert (
        "task 'q': param 'url': 'postgresql://etl:***@db.example:abc/warehouse' is not a "
        "database URL: its "
        "port is not a number"
    ) in problem_text
    path = write_workflow(text)
    done = run_wfe("validate", str(path))
    assert done.returncode == 2, done.stderr
    assert f"{path}:7:12: task 'q': param 'url': 'postgresql://etl:***@db" in done.stderr
    assert "hunter2" not in done.stdout + done.stderr

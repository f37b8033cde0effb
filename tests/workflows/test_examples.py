"""The example workflows, run by the CLI in a subprocess as a user runs them.

The runs train models on real data (10-40 s each): they are marked slow, so the quick
loop (`pytest -m "not slow"`) leaves them to CI. Every file is also checked against the
JSON Schema of `wfe schema` (tests/core/test_schema.py tests the schema itself)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import wfe
from wfe.schema import workflow_schema

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "workflows" / "data"
RunWfe = Callable[..., subprocess.CompletedProcess[str]]


def rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


@pytest.mark.slow
def test_churn_runs_on_embedded_defaults(run_wfe: RunWfe, tmp_path: Path) -> None:
    # exactly the README's first command, in a copy of the repository's workflows folder
    shutil.copytree(
        REPO / "workflows", tmp_path / "workflows", ignore=shutil.ignore_patterns("__pycache__")
    )
    done = run_wfe("run", "workflows/churn.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    database = tmp_path / "wfe.db"  # the embedded default: SQLite in the working directory
    assert rows(database, "SELECT COUNT(*), COUNT(DISTINCT customer_id) FROM churn_results") == [
        (5000, 5000)
    ]
    assert rows(
        database, "SELECT MIN(probability) >= 0, MAX(probability) <= 1 FROM churn_results"
    ) == [(1, 1)]
    [(test_rows, accuracy, roc_auc)] = rows(
        database, "SELECT rows, accuracy, roc_auc FROM churn_metrics"
    )
    assert test_rows == 1250
    assert roc_auc > 0.75  # clearly above chance (0.5)
    assert accuracy > 0.72  # above always answering "stays" (0.68 of customers)
    model = tmp_path / "models" / "churn_model.joblib"
    digest = (tmp_path / "models" / "churn_model.joblib.sha256").read_text().split()[0]
    assert digest == hashlib.sha256(model.read_bytes()).hexdigest()


@pytest.mark.slow
def test_churn_quality_gate_stops_publishing(run_wfe: RunWfe, tmp_path: Path) -> None:
    done = run_wfe(
        "run",
        str(REPO / "workflows" / "churn.yaml"),
        "--var",
        f"data_root={DATA}",
        "--var",
        "min_roc_auc=0.99",
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "quality gate failed: roc_auc = 0." in done.stderr
    assert "is below the threshold 0.99" in done.stderr
    [summary] = [
        line
        for line in done.stdout.splitlines()
        if line.startswith("wfe: 'customer_churn_training' failed")
    ]
    assert "save_predictions" in summary  # listed as not run
    if (tmp_path / "wfe.db").exists():
        assert (
            rows(tmp_path / "wfe.db", "SELECT name FROM sqlite_master WHERE name = 'churn_results'")
            == []
        )


@pytest.mark.slow
def test_churn_prediction_uses_the_model_churn_saved_on_s3(
    run_wfe: RunWfe, tmp_path: Path, s3: Any, bucket: str
) -> None:
    s3.upload_file(str(DATA / "customers.csv"), bucket, "raw/customers.csv")
    model_uri = f"s3://{bucket}/models/churn_model.joblib"
    train = run_wfe(
        "run",
        str(REPO / "workflows" / "churn.yaml"),
        "--var",
        f"data_root=s3://{bucket}/raw",
        "--var",
        f"model_path={model_uri}",
        cwd=tmp_path,
    )
    assert train.returncode == 0, train.stdout + train.stderr
    assert (
        s3.head_object(Bucket=bucket, Key="models/churn_model.joblib.sha256")["ContentLength"] > 64
    )
    predict = run_wfe(
        "run",
        str(REPO / "workflows" / "churn_prediction.yaml"),
        "--var",
        f"bucket={bucket}",
        "--var",
        "key=raw/customers.csv",
        "--var",
        f"model_uri={model_uri}",
        cwd=tmp_path,
    )
    assert predict.returncode == 0, predict.stdout + predict.stderr
    database = tmp_path / "wfe.db"
    assert rows(database, "SELECT COUNT(*) FROM churn_predictions") == [(5000,)]
    same = rows(
        database,
        "SELECT COUNT(*) FROM churn_predictions p JOIN churn_results r USING (customer_id)"
        " WHERE ABS(p.probability - r.probability) < 1e-12",
    )
    assert same == [(5000,)]  # the S3 model is the model churn.yaml trained


@pytest.mark.slow
def test_sales_forecasting_writes_the_next_days(run_wfe: RunWfe, tmp_path: Path) -> None:
    done = run_wfe(
        "run",
        str(REPO / "workflows" / "sales_forecasting.yaml"),
        "--var",
        f"data_root={DATA}",
        "--var",
        "horizon=10",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    database = tmp_path / "wfe.db"
    [(count, first, last, series)] = rows(
        database,
        "SELECT COUNT(*), MIN(date), MAX(date), COUNT(DISTINCT store_id || product_id) FROM sales_forecast",
    )
    assert (count, series) == (10 * 12, 12)
    assert first.startswith("2025-12-31")
    assert last.startswith("2026-01-09")
    # forecasts sit in each series' recent range, not at zero or at runaway values
    [(low, high)] = rows(database, "SELECT MIN(forecast), MAX(forecast) FROM sales_forecast")
    assert 5 < low < high < 300


@pytest.mark.parametrize(
    "name", ["churn.yaml", "churn_prediction.yaml", "sales_forecasting.yaml", "quickstart.yaml"]
)
def test_every_example_validates(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # In this process (`wfe validate` itself is run by test_quickstart.py): the four
    # subprocesses importing scikit-learn took 6-7 s on a loaded machine.
    monkeypatch.chdir(REPO)
    monkeypatch.syspath_prepend(REPO / "workflows")  # as the CLI does for quickstart_steps
    wfe.load(f"workflows/{name}")


@pytest.mark.parametrize(
    "path", sorted((REPO / "workflows").glob("*.yaml")), ids=lambda path: path.name
)
def test_every_example_matches_the_json_schema(path: Path) -> None:
    validator = jsonschema.Draft202012Validator(workflow_schema(wfe.load_plugins()))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [error.message for error in validator.iter_errors(document)] == []

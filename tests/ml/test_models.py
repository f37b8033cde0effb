"""train_test_split, sklearn_trainer, sklearn_predictor, model_writer and evaluator."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import wfe
from wfe_ml.model_files import (
    ModelFileError,
    ModelVersionWarning,
    UnpinnedModelWarning,
    load_model,
    save_model,
)
from wfe_ml.prediction import Evaluator, ModelWriter, QualityGateError, SklearnPredictor
from wfe_ml.training import SklearnTrainer, TrainTestSplit

REPO = Path(__file__).resolve().parents[2]


def labelled(rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    x1, x2 = rng.normal(size=rows), rng.normal(size=rows)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(rows)],
            "x1": x1,
            "x2": x2,
            "y": (x1 + 0.5 * x2 > 0).astype(int),
        }
    )


def fitted() -> LogisticRegression:
    data = labelled()
    return LogisticRegression().fit(data[["x1", "x2"]], data["y"])


def component(cls: type, params: dict[str, Any], **inputs: Any) -> Any:
    outputs = list(cls.outputs_schema or {"out": ""})
    produced = cls(inputs, outputs, params).execute()
    return produced[outputs[0]] if len(outputs) == 1 else [produced[o] for o in outputs]


def definition_problems(text: str) -> str:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text)
    return str(info.value)


def test_split_sizes_and_stratification() -> None:
    data = labelled()
    train, test = component(
        TrainTestSplit, {"target": "y", "test_size": 0.25, "stratify": True}, data=data
    )
    assert (len(train), len(test)) == (300, 100)
    assert abs(train["y"].mean() - test["y"].mean()) < 0.02
    assert set(train.index).isdisjoint(test.index)


def test_split_params_are_checked_at_validate_time() -> None:
    text = definition_problems(
        "workflow_name: s\ntasks:\n  - {name: s, component_name: train_test_split, inputs: {data: d},"
        " outputs: [a, b], params: {test_size: 25, stratify: true}}\n"
        "  - {name: d, component_name: python_function, params: {function: 'json:loads', kwargs: {s: '1'}}, outputs: [d]}\n"
    )
    assert "test_size must be between 0 and 1 (a fraction), got 25" in text
    assert "stratify needs target" in text


def test_trainer_fits_on_numeric_columns_and_remembers_them() -> None:
    model = component(
        SklearnTrainer,
        {"estimator": "sklearn.linear_model.LogisticRegression", "target": "y"},
        train=labelled(),
    )
    assert list(model.feature_names_in_) == ["x1", "x2"]  # the text id column is never a feature
    assert model.score(labelled()[["x1", "x2"]], labelled()["y"]) > 0.9


def test_estimator_and_hyperparameter_names_are_checked_at_validate_time() -> None:
    def trainer(params: str) -> str:
        return (
            "workflow_name: t\ntasks:\n"
            "  - {name: d, component_name: python_function, params: {function: 'json:loads', kwargs: {s: '1'}}, outputs: [d]}\n"
            f"  - {{name: t, component_name: sklearn_trainer, inputs: {{train: d}}, outputs: [m], params: {{target: y, {params}}}}}\n"
        )

    assert (
        "'xgboost.XGBClassifier' is not a scikit-learn estimator; set allow_any_estimator: true"
        in definition_problems(trainer("estimator: xgboost.XGBClassifier"))
    )
    assert (
        "cannot import estimator 'sklearn.ensemble.RandomForrestClassifier'"
        in definition_problems(trainer("estimator: sklearn.ensemble.RandomForrestClassifier"))
    )
    text = definition_problems(
        trainer("estimator: sklearn.ensemble.RandomForestClassifier, params: {n_estimator: 10}")
    )
    assert (
        "RandomForestClassifier has no hyper-parameter 'n_estimator'. did you mean 'n_estimators'?"
        in text
    )


def test_a_bad_hyperparameter_value_is_named_at_run_time() -> None:
    params = {
        "estimator": "sklearn.linear_model.LogisticRegression",
        "params": {"C": -1.0},
        "target": "y",
    }
    with pytest.raises(
        ValueError, match=r"LogisticRegression\(\{'C': -1.0\}\) could not be fitted: .*C"
    ):
        component(SklearnTrainer, params, train=labelled())


def test_predictor_with_an_in_memory_model_and_probabilities() -> None:
    out = component(
        SklearnPredictor,
        {"probabilities": True, "id_column": "customer_id"},
        data_to_predict=labelled(5),
        model=fitted(),
    )
    assert list(out.columns) == ["customer_id", "prediction", "probability"]
    assert out["customer_id"].tolist() == ["c0", "c1", "c2", "c3", "c4"]
    assert out["probability"].between(0, 1).all()


def test_predictor_needs_exactly_one_model() -> None:
    with pytest.raises(ValueError, match=r"exactly one way.*\(0 given\)"):
        component(SklearnPredictor, {}, data_to_predict=labelled(5))
    with pytest.raises(ValueError, match=r"\(2 given\)"):
        component(
            SklearnPredictor,
            {"model_path": "m.joblib"},
            data_to_predict=labelled(5),
            model=fitted(),
        )


def test_model_writer_saves_atomically_with_digest_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "models" / "m.joblib"
    digest = component(ModelWriter, {"path": str(path)}, model=fitted())
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (tmp_path / "models" / "m.joblib.sha256").read_text() == f"{digest}  m.joblib\n"
    meta = json.loads((tmp_path / "models" / "m.joblib.meta.json").read_text())
    assert meta["estimator"] == "sklearn.linear_model._logistic.LogisticRegression"
    assert meta["sha256"] == digest
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "m.joblib",
        "m.joblib.meta.json",
        "m.joblib.sha256",
    ]
    out = component(
        SklearnPredictor, {"model_path": str(path), "sha256": digest}, data_to_predict=labelled(3)
    )
    assert out["prediction"].tolist() == fitted().predict(labelled(3)[["x1", "x2"]]).tolist()


class _Payload:
    """Unpickling this writes a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (Path.write_text, (self.marker, "code ran"))


def test_a_sha256_mismatch_refuses_before_unpickling(tmp_path: Path) -> None:
    marker = tmp_path / "pwned.txt"
    evil = tmp_path / "model.joblib"
    evil.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(
        ModelFileError, match=r"refusing to load .* its sha256 is .* not the pinned 0{64}"
    ):
        load_model(str(evil), sha256="0" * 64)
    assert not marker.exists()
    with pytest.warns(UnpinnedModelWarning):  # without a pin or sidecar, a pickle runs its
        load_model(str(evil))  # code: the docs say so, and so does the warning
    assert marker.read_text() == "code ran"


def test_skops_files_load_without_pickle_and_refuse_untrusted_types(tmp_path: Path) -> None:
    path = tmp_path / "model.skops"
    save_model(fitted(), str(path))
    model = load_model(str(path))
    assert isinstance(model, LogisticRegression)
    import skops.io

    weird = tmp_path / "weird.skops"
    weird.write_bytes(skops.io.dumps({"model": fitted(), "extra": Fraction(1, 3)}))
    untrusted = skops.io.get_untrusted_types(file=weird)
    assert untrusted == ["fractions.Fraction"]  # not among skops' default trusted types
    with pytest.raises(
        ModelFileError, match=r"contains types that are not trusted: \['fractions.Fraction'\]"
    ):
        load_model(str(weird))
    assert load_model(str(weird), trusted_types=untrusted)["extra"] == Fraction(1, 3)


def test_a_different_sklearn_version_warns_on_load(tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    save_model(fitted(), str(path))
    meta_path = tmp_path / "m.joblib.meta.json"
    meta = json.loads(meta_path.read_text())
    meta["sklearn_version"] = "0.0.1"
    meta_path.write_text(json.dumps(meta))
    with pytest.warns(ModelVersionWarning, match="saved with scikit-learn 0.0.1"):
        load_model(str(path))


def test_models_on_s3(s3: Any, bucket: str) -> None:
    uri = f"s3://{bucket}/models/churn.joblib"
    digest = save_model(fitted(), uri)
    assert (
        s3.get_object(Bucket=bucket, Key="models/churn.joblib.sha256")["Body"]
        .read()
        .decode()
        .startswith(digest)
    )
    assert isinstance(load_model(uri, sha256=digest), LogisticRegression)
    with pytest.raises(ModelFileError):
        load_model(uri, sha256="f" * 64)


def test_evaluator_classification_and_the_quality_gate() -> None:
    metrics = component(Evaluator, {"target": "y"}, model=fitted(), data=labelled())
    assert list(metrics.columns) == ["rows", "accuracy", "precision", "recall", "f1", "roc_auc"]
    assert metrics["roc_auc"].iloc[0] > 0.95
    with pytest.raises(
        QualityGateError,
        match=r"quality gate failed: accuracy = 0\.\d{4} is below the threshold 0\.999",
    ):
        component(
            Evaluator,
            {"target": "y", "fail_below": {"accuracy": 0.999}},
            model=fitted(),
            data=labelled(),
        )


def test_evaluator_regression() -> None:
    from sklearn.linear_model import LinearRegression

    data = labelled()
    data["z"] = 2 * data["x1"] + 1
    model = LinearRegression().fit(data[["x1"]], data["z"])
    metrics = component(Evaluator, {"target": "z"}, model=model, data=data)
    assert list(metrics.columns) == ["rows", "mae", "rmse", "r2"]
    assert metrics["r2"].iloc[0] == pytest.approx(1.0)


def test_fail_below_metrics_are_checked_at_validate_time() -> None:
    text = definition_problems(
        "workflow_name: e\ntasks:\n"
        "  - {name: d, component_name: python_function, params: {function: 'json:loads', kwargs: {s: '1'}}, outputs: [d]}\n"
        "  - {name: e, component_name: evaluator, inputs: {model: d, data: d}, outputs: [m],"
        " params: {target: y, fail_below: {roc: 0.7, f1: high}}}\n"
    )
    assert "unknown metric 'roc' in fail_below" in text
    assert "the threshold for f1 must be a number, got 'high'" in text


def test_a_model_file_read_or_written_is_part_of_the_checkpoint_plan(tmp_path: Path) -> None:
    model_path = tmp_path / "m.joblib"
    save_model(fitted(), str(model_path))
    rows = tmp_path / "rows.csv"
    labelled(20).to_csv(rows, index=False)
    text = (
        "workflow_name: model_files\ntasks:\n"
        f"  - {{name: load, component_name: csv_loader, params: {{path: '{rows}'}}, outputs: [rows]}}\n"
        f"  - {{name: score, component_name: sklearn_predictor, params: {{model_path: '{model_path}'}}, inputs: {{data_to_predict: rows}}, outputs: [scores]}}\n"
        f"  - {{name: train, component_name: sklearn_trainer, params: {{estimator: sklearn.linear_model.LogisticRegression, target: y, exclude: [customer_id]}}, inputs: {{train: rows}}, outputs: [model]}}\n"
        f"  - {{name: keep, component_name: model_writer, params: {{path: '{tmp_path / 'kept.joblib'}'}}, inputs: {{model: model}}}}\n"
    )
    store = tmp_path / "ck"
    wfe.loads(text).run(checkpoint=store).raise_for_status()
    assert wfe.loads(text).plan(store, resume=True).modes["score"] == "load"
    retrained = LogisticRegression(C=0.01).fit(labelled()[["x1", "x2"]], labelled()["y"])
    save_model(retrained, str(model_path))  # a new model at the same path
    plan = wfe.loads(text).plan(store, resume=True, explain=True)
    assert plan.modes["score"] == "run"
    assert plan.reasons["score"].startswith(f"data: {model_path}: ")
    assert plan.modes["keep"] == "skip"
    (tmp_path / "kept.joblib").unlink()
    plan = wfe.loads(text).plan(store, resume=True, explain=True)
    assert (
        plan.reasons["keep"] == f"target: {tmp_path / 'kept.joblib'}: gone since the task wrote it"
    )


def test_the_metrics_are_shown_recorded_and_listed_by_runs_show(
    run_wfe: Any, tmp_path: Path
) -> None:
    """evaluator returns a one-row table: its numbers are what a user wants to see."""
    shutil.copytree(REPO / "workflows", tmp_path / "workflows")
    done = run_wfe("run", "workflows/sales_forecasting.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [line] = [x for x in done.stdout.splitlines() if "evaluate_regressor ok" in x]
    assert re.search(
        r"sales_metrics=DataFrame 1x4 \{rows: \d+, mae: [\d.]+, rmse: [\d.]+, r2: 0\.9\d*\}", line
    )
    assert re.search(r"^wfe: values: sales_metrics=\{rows: \d+, .*r2: 0\.9", done.stdout, re.M)
    run_id = done.stdout.rsplit("wfe runs show ", 1)[1].split(")")[0]
    shown = run_wfe("runs", "show", run_id, "--json", cwd=tmp_path)
    metrics = json.loads(shown.stdout)["tasks"]["evaluate_regressor"]["outputs"]["sales_metrics"]
    assert set(metrics["value"]) == {"rows", "mae", "rmse", "r2"}
    assert metrics["value"]["r2"] > 0.9
    text = run_wfe("runs", "show", run_id, cwd=tmp_path).stdout
    assert '"r2": 0.9' in text

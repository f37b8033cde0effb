"""``sklearn_predictor``, ``model_writer`` and ``evaluator``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wfe import Component, Input, Param
from wfe.policy import current_policy
from wfe_io.locations import location_problem
from wfe_ml.model_files import SHA256_PATTERN, load_model, save_model

__all__ = ["Evaluator", "ModelWriter", "QualityGateError", "SklearnPredictor", "model_features"]


def model_features(model: Any, frame: Any) -> Any:
    """The columns of ``frame`` the model was trained on, in training order."""
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        raise TypeError(
            f"{type(model).__name__} was not fitted on a DataFrame, so its feature columns are unknown"
        )
    missing = [c for c in names if c not in frame.columns]
    if missing:
        raise KeyError(
            f"the data lacks the model's feature column(s) {missing}; it has {list(frame.columns)}"
        )
    return frame[list(names)]


class SklearnPredictor(Component):
    """Predict with a fitted model: ids plus predictions (and probabilities).

    The model comes from a trainer (input ``model``) or from a file: ``model_path`` as an
    input (a literal ``s3://`` or ``file://`` location, as in the seed) or as a param (a
    local path or ``s3://``). Loading a joblib/pickle file runs code stored in it: pin
    files you did not write with ``sha256`` (checked before anything is unpickled), or
    use the skops format (``.skops``), which loads without pickle and only the types
    listed in ``trusted_types``.
    """

    params_schema = {
        "model_path": Param(str, default=None, doc="model file: local path or s3://"),
        "sha256": Param(str, default=None, doc="the model file's expected sha256 digest"),
        "trusted_types": Param(list, default=None, doc="extra types a .skops file may contain"),
        "probabilities": Param(bool, default=False, doc="add the positive class's probability"),
        "id_column": Param(str, default="customer_id", doc="the id column copied to the output"),
        "prediction_column": Param(str, default="prediction", doc="name of the prediction column"),
    }
    inputs_schema = {
        "data_to_predict": Input("the feature rows to score"),
        "model": Input("a fitted model from a trainer", required=False),
        "model_path": Input("a literal s3:// or file:// model location", required=False),
    }
    outputs_schema = {"predictions": "ids and predictions (and probabilities)"}
    reads = ("model_path",)

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        digest = params.get("sha256")
        if isinstance(digest, str) and not SHA256_PATTERN.fullmatch(digest):
            yield (
                "sha256",
                "sha256 must be 64 hexadecimal digits (see the .sha256 file next to the model)",
            )
        path = params.get("model_path")
        if isinstance(path, str) and (problem := location_problem(path)):
            yield "model_path", problem
        elif isinstance(path, str) and digest is None and not path.lower().endswith(".skops"):
            # The loader enforces the policy for every model file (a model_path input
            # too); a param can be refused before anything runs.
            policy = current_policy()
            if policy.require_model_pin:
                yield (
                    "model_path",
                    policy.refusal(
                        f"model_path '{path}' without a sha256 pin",
                        "require_model_pin = true",
                        "add `sha256: <hex>` under params (the digest in the model's .sha256 "
                        "file, or `sha256sum FILE`), or save the model as .skops",
                    ),
                )

    def run(self, data_to_predict: Any, model: Any = None, model_path: str | None = None) -> Any:
        import pandas as pd

        sources = [
            s
            for s in (
                model is not None,
                model_path is not None,
                self.params["model_path"] is not None,
            )
            if s
        ]
        if len(sources) != 1:
            raise ValueError(
                "give the model exactly one way: the input 'model' (from a trainer), the input "
                f"'model_path' or the param 'model_path' ({len(sources)} given)"
            )
        if model is None:
            model = load_model(
                model_path or self.params["model_path"],
                self.params["sha256"],
                self.params["trusted_types"] or (),
            )
        features = model_features(model, data_to_predict)
        id_column = self.params["id_column"]
        out = pd.DataFrame(index=data_to_predict.index)
        if id_column in data_to_predict.columns:
            out[id_column] = data_to_predict[id_column]
        out[self.params["prediction_column"]] = model.predict(features)
        if self.params["probabilities"]:
            if not hasattr(model, "predict_proba"):
                raise TypeError(f"{type(model).__name__} gives no probabilities (no predict_proba)")
            out["probability"] = model.predict_proba(features)[:, -1]
        return out.reset_index(drop=True)


class ModelWriter(Component):
    """Save a model to a local path or ``s3://`` URI, atomically, with ``.sha256`` and
    ``.meta.json`` files beside it. ``.skops`` paths use the skops format, others joblib.
    An optional output receives the sha256 digest."""

    params_schema = {"path": Param(str, doc="where to save: local path or s3://bucket/key")}
    inputs_schema = {"model": Input("the fitted model")}
    writes = ("path",)

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        path = params.get("path")
        if isinstance(path, str) and (problem := location_problem(path)):
            yield "path", problem

    def run(self, model: Any) -> str:
        return save_model(model, self.params["path"])


class QualityGateError(RuntimeError):
    """A metric fell below its ``fail_below`` threshold."""


CLASSIFICATION_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc")
REGRESSION_METRICS = ("mae", "rmse", "r2")


class Evaluator(Component):
    """Score a model on held-out rows: a one-row DataFrame of metrics.

    Classification: accuracy, precision, recall, f1, roc_auc (when the model gives
    probabilities). Regression: mae, rmse, r2. ``fail_below: {metric: threshold}`` is a
    quality gate: the task fails, naming the metric, its value and the threshold.
    """

    params_schema = {
        "target": Param(str, doc="the label column"),
        "kind": Param(
            str,
            default="auto",
            choices=("auto", "classification", "regression"),
            doc="what kind of model",
        ),
        "fail_below": Param(dict, default=None, doc="{metric: minimum}: fail the task below it"),
    }
    inputs_schema = {
        "model": Input("the fitted model"),
        "data": Input("held-out rows with the target"),
    }
    outputs_schema = {"metrics": "a one-row DataFrame of metrics"}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        known = {*CLASSIFICATION_METRICS, *REGRESSION_METRICS}
        for metric, threshold in (params.get("fail_below") or {}).items():
            if metric not in known:
                yield (
                    "fail_below",
                    f"unknown metric '{metric}' in fail_below; known: {', '.join(sorted(known))}",
                )
            elif not isinstance(threshold, int | float) or isinstance(threshold, bool):
                yield (
                    "fail_below",
                    f"the threshold for {metric} must be a number, got {threshold!r}",
                )

    def run(self, model: Any, data: Any) -> Any:
        import numpy as np
        import pandas as pd
        from sklearn import metrics

        target = self.params["target"]
        if target not in data.columns:
            raise KeyError(
                f"target column '{target}' is not in the data; it has {list(data.columns)}"
            )
        features, truth = model_features(model, data), data[target]
        predicted = model.predict(features)
        kind = self.params["kind"]
        if kind == "auto":
            kind = "classification" if hasattr(model, "classes_") else "regression"
        if kind == "classification":
            average = "binary" if truth.nunique() <= 2 else "macro"
            scores = {
                "accuracy": metrics.accuracy_score(truth, predicted),
                "precision": metrics.precision_score(
                    truth, predicted, average=average, zero_division=0
                ),
                "recall": metrics.recall_score(truth, predicted, average=average, zero_division=0),
                "f1": metrics.f1_score(truth, predicted, average=average, zero_division=0),
            }
            if hasattr(model, "predict_proba") and truth.nunique() == 2:
                scores["roc_auc"] = metrics.roc_auc_score(
                    truth, model.predict_proba(features)[:, 1]
                )
        else:
            scores = {
                "mae": metrics.mean_absolute_error(truth, predicted),
                "rmse": float(np.sqrt(metrics.mean_squared_error(truth, predicted))),
                "r2": metrics.r2_score(truth, predicted),
            }
        scores = {name: float(value) for name, value in scores.items()}
        for metric, threshold in (self.params["fail_below"] or {}).items():
            if metric not in scores:
                raise QualityGateError(
                    f"fail_below names {metric}, which a {kind} evaluation does not compute"
                )
            if scores[metric] < threshold:
                raise QualityGateError(
                    f"quality gate failed: {metric} = {scores[metric]:.4f} is below the threshold {threshold} (fail_below)"
                )
        return pd.DataFrame([{"rows": len(data), **scores}])

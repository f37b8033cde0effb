"""The plugin wfe loads from this distribution's ``wfe.plugins`` entry point.

It only *names* the components (lazy ``"module:Class"`` targets); their modules, and
scikit-learn behind them, are imported when a workflow uses them.
"""

from __future__ import annotations

from wfe import ComponentRef, hookimpl

#: The components this distribution provides.
COMPONENTS = [
    ComponentRef(
        "churn_feature_engineer",
        "wfe_ml.features:ChurnFeatureEngineer",
        "Raw customer table -> numeric churn features (one-hot, ratios, tenure buckets)",
    ),
    ComponentRef(
        "train_test_split",
        "wfe_ml.training:TrainTestSplit",
        "Split rows into train and test sets (optionally stratified)",
    ),
    ComponentRef(
        "sklearn_trainer",
        "wfe_ml.training:SklearnTrainer",
        "Fit a scikit-learn estimator named by import path",
    ),
    ComponentRef(
        "sklearn_predictor",
        "wfe_ml.prediction:SklearnPredictor",
        "Predict with a model from a trainer or a (pinned) model file",
    ),
    ComponentRef(
        "model_writer",
        "wfe_ml.prediction:ModelWriter",
        "Save a model (joblib or skops) with .sha256 and metadata, atomically",
    ),
    ComponentRef(
        "evaluator",
        "wfe_ml.prediction:Evaluator",
        "Classification/regression metrics with an optional quality gate",
    ),
    ComponentRef(
        "time_series_features",
        "wfe_ml.time_series:TimeSeriesFeatures",
        "Calendar, lag and rolling features per series, without leakage",
    ),
    ComponentRef(
        "sales_forecaster",
        "wfe_ml.time_series:SalesForecaster",
        "Forecast the next N days of every series with a trained regressor",
    ),
]


@hookimpl
def wfe_register_components() -> list[ComponentRef]:
    return list(COMPONENTS)

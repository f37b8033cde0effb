"""components-ml keeps the plugin contract that wfe.testing checks for every distribution."""

from __future__ import annotations

from wfe.testing import check_distribution


def test_components_ml_keeps_the_plugin_contract() -> None:
    report = check_distribution("components-ml")
    assert report.plugins == ("wfe_ml",)
    assert set(report.components) == {
        "churn_feature_engineer",
        "train_test_split",
        "sklearn_trainer",
        "sklearn_predictor",
        "model_writer",
        "evaluator",
        "time_series_features",
        "sales_forecaster",
    }
    assert report.executors == ()

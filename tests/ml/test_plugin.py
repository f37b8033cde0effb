"""components-ml is a real distribution whose plugin wfe discovers by entry point."""

from __future__ import annotations

from plugin_contract import check_components, check_entry_point


def test_entry_point_is_declared_and_discovered() -> None:
    check_entry_point("components-ml", "wfe_ml")


def test_every_component_is_registered_lazily_and_importable() -> None:
    check_components(
        "components-ml",
        "wfe_ml",
        {
            "churn_feature_engineer",
            "train_test_split",
            "sklearn_trainer",
            "sklearn_predictor",
            "model_writer",
            "evaluator",
            "time_series_features",
            "sales_forecaster",
        },
    )

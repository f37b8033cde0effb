"""time_series_features and sales_forecaster: wfe_ml.time_series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

import wfe
from wfe_ml.time_series import SalesForecaster, TimeSeriesFeatures, series_features

PARAMS = {
    "date_column": "date",
    "group_columns": ["store"],
    "target": "sales",
    "lags": [1, 7],
    "windows": [3],
}


def daily(days: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frames = [
        pd.DataFrame(
            {
                "date": pd.date_range("2024-01-01", periods=days),
                "store": store,
                "sales": rng.integers(10, 50, days).astype(float),
            }
        )
        for store in ("a", "b")
    ]
    return pd.concat(frames, ignore_index=True).sample(
        frac=1, random_state=1
    )  # unsorted on purpose


def test_calendar_lag_and_rolling_features() -> None:
    features = series_features(daily(), **PARAMS)
    store_a = features[features["store"] == "a"].reset_index(drop=True)
    assert store_a.loc[10, "lag_1"] == store_a.loc[9, "sales"]
    assert store_a.loc[10, "lag_7"] == store_a.loc[3, "sales"]
    assert store_a.loc[10, "rolling_mean_3"] == pytest.approx(store_a.loc[7:9, "sales"].mean())
    assert store_a.loc[0, "day_of_week"] == 0  # 2024-01-01 was a Monday
    assert store_a.loc[5, "is_weekend"] == 1
    assert np.isnan(store_a.loc[2, "rolling_mean_3"])  # not enough history yet
    first_b = features[features["store"] == "b"].iloc[0]
    assert np.isnan(first_b["lag_1"])  # series never borrow from each other


def test_no_feature_uses_a_future_row() -> None:
    data = daily()
    cutoff = pd.Timestamp("2024-02-01")
    before = series_features(data, **PARAMS)
    changed = data.copy()
    future = changed["date"] >= cutoff
    changed.loc[future, "sales"] = changed.loc[future, "sales"] * 100 + 1e6
    after = series_features(changed, **PARAMS)
    feature_columns = [c for c in before.columns if c.startswith(("lag_", "rolling_"))]
    until = before["date"] <= cutoff  # the cutoff day's features may use only earlier days
    pd.testing.assert_frame_equal(
        before.loc[until, feature_columns], after.loc[until, feature_columns]
    )


def test_component_drops_rows_without_full_history() -> None:
    features = TimeSeriesFeatures({"data": daily()}, ["f"], PARAMS | {"dropna": True}).execute()[
        "f"
    ]
    assert len(features) == 2 * (60 - 7)
    assert not features.isna().any().any()


def test_forecaster_predicts_every_series_for_the_horizon_recursively() -> None:
    history = daily()
    train = series_features(history, **PARAMS).dropna()
    columns = ["lag_1", "lag_7", "rolling_mean_3", "day_of_week"]
    model = LinearRegression().fit(train[columns], train["sales"])
    forecast = SalesForecaster(
        {"history": history, "model": model}, ["out"], PARAMS | {"horizon": 10}
    ).execute()["out"]
    assert len(forecast) == 2 * 10
    assert forecast["date"].min() == pd.Timestamp("2024-03-01")
    assert forecast["date"].max() == pd.Timestamp("2024-03-10")
    assert forecast["forecast"].between(0, 100).all()
    # day 2's lag_1 is day 1's forecast: the recursion feeds predictions back
    store_a = forecast[forecast["store"] == "a"].reset_index(drop=True)
    day1 = store_a.iloc[[0]].rename(columns={"forecast": "sales"})
    day2 = store_a.iloc[[1]].drop(columns="forecast").assign(sales=np.nan)
    features = series_features(pd.concat([history, day1, day2]), **PARAMS)
    row = features[(features["store"] == "a") & (features["date"] == store_a.loc[1, "date"])]
    assert row["lag_1"].iloc[0] == store_a.loc[0, "forecast"]
    assert model.predict(row[columns])[0] == pytest.approx(store_a.loc[1, "forecast"])


def test_lags_and_horizon_are_checked_at_validate_time() -> None:
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(
            "workflow_name: f\ntasks:\n"
            "  - {name: d, component_name: python_function, params: {function: 'json:loads', kwargs: {s: '1'}}, outputs: [d]}\n"
            "  - {name: f, component_name: sales_forecaster, inputs: {history: d, model: d}, outputs: [x],"
            " params: {target: sales, lags: [1, -7], horizon: 0}}\n"
        )
    text = str(info.value)
    assert "lags must be a list of positive whole numbers of days, got [1, -7]" in text
    assert "horizon must be at least 1 day" in text

"""``time_series_features`` and ``sales_forecaster``: forecasting daily series.

Features for the row of day *t* of one series (a store and product, say) use only
days before *t*: calendar fields of *t* itself, the target's value ``lag`` days
earlier, and rolling means over the ``window`` days ending the day before. So no
feature can see the value it predicts (the tests check this by changing future rows).
The forecaster builds exactly the same features one day at a time, feeding each
prediction back as history for the next day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wfe import Component, Input, Param

__all__ = ["SalesForecaster", "TimeSeriesFeatures", "series_features"]

FEATURE_PARAMS: dict[str, Param] = {
    "date_column": Param(str, default="date", doc="the day of each row"),
    "group_columns": Param(
        list, default=None, doc="columns naming one series (e.g. [store_id, product_id])"
    ),
    "target": Param(str, doc="the value to forecast"),
    "lags": Param(list, default=[1, 7, 14], doc="days back for lag features"),
    "windows": Param(list, default=[7, 28], doc="rolling-mean window lengths, in days"),
}


def _check_feature_params(params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
    for name in ("lags", "windows"):
        values = params.get(name)
        if values is not None and not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in values
        ):
            yield name, f"{name} must be a list of positive whole numbers of days, got {values}"


def series_features(
    frame: Any,
    date_column: str,
    group_columns: list[str],
    target: str,
    lags: list[int],
    windows: list[int],
) -> Any:
    """``frame`` sorted by series and day, with calendar, lag and rolling-mean columns."""
    import pandas as pd

    missing = [c for c in (date_column, target, *group_columns) if c not in frame.columns]
    if missing:
        raise KeyError(f"the data lacks column(s) {missing}; it has {list(frame.columns)}")
    data = frame.copy()
    data[date_column] = pd.to_datetime(data[date_column])
    data = data.sort_values([*group_columns, date_column], kind="stable").reset_index(drop=True)
    day = data[date_column].dt
    data["day_of_week"] = day.day_of_week
    data["day_of_month"] = day.day
    data["month"] = day.month
    data["week_of_year"] = day.isocalendar().week.astype("int64")
    data["is_weekend"] = (day.day_of_week >= 5).astype("int8")
    keys = [data[c] for c in group_columns]

    def per_series(values: Any) -> Any:
        return values.groupby(keys, sort=False) if group_columns else values

    for lag in lags:
        data[f"lag_{lag}"] = per_series(data[target]).shift(lag)
    previous = per_series(data[target]).shift(1)  # rolling windows end the day before
    for window in windows:
        data[f"rolling_mean_{window}"] = per_series(previous).transform(
            lambda values, w=window: values.rolling(w, min_periods=w).mean()
        )
    return data


class TimeSeriesFeatures(Component):
    """Calendar, lag and rolling-mean features per series, without leakage (see the module
    docstring). Rows without a full history are dropped unless ``dropna: false``."""

    params_schema = {
        **FEATURE_PARAMS,
        "dropna": Param(bool, default=True, doc="drop rows lacking full history"),
    }
    inputs_schema = {"data": Input("one row per series and day")}
    outputs_schema = {"features": "the rows with feature columns added"}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        return _check_feature_params(params)

    def run(self, data: Any) -> Any:
        p = self.params
        features = series_features(
            data, p["date_column"], p["group_columns"] or [], p["target"], p["lags"], p["windows"]
        )
        return features.dropna().reset_index(drop=True) if p["dropna"] else features


class SalesForecaster(Component):
    """Forecast the next ``horizon`` days of every series with a trained regressor.

    Day by day: the features of the next day are built from the history (and the
    forecasts so far) exactly as ``time_series_features`` builds them, the model
    predicts, and the prediction becomes history. Use the same feature params as the
    features task that made the training data.
    """

    params_schema = {
        **FEATURE_PARAMS,
        "horizon": Param(int, default=14, doc="days to forecast"),
        "forecast_column": Param(str, default="forecast", doc="name of the forecast column"),
    }
    inputs_schema = {
        "history": Input("the raw daily rows the model was trained on"),
        "model": Input("a fitted regressor"),
    }
    outputs_schema = {"forecast": "one row per series and future day"}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        yield from _check_feature_params(params)
        if params.get("horizon", 14) < 1:
            yield "horizon", "horizon must be at least 1 day"

    def run(self, history: Any, model: Any) -> Any:
        import pandas as pd

        from wfe_ml.prediction import model_features

        p = self.params
        date, groups, target = p["date_column"], p["group_columns"] or [], p["target"]
        span = max([*p["lags"], *p["windows"]]) + 1  # days of history one prediction needs
        data = history[[date, *groups, target]].copy()
        data[date] = pd.to_datetime(data[date])
        last = data[date].max()
        data = data[data[date] > last - pd.Timedelta(days=span)]
        keys = data[groups].drop_duplicates() if groups else pd.DataFrame(index=[0])
        forecasts = []
        for step in range(1, p["horizon"] + 1):
            day = last + pd.Timedelta(days=step)
            candidate = pd.concat(
                [data, keys.assign(**{date: day, target: float("nan")})], ignore_index=True
            )
            features = series_features(candidate, date, groups, target, p["lags"], p["windows"])
            today = features[features[date] == day]
            predicted = today[[date, *groups]].assign(
                **{target: model.predict(model_features(model, today))}
            )
            data = pd.concat([data, predicted], ignore_index=True)  # forecasts become history
            data = data[data[date] > day - pd.Timedelta(days=span)]
            forecasts.append(predicted.rename(columns={target: p["forecast_column"]}))
        return pd.concat(forecasts, ignore_index=True)

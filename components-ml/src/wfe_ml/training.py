"""``train_test_split`` and ``sklearn_trainer``."""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Iterable, Mapping
from typing import Any

from wfe import Component, Input, Param
from wfe.policy import current_policy

__all__ = ["SklearnTrainer", "TrainTestSplit", "feature_columns", "resolve_estimator"]


class TrainTestSplit(Component):
    """Split a DataFrame into train and test rows (scikit-learn's train_test_split)."""

    params_schema = {
        "target": Param(str, default=None, doc="the label column (needed for stratify)"),
        "test_size": Param(float, default=0.25, doc="fraction of rows for the test set"),
        "stratify": Param(bool, default=False, doc="keep the target's class balance in both sets"),
        "random_state": Param(int, default=42, doc="seed, so runs repeat"),
    }
    inputs_schema = {"data": Input("the rows to split")}
    outputs_schema = {"train": "the training rows", "test": "the test rows"}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        size = params.get("test_size", 0.25)
        if not 0 < size < 1:
            yield "test_size", f"test_size must be between 0 and 1 (a fraction), got {size}"
        if params.get("stratify") and not params.get("target"):
            yield "stratify", "stratify needs target: the column whose classes to balance"

    def run(self, data: Any) -> tuple[Any, Any]:
        from sklearn.model_selection import train_test_split

        target = self.params["target"]
        if target is not None and target not in data.columns:
            raise KeyError(
                f"target column '{target}' is not in the data; it has {list(data.columns)}"
            )
        train, test = train_test_split(
            data,
            test_size=self.params["test_size"],
            random_state=self.params["random_state"],
            stratify=data[target] if self.params["stratify"] else None,
        )
        return train, test


@functools.lru_cache(maxsize=64)
def resolve_estimator(path: str) -> type:
    """Import an estimator class from ``package.module.Class``."""
    module_name, _, class_name = path.rpartition(".")
    if not module_name:
        raise ValueError(
            f"'{path}' is not an import path such as sklearn.ensemble.RandomForestClassifier"
        )
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot import estimator '{path}': {exc}") from exc
    if not isinstance(cls, type) or not hasattr(cls, "fit"):
        raise ValueError(f"'{path}' is not an estimator class (it has no fit method)")
    return cls


def estimator_problems(
    path: str, params: Mapping[str, Any], allow_any: bool
) -> list[tuple[str, str]]:
    """What is wrong with an estimator path and its hyper-parameter names."""
    if not allow_any and not path.startswith("sklearn."):
        return [
            (
                "estimator",
                f"'{path}' is not a scikit-learn estimator; set allow_any_estimator: true to use it",
            )
        ]
    try:
        cls = resolve_estimator(path)
    except ValueError as exc:
        return [("estimator", str(exc))]
    accepted = set(inspect.signature(cls).parameters) - {"args", "kwargs"}
    from wfe.suggest import did_you_mean

    return [
        (
            "params",
            f"{cls.__name__} has no hyper-parameter '{name}'. {did_you_mean(name, accepted)}".strip(),
        )
        for name in params
        if name not in accepted
    ]


def feature_columns(
    frame: Any, target: str | None, features: list[str] | None, exclude: Iterable[str] = ()
) -> list[str]:
    """The given features, or every numeric/boolean column but the target and ``exclude``."""
    if features:
        missing = [c for c in features if c not in frame.columns]
        if missing:
            raise KeyError(
                f"feature column(s) {missing} are not in the data; it has {list(frame.columns)}"
            )
        return list(features)
    skip = {target, *exclude}
    chosen = [c for c, kind in frame.dtypes.items() if c not in skip and (kind.kind in "biuf")]
    if not chosen:
        raise ValueError(f"no numeric feature columns in the data (columns: {list(frame.columns)})")
    return chosen


class SklearnTrainer(Component):
    """Fit a scikit-learn estimator, named by its import path, on a DataFrame.

    Features are the ``features`` listed, or every numeric column except the target and
    ``exclude``. The fitted model remembers its feature names (``feature_names_in_``),
    which the predictor and the evaluator use to pick the same columns.
    """

    params_schema = {
        "estimator": Param(str, doc="import path, e.g. sklearn.ensemble.RandomForestClassifier"),
        "params": Param(dict, default=None, doc="the estimator's hyper-parameters"),
        "target": Param(str, doc="the label column"),
        "features": Param(
            list, default=None, doc="feature columns (default: all numeric but target/exclude)"
        ),
        "exclude": Param(list, default=None, doc="columns never used as features (ids, ...)"),
        "allow_any_estimator": Param(
            bool, default=False, doc="allow estimators outside scikit-learn"
        ),
    }
    inputs_schema = {"train": Input("the training rows")}
    outputs_schema = {"model": "the fitted estimator"}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any]) -> Iterable[tuple[str | None, str]]:
        if params.get("allow_any_estimator") is True:
            policy = current_policy()
            if not policy.allow_any_estimator:  # refused before the class is imported
                yield (
                    "allow_any_estimator",
                    policy.refusal(
                        "allow_any_estimator: true",
                        "allow_any_estimator = false",
                        "use a scikit-learn estimator (an import path starting with sklearn.) "
                        "and remove allow_any_estimator",
                    ),
                )
                return
        path = params.get("estimator")
        if isinstance(path, str):
            yield from estimator_problems(
                path, params.get("params") or {}, bool(params.get("allow_any_estimator"))
            )

    def run(self, train: Any) -> Any:
        target = self.params["target"]
        if target not in train.columns:
            raise KeyError(
                f"target column '{target}' is not in the training data; it has {list(train.columns)}"
            )
        columns = feature_columns(
            train, target, self.params["features"], self.params["exclude"] or ()
        )
        estimator_cls = resolve_estimator(self.params["estimator"])
        hyper = self.params["params"] or {}
        try:
            model = estimator_cls(**hyper)
            model.fit(train[columns], train[target])
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"{estimator_cls.__name__}({hyper}) could not be fitted: {exc}"
            ) from exc
        return model

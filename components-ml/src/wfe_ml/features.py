"""``churn_feature_engineer``: a raw customer table -> numeric model features.

Deterministic and stateless: the same row always gives the same features, whether it
is in a training set or scored months later, because every category has a fixed list of
columns (a value outside the list gives zeros in all of them). The output keeps the id
column, and the target column when present. Column by column:

======================== ===============================================================
``customer_id``          kept as is (the id column, ``id_column``)
``tenure``               months as a customer (input)
``monthly_charges``      current monthly bill (input)
``total_charges``        billed so far (input); empty for a first-month customer, filled
                         with ``monthly_charges * tenure``
``support_calls``        support calls (input)
``senior_citizen``       0/1 (input, 0 when the column is absent)
``avg_monthly_spend``    ``total_charges / max(tenure, 1)``
``charges_ratio``        ``avg_monthly_spend / monthly_charges``: below 1 for customers
                         whose bill went up, above 1 for those whose bill went down
``calls_per_year``       ``support_calls / (tenure / 12 + 1)``
``tenure_0_12`` ...      one-hot tenure buckets: 0-12, 13-24, 25-48 and over 48 months
``contract_*``           one-hot: month_to_month, one_year, two_year
``payment_*``            one-hot: electronic_check, mailed_check, bank_transfer,
                         credit_card
``internet_*``           one-hot: dsl, fiber, none (only when ``internet_service`` given)
``churned``              kept when present (the target, ``target``)
======================== ===============================================================
"""

from __future__ import annotations

from typing import Any

from wfe import Component, Input, Param

__all__ = ["ChurnFeatureEngineer", "churn_features"]

REQUIRED_COLUMNS = (
    "tenure",
    "monthly_charges",
    "total_charges",
    "contract",
    "payment_method",
    "support_calls",
)
CATEGORIES = {
    "contract": ("contract", ("month-to-month", "one-year", "two-year")),
    "payment_method": (
        "payment",
        ("electronic_check", "mailed_check", "bank_transfer", "credit_card"),
    ),
    "internet_service": ("internet", ("dsl", "fiber", "none")),
}
TENURE_BUCKETS = (
    ("tenure_0_12", 0, 12),
    ("tenure_13_24", 13, 24),
    ("tenure_25_48", 25, 48),
    ("tenure_49_plus", 49, 10_000),
)


def _slug(value: str) -> str:
    return value.replace("-", "_").replace(" ", "_").lower()  # "month-to-month" -> month_to_month


def churn_features(raw: Any, id_column: str = "customer_id", target: str = "churned") -> Any:
    """The feature table for ``raw`` (see the module docstring for every column)."""
    import numpy as np
    import pandas as pd

    missing = [c for c in (id_column, *REQUIRED_COLUMNS) if c not in raw.columns]
    if missing:
        raise KeyError(
            f"the customer table lacks column(s) {missing}; it has {list(raw.columns)} "
            "(rename the columns upstream or set id_column)"
        )
    tenure = pd.to_numeric(raw["tenure"], errors="raise").astype("float64")
    monthly = pd.to_numeric(raw["monthly_charges"], errors="raise").astype("float64")
    total = pd.to_numeric(raw["total_charges"], errors="coerce").astype("float64")
    total = total.fillna(monthly * tenure)
    calls = pd.to_numeric(raw["support_calls"], errors="raise").astype("float64")
    columns: dict[str, Any] = {
        id_column: raw[id_column].to_numpy(),
        "tenure": tenure.to_numpy(),
        "monthly_charges": monthly.to_numpy(),
        "total_charges": total.to_numpy(),
        "support_calls": calls.to_numpy(),
        "senior_citizen": (
            raw["senior_citizen"].astype("float64") if "senior_citizen" in raw else tenure * 0
        ).to_numpy(),
    }
    spend = total / np.maximum(tenure, 1)
    columns["avg_monthly_spend"] = spend.to_numpy()
    columns["charges_ratio"] = (spend / monthly.where(monthly > 0)).fillna(0).to_numpy()
    columns["calls_per_year"] = (calls / (tenure / 12 + 1)).to_numpy()
    for name, low, high in TENURE_BUCKETS:
        columns[name] = ((tenure >= low) & (tenure <= high)).astype("int8").to_numpy()
    for source, (prefix, values) in CATEGORIES.items():
        if source not in raw.columns:
            continue
        normalised = raw[source].astype("string").str.strip().str.lower()
        normalised = normalised.str.replace(r"[-\s]+", "_", regex=True)
        for value in values:
            flag = (normalised == _slug(value)).fillna(False)
            columns[f"{prefix}_{_slug(value)}"] = flag.astype("int8").to_numpy()
    if target in raw.columns:
        columns[target] = raw[target].to_numpy()
    return pd.DataFrame(columns, index=raw.index)


class ChurnFeatureEngineer(Component):
    """Turn a raw customer table into numeric churn-model features (see the module
    docstring for each column). Needs customer_id, tenure, monthly_charges,
    total_charges, contract, payment_method and support_calls."""

    params_schema = {
        "id_column": Param(str, default="customer_id", doc="the customer id column, kept as is"),
        "target": Param(str, default="churned", doc="the label column, kept when present"),
    }
    inputs_schema = {"input_df": Input("the raw customer table")}
    outputs_schema = {"features": "numeric features, plus the id (and target) columns"}

    def run(self, input_df: Any) -> Any:
        return churn_features(input_df, self.params["id_column"], self.params["target"])

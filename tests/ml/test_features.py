"""churn_feature_engineer: wfe_ml.features."""

from __future__ import annotations

import pandas as pd
import pytest

from wfe_ml.features import churn_features

RAW = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C"],
        "tenure": [0, 24, 60],
        "monthly_charges": [70.0, 50.0, 100.0],
        "total_charges": [None, 1250.0, 5400.0],
        "contract": ["Month-to-month", "one year", "two-year"],
        "payment_method": ["electronic_check", "Credit Card", "carrier pigeon"],
        "internet_service": ["fiber", "dsl", "none"],
        "senior_citizen": [1, 0, 0],
        "support_calls": [4, 1, 0],
        "churned": [1, 0, 0],
    }
)


def test_every_documented_column_and_value() -> None:
    features = churn_features(RAW)
    assert list(features.columns) == [
        "customer_id", "tenure", "monthly_charges", "total_charges", "support_calls", "senior_citizen",
        "avg_monthly_spend", "charges_ratio", "calls_per_year",
        "tenure_0_12", "tenure_13_24", "tenure_25_48", "tenure_49_plus",
        "contract_month_to_month", "contract_one_year", "contract_two_year",
        "payment_electronic_check", "payment_mailed_check", "payment_bank_transfer", "payment_credit_card",
        "internet_dsl", "internet_fiber", "internet_none", "churned",
    ]  # fmt: skip
    first, second, third = (features.iloc[i] for i in range(3))
    assert first["total_charges"] == 0.0  # empty for a first-month customer: monthly x tenure
    assert second["avg_monthly_spend"] == 1250.0 / 24
    assert second["charges_ratio"] == pytest.approx((1250.0 / 24) / 50.0)
    assert first["calls_per_year"] == 4.0
    assert second["calls_per_year"] == pytest.approx(1 / 3)
    assert [first["tenure_0_12"], second["tenure_13_24"], third["tenure_49_plus"]] == [1, 1, 1]
    assert [
        first["contract_month_to_month"],
        second["contract_one_year"],
        third["contract_two_year"],
    ] == [1, 1, 1]
    assert second["payment_credit_card"] == 1
    assert (
        third[
            [
                "payment_electronic_check",
                "payment_mailed_check",
                "payment_bank_transfer",
                "payment_credit_card",
            ]
        ].sum()
        == 0
    )
    assert features["customer_id"].tolist() == ["A", "B", "C"]
    assert features["churned"].tolist() == [1, 0, 0]
    assert all(
        str(kind) != "object" for name, kind in features.dtypes.items() if name != "customer_id"
    )


def test_features_are_deterministic_and_row_independent() -> None:
    whole = churn_features(RAW)
    one_by_one = pd.concat([churn_features(RAW.iloc[[i]]) for i in range(len(RAW))])
    pd.testing.assert_frame_equal(whole, one_by_one)
    pd.testing.assert_frame_equal(whole, churn_features(RAW.copy()))


def test_without_target_and_optional_columns() -> None:
    features = churn_features(RAW.drop(columns=["churned", "internet_service", "senior_citizen"]))
    assert "churned" not in features.columns
    assert not any(c.startswith("internet_") for c in features.columns)
    assert features["senior_citizen"].tolist() == [0.0, 0.0, 0.0]


def test_missing_columns_are_named() -> None:
    with pytest.raises(KeyError, match=r"lacks column\(s\) \['tenure', 'contract'\]"):
        churn_features(RAW.drop(columns=["tenure", "contract"]))

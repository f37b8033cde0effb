"""Generate the example workflows' synthetic data, deterministically (fixed seed).

    python workflows/data/generate.py                        # the committed small files
    python workflows/data/generate.py --customers 5000000 --out /tmp/big   # benchmark sizes

customers.csv
    One row per customer of a telecom-style subscription business. ``churned`` (0/1)
    is drawn from a logistic model of the other columns, so a model can learn it: churn
    is likelier with a month-to-month contract, fiber internet, electronic-check payment,
    short tenure, many support calls and high charges. ``total_charges`` is empty for
    customers in their first month (as in real billing exports).
sales.csv
    Daily unit sales per store and product over two years: a level per store and
    product, a weekly pattern (weekends sell more), a yearly season, a slow trend and
    Poisson noise, so a model on calendar, lag and rolling features forecasts it well.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261124
HERE = Path(__file__).resolve().parent


def customers(count: int, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    contract = rng.choice(["month-to-month", "one-year", "two-year"], count, p=[0.55, 0.25, 0.20])
    payment = rng.choice(
        ["electronic_check", "mailed_check", "bank_transfer", "credit_card"],
        count,
        p=[0.35, 0.2, 0.225, 0.225],
    )
    internet = rng.choice(["dsl", "fiber", "none"], count, p=[0.35, 0.45, 0.20])
    tenure = np.where(
        contract == "two-year", rng.integers(12, 73, count), rng.integers(0, 73, count)
    )
    monthly = np.round(
        20
        + np.select([internet == "fiber", internet == "dsl"], [70, 40], 0)
        + rng.normal(0, 8, count).clip(-15, 30),
        2,
    )
    total = np.round(monthly * tenure * rng.normal(1.0, 0.03, count), 2)
    total = np.where(tenure == 0, np.nan, total)
    senior = (rng.random(count) < 0.16).astype(int)
    calls_rate = 1.2 + 1.5 * (contract == "month-to-month")
    support_calls = rng.poisson(calls_rate)
    score = (
        -1.4
        + 1.5 * (contract == "month-to-month")
        - 1.2 * (contract == "two-year")
        + 0.7 * (internet == "fiber")
        + 0.6 * (payment == "electronic_check")
        - 0.045 * tenure
        + 0.35 * support_calls
        + 0.012 * (monthly - 65)
        + 0.3 * senior
    )
    churned = (rng.random(count) < 1 / (1 + np.exp(-score))).astype(int)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:07d}" for i in range(1, count + 1)],
            "tenure": tenure,
            "monthly_charges": monthly,
            "total_charges": total,
            "contract": contract,
            "payment_method": payment,
            "internet_service": internet,
            "senior_citizen": senior,
            "support_calls": support_calls,
            "churned": churned,
        }
    )


def sales(days: int = 730, stores: int = 3, products: int = 4, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 1)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    day = np.arange(days)
    weekly = np.where(dates.day_of_week >= 5, 1.35, 1.0)
    yearly = 1 + 0.25 * np.sin(2 * np.pi * (day - 80) / 365.25)
    trend = 1 + 0.0004 * day
    frames = []
    for store in range(1, stores + 1):
        for product in range(1, products + 1):
            level = rng.uniform(20, 120)
            expected = level * weekly * yearly * trend
            frames.append(
                pd.DataFrame(
                    {
                        "date": dates,
                        "store_id": f"S{store}",
                        "product_id": f"P{product}",
                        "units_sold": rng.poisson(expected),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    customers(args.customers).to_csv(args.out / "customers.csv", index=False)
    sales().to_csv(args.out / "sales.csv", index=False)
    print(
        f"wrote {args.out / 'customers.csv'} ({args.customers:,} customers) and {args.out / 'sales.csv'}"
    )


if __name__ == "__main__":
    main()

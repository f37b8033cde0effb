"""The churn pipeline written by hand with pandas and scikit-learn: the baseline that
benchmarks/churn_workflow.py compares `wfe run workflows/churn.yaml` with.

Same steps, same data, same model settings, the way such a script is usually written:
load, features, split, train, evaluate, save the model, predict, write to SQLite.

    python benchmarks/churn_by_hand.py DATA_DIR OUT_DIR
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import joblib
import pandas as pd
from sklearn import metrics
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split

from wfe_ml.features import churn_features  # the same feature code as the workflow


def main(data_dir: Path, out_dir: Path) -> None:
    raw = pd.read_csv(data_dir / "customers.csv")
    features = churn_features(raw)
    train, test = train_test_split(
        features, test_size=0.25, random_state=7, stratify=features["churned"]
    )
    columns = [c for c in features.columns if c not in ("customer_id", "churned")]
    model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, random_state=7)
    model.fit(train[columns], train["churned"])
    probability = model.predict_proba(test[columns])[:, 1]
    predicted = model.predict(test[columns])
    scores = {
        "rows": len(test),
        "accuracy": metrics.accuracy_score(test["churned"], predicted),
        "roc_auc": metrics.roc_auc_score(test["churned"], probability),
    }
    if scores["roc_auc"] < 0.75:
        raise SystemExit(f"roc_auc {scores['roc_auc']:.3f} below 0.75")
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out_dir / "churn_model.joblib")
    results = pd.DataFrame(
        {
            "customer_id": features["customer_id"],
            "prediction": model.predict(features[columns]),
            "probability": model.predict_proba(features[columns])[:, 1],
        }
    )
    with sqlite3.connect(out_dir / "by_hand.db") as connection:
        pd.DataFrame([scores]).to_sql("churn_metrics", connection, if_exists="append", index=False)
        results.to_sql("churn_results", connection, if_exists="replace", index=False)
    print(f"roc_auc {scores['roc_auc']:.3f}, {len(results):,} customers scored")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))

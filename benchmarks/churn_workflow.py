"""`wfe run workflows/churn.yaml` vs the same pipeline written by hand (churn_by_hand.py).

Generates 1,000,000 and 5,000,000 customers (``--sizes`` to change), then runs each
pipeline in a fresh process and reports wall time and peak RSS (from wait4's rusage).
Targets: wfe within 5% of the script's time, and peak RSS no higher than the script's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "workflows" / "data"))


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed with {status}")
    return elapsed, usage.ru_maxrss * 1024


def main() -> None:
    import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
    for size in parser.parse_args().sizes:
        with tempfile.TemporaryDirectory() as folder:
            data, work = Path(folder, "data"), Path(folder, "work")
            data.mkdir()
            work.mkdir()
            generate.customers(size).to_csv(data / "customers.csv", index=False)
            by_hand = measure(
                [
                    sys.executable,
                    str(REPO / "benchmarks" / "churn_by_hand.py"),
                    str(data),
                    str(work / "hand"),
                ],
                work,
            )
            with_wfe = measure(
                [
                    sys.executable,
                    "-m",
                    "wfe",
                    "run",
                    str(REPO / "workflows" / "churn.yaml"),
                    "--var",
                    f"data_root={data}",
                    "--var",
                    f"model_path={work / 'wfe' / 'churn_model.joblib'}",
                    "--var",
                    f"db_url=sqlite:///{work / 'wfe.db'}",
                ],
                work,
            )
        print(f"{size:,} customers")
        for label, (seconds, rss) in (
            ("by hand (pandas + sklearn)", by_hand),
            ("wfe run churn.yaml", with_wfe),
        ):
            print(f"  {label:<28} {seconds:7.1f} s   peak RSS {rss / 2**20:7.0f} MB")
        print(
            f"  wfe / by hand: time {with_wfe[0] / by_hand[0]:.2f}x, peak RSS {with_wfe[1] / by_hand[1]:.2f}x"
        )


if __name__ == "__main__":
    main()

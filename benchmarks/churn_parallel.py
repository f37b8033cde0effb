"""`wfe run workflows/churn.yaml` with `--workers 2` against sequential, on the committed
data (5,000 customers), each a fresh process, alternating, best and median of N.

Target: `--workers 2` is not slower than sequential. It could be: two tasks running at
once each start one native thread per core (scikit-learn's OpenMP, NumPy's BLAS), and
on a loaded 2-core machine threads that outnumber the cores spin and wait (the training
step took 2.4-8.8 s instead of 0.35 s). The threads executor caps each task's pools at
cores / workers; the third line turns that off to show what it prevents.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = {
    "sequential": [],
    "--workers 2": ["--workers", "2"],
    "--workers 2, no thread cap": [
        "--workers",
        "2",
        "--executor-option",
        "limit_native_threads=false",
    ],
}


def once(extra: list[str], folder: Path) -> float:
    command = [sys.executable, "-m", "wfe", "run", str(REPO / "workflows" / "churn.yaml")]
    command += ["--var", f"data_root={REPO / 'workflows' / 'data'}", "--no-record", *extra]
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def main(repeats: int = 7) -> None:
    times: dict[str, list[float]] = {label: [] for label in RUNS}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            for label, extra in RUNS.items():
                times[label].append(once(extra, Path(folder)))
    print(f"wfe run churn.yaml, 5,000 customers, {repeats} runs each (whole process)")
    base = statistics.median(times["sequential"])
    for label, seconds in times.items():
        median = statistics.median(seconds)
        print(
            f"  {label:<28} best {min(seconds):5.2f} s  median {median:5.2f} s"
            f"  = {median / base:.2f}x sequential"
        )


if __name__ == "__main__":
    main()

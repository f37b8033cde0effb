"""Run-record overhead: `wfe run` against `wfe run --no-record` on 10,000- and
100,000-task chains, whole processes, alternating, best of N.

Target: at most 1.1x. Runs alternate, and each recorded run is also compared with the
unrecorded run just before it (the machine's load moves between runs). A record costs one appended JSON line per task (tasks.jsonl) and
two small writes of run.json, so its cost per task must not grow with the run (the
previous design rewrote the whole record as tasks ended: 0.80 s against 0.53 s at
10,000 tasks, and at 100,000 it did not finish in 120 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import function_chain_yaml

HERE = Path(__file__).resolve().parent


def once(path: Path, folder: Path, extra: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    command = [sys.executable, "-m", "wfe", "run", str(path), *extra]
    started = time.perf_counter()
    subprocess.run(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def runs_list_seconds(records: Path, repeats: int = 5) -> float:
    command = [sys.executable, "-m", "wfe", "runs", "list", "--record-dir", str(records)]
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def many_runs(count: int = 5_000) -> None:
    """`wfe runs list` with thousands of recorded runs against it with one: it reads only
    the newest runs' small summaries."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "chain.yaml"
        path.write_text(function_chain_yaml(10))
        once(path, folder, [])
        records = folder / ".wfe" / "runs"
        [first] = list(records.iterdir())
        one = runs_list_seconds(records)
        summary = (first / "run.json").read_text()
        for number in range(count - 1):
            copy = records / f"{first.name[:-9]}-{number:08x}"
            copy.mkdir()
            (copy / "run.json").write_text(summary.replace(first.name, copy.name))
        many = runs_list_seconds(records)
    print(f"  wfe runs list: {count:,} runs {many:.3f} s, one run {one:.3f} s = {many / one:.2f}x")


def main() -> None:
    print("wfe run on a chain, with a run record vs --no-record (whole process, best of N)")
    for tasks, repeats in ((10_000, 5), (100_000, 3)):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            path = folder / "chain.yaml"
            path.write_text(function_chain_yaml(tasks))
            recorded, bare = [], []
            for _ in range(repeats):
                bare.append(once(path, folder, ["--no-record"]))
                recorded.append(once(path, folder, []))
            lines = sum(
                1 for _ in next((folder / ".wfe" / "runs").iterdir()).joinpath("tasks.jsonl").open()
            )
        pairs = sorted(r / b for r, b in zip(recorded, bare, strict=True))
        print(
            f"  {tasks:>7,} tasks: --no-record {min(bare):6.2f} s, recorded {min(recorded):6.2f} s"
            f" = {min(recorded) / min(bare):.2f}x best to best; run by run"
            f" {pairs[0]:.2f}-{pairs[-1]:.2f}x ({lines:,} lines in tasks.jsonl)"
        )
    many_runs()


if __name__ == "__main__":
    main()

"""(d) 64 independent tasks that each sleep 50 ms, with 16 workers.

The ideal is 64 / 16 x 50 ms = 0.2 s. Measured through the CLI (`wfe run --workers 16`,
whole process, minus the start-up of a 1-task run) and through the Python API.
Target: <= 1.3x the ideal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import bench_plugins, best_of

import wfe

TASKS, WORKERS, NAP = 64, 16, 0.05
IDEAL = TASKS / WORKERS * NAP


def workflow_text(tasks: int) -> str:
    return "workflow_name: naps\ntasks:\n" + "".join(
        f"  - {{name: nap{i}, component_name: python_function,"
        f" params: {{function: 'bench_support:nap', kwargs: {{seconds: {NAP}}}}}, outputs: [slept{i}]}}\n"
        for i in range(tasks)
    )


def cli_seconds(path: Path, workers: int) -> float:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]
        ),
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "wfe", "run", str(path), "--workers", str(workers)],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    return time.perf_counter() - started


def main() -> None:
    api = best_of(
        3, lambda: wfe.loads(workflow_text(TASKS), plugins=bench_plugins()).run(workers=WORKERS)
    )
    with tempfile.TemporaryDirectory() as folder:
        many, one = Path(folder, "many.yaml"), Path(folder, "one.yaml")
        many.write_text(workflow_text(TASKS))
        one.write_text(workflow_text(1))
        startup = min(cli_seconds(one, 1) for _ in range(3)) - NAP
        cli = min(cli_seconds(many, WORKERS) for _ in range(3)) - startup
    print(f"{TASKS} tasks sleeping {NAP * 1e3:.0f} ms, {WORKERS} workers; ideal {IDEAL:.2f} s")
    print(f"  Python API (load + run)           {api:.3f} s = {api / IDEAL:.2f}x ideal")
    print(f"  wfe run, minus CLI start-up       {cli:.3f} s = {cli / IDEAL:.2f}x ideal")
    print(f"  sequential would take             {TASKS * NAP:.2f} s")


if __name__ == "__main__":
    main()

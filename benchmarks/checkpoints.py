"""The cost of --checkpoint, and what --resume saves after a failure at the last task.

A chain of 8 tasks, each producing a new ~400 MB DataFrame from its input (``--mb`` to
change). Runs, each in a fresh process through the CLI: without checkpoints; with
``--checkpoint`` (Parquet when pyarrow is installed, else pickle); then a run whose last
task fails, resumed with ``--resume`` once the failure is fixed, vs a full re-run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TASKS = 8


def chain(rows: int) -> str:
    lines = [
        "workflow_name: checkpoint_cost",
        "vars: {fail_last: false}",
        "tasks:",
        f"  - {{name: t0, component_name: python_function, params: {{function: 'bench_support:big_frame', kwargs: {{rows: {rows}}}}}, outputs: [f0]}}",
    ]
    for i in range(1, TASKS):
        fail = ", kwargs: {fail: '${fail_last}'}" if i == TASKS - 1 else ""
        lines.append(
            f"  - {{name: t{i}, component_name: python_function, params: {{function: 'bench_support:next_frame'{fail}}},"
            f" inputs: {{frame: f{i - 1}}}, outputs: [f{i}]}}"
        )
    return "\n".join(lines) + "\n"


def timed(args: list[str], cwd: Path, ok: bool = True) -> float:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "wfe", "run", *args, "--no-record"],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if (done.returncode == 0) != ok:
        raise SystemExit(f"unexpected exit {done.returncode}: {done.stderr}")
    return time.perf_counter() - started


def main() -> None:
    import importlib.util

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=400, help="size of each task's DataFrame")
    rows = parser.parse_args().mb * 1024 * 1024 // 40
    form = "Parquet" if importlib.util.find_spec("pyarrow") else "pickle"
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = work / "chain.yaml"
        path.write_text(chain(rows))
        store = work / "checkpoints"
        plain = timed([str(path)], work)
        saved = timed([str(path), "--checkpoint", str(store)], work)
        size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
        shutil.rmtree(store)
        timed([str(path), "--checkpoint", str(store), "--var", "fail_last=true"], work, ok=False)
        resumed = timed([str(path), "--checkpoint", str(store), "--resume"], work)
    print(
        f"chain of {TASKS} tasks, each a new {rows * 40 / 2**20:.0f} MB DataFrame (one process per run)"
    )
    print(f"  without checkpoints                  {plain:6.1f} s")
    print(
        f"  with --checkpoint ({form:<7})         {saved:6.1f} s  (+{saved - plain:.1f} s, {size / 2**30:.1f} GiB written)"
    )
    print(
        f"  --resume after the last task failed  {resumed:6.1f} s  vs a full re-run {plain:.1f} s ({plain / resumed:.1f}x faster)"
    )


if __name__ == "__main__":
    main()

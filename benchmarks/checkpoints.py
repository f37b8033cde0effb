"""Checkpoints: what --checkpoint costs, what --resume saves, what fingerprints cost.

1. A chain of 8 tasks, each a new ~400 MB DataFrame (``--mb``) of 5 float columns: the
   first is random, each next one holds every value of the previous frame as a z-score
   against the 20 rows up to it (rolling mean and standard deviation: a common feature
   step, about 5 s per 400 MB here). Runs, each in a fresh process: without
   checkpoints; writing each output's bytes raw (its column buffers to a file in the
   same folder, fsynced, as a checkpoint's files are: writing 3 GiB during a run slows
   the steps after it too, and this run pays that as well); with checkpoints; and with
   checkpoints where every save is timed beside a raw write of the same frame, before
   or after it in turn: the checkpoint's cost against the same bytes at the same moment.
2. What --resume saves: in one process, loading the 7th task's checkpoint (its digest
   checked, as planning does, and every value read) against recomputing that frame
   (one step from its input; the whole chain up to it is the plain run's 7/8). End to
   end: the run whose last task failed, resumed, against a full re-run.
3. Fingerprints of ``workflows/churn.yaml`` (the packages of the editable
   distributions hashed, ``customers.csv`` hashed), in a fresh process (first call) and
   again; and with 1,000,000 customers (``workflows/data/generate.py``).
4. Fingerprints and plans of chains of 10,000 and 100,000 tasks (plan with ``--resume``
   and explanations, against an empty checkpoint folder, and without ``--resume``).

The machine must be otherwise quiet for the timings to mean much: run it twice.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TASKS = 8


def chain(rows: int) -> str:
    """The chain; ``--var write_to=DIR`` makes every step also write its frame raw."""
    lines = [
        "workflow_name: checkpoint_cost",
        "vars: {fail_last: false, write_to: null}",
        "tasks:",
        f"  - {{name: t0, component_name: python_function, params: {{function: 'bench_support:big_frame', kwargs: {{rows: {rows}, write_to: '${{write_to}}'}}}}, outputs: [f0]}}",
    ]
    for i in range(1, TASKS):
        fail = ", fail: '${fail_last}'" if i == TASKS - 1 else ""
        lines.append(
            f"  - {{name: t{i}, component_name: python_function, params: {{function: 'bench_support:zscore_frame', kwargs: {{write_to: '${{write_to}}'{fail}}}}},"
            f" inputs: {{frame: f{i - 1}}}, outputs: [f{i}]}}"
        )
    return "\n".join(lines) + "\n"


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }


def timed(args: list[str], cwd: Path, ok: bool = True) -> float:
    os.sync()  # nothing an earlier step wrote is still being flushed
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "wfe", "run", *args, "--no-record"],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if (done.returncode == 0) != ok:
        raise SystemExit(f"unexpected exit {done.returncode}: {done.stderr}")
    return time.perf_counter() - started


def in_process(code: str, cwd: Path = REPO) -> dict[str, float]:
    """Run ``code`` (which prints one JSON object) in a fresh Python process."""
    os.sync()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


KINDS = ("plain", "raw", "checkpoint", "timed")


def cost_and_resume(mb: int, repeats: int) -> None:
    rows = mb * 1024 * 1024 // 40
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory(dir=REPO) as folder:  # the disk the repository is on
        work = Path(folder)
        path = work / "chain.yaml"
        path.write_text(chain(rows))
        store = work / "checkpoints"
        for _ in range(repeats):  # alternated, so that a noisy minute hits every kind
            for kind in KINDS:
                shutil.rmtree(store, ignore_errors=True)
                runs[kind].append(
                    in_process(
                        "import bench_support, json; print(json.dumps(bench_support.chain_run("
                        f"{str(path)!r}, {kind!r}, {str(store)!r})))"
                    )
                )
        size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
        loading = in_process(
            f"import bench_support, json; print(json.dumps(bench_support.load_against_recompute({str(store)!r}, 't5', 't6')))"
        )
        shutil.rmtree(store)
        timed([str(path), "--checkpoint", str(store), "--var", "fail_last=true"], work, ok=False)
        resumed = timed([str(path), "--checkpoint", str(store), "--resume"], work)
        plain = timed([str(path)], work)

    def seconds(kind: str, key: str = "run") -> list[float]:
        return [run[key] for run in runs[kind]]

    print(
        f"1. chain of {TASKS} tasks, each a new {rows * 40 / 2**20:.0f} MB DataFrame"
        f" ({size / 2**30:.2f} GiB of checkpoints; {repeats} runs of each kind, alternated)"
    )
    print(f"   run without checkpoints                  {_span(seconds('plain'))} s")
    print(
        f"   run writing each output's bytes raw      {_span(seconds('raw'))} s"
        f" (of which the writes: {_span(seconds('raw', 'raw'))} s)"
    )
    print(f"   run with checkpoints                     {_span(seconds('checkpoint'))} s")
    timed_runs = runs["timed"]
    ratios = [run["saves"] / run["raw"] for run in timed_runs]
    print(
        f"   in one run, the {TASKS} saves took {_span(seconds('timed', 'saves'))} s and raw writes"
        f" of the same frames beside them {_span(seconds('timed', 'raw'))} s:"
        f" checkpoint cost {_span(ratios, 2)}x the raw write"
    )
    print(
        f"2. loading t6's checkpoint (digest checked, every value read): {loading['load']:.2f} s;"
        f" recomputing it from t5 (one step): {loading['recompute']:.2f} s"
        f" ({loading['load'] / loading['recompute']:.2f}x); the chain up to it:"
        f" ~{min(seconds('plain')) * 7 / 8:.0f} s"
    )
    print(
        f"   wfe run --resume after the last task failed: {resumed:.1f} s;"
        f" a full wfe run: {plain:.1f} s"
    )


def _span(values: list[float], digits: int = 1) -> str:
    low, high = min(values), max(values)
    return f"{low:.{digits}f}" if len(values) == 1 else f"{low:.{digits}f}-{high:.{digits}f}"


def churn_fingerprints() -> None:
    code = (
        "import json, time; import wfe; "
        "from wfe.fingerprint import fingerprints; "
        "w = wfe.load('workflows/churn.yaml', vars={{'data_root': {root!r}}}); "
        "t = time.perf_counter(); fingerprints(w.graph, w.plugins.components(), w.classes); "
        "first = time.perf_counter() - t; t = time.perf_counter(); "
        "fingerprints(w.graph, w.plugins.components(), w.classes); "
        "print(json.dumps({{'first': first, 'again': time.perf_counter() - t}}))"
    )
    small = in_process(code.format(root="workflows/data"))
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [
                sys.executable,
                "workflows/data/generate.py",
                "--customers",
                "1000000",
                "--out",
                folder,
            ],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        size = (Path(folder) / "customers.csv").stat().st_size
        large = in_process(code.format(root=folder))
    print(
        f"3. fingerprints of churn.yaml (9 tasks): {small['first'] * 1000:.0f} ms in a fresh process"
        f" (then {small['again'] * 1000:.0f} ms); with a {size / 2**20:.0f} MB customers.csv:"
        f" {large['first'] * 1000:.0f} ms (then {large['again'] * 1000:.0f} ms)"
    )


def long_plans() -> None:
    for tasks in (10_000, 100_000):
        found = in_process(
            f"import bench_support, json; print(json.dumps(bench_support.plan_chain({tasks})))"
        )
        print(
            f"4. {tasks:>7,} tasks: fingerprints {found['fingerprints']:.2f} s; plan with --resume and"
            f" explanations {found['resume']:.2f} s; without --resume {found['fresh']:.2f} s"
            f" ({(found['fingerprints'] + found['resume']) / tasks * 1e6:.0f} us per task)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=400, help="size of each task's DataFrame")
    parser.add_argument("--repeats", type=int, default=2, help="runs with and without")
    parser.add_argument(
        "--only", choices=("cost", "fingerprints", "plans"), help="run one part only"
    )
    options = parser.parse_args()
    if options.only in (None, "cost"):
        cost_and_resume(options.mb, options.repeats)
    if options.only in (None, "fingerprints"):
        churn_fingerprints()
    if options.only in (None, "plans"):
        long_plans()


if __name__ == "__main__":
    main()

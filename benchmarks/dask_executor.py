"""(e) The dask executor, each figure beside a baseline measured in the same run.

1. Per-task cost of a 1,000-task chain on `--executor dask` against the same chain
   written directly with `client.submit` (each task given the previous future, all
   submitted at once) on the same LocalCluster (2 processes x 1 thread). Target: <= 1.3x.
   Also with `lookahead` off (each task submitted when its predecessor has finished).
2. CPU-bound fan-out: 16 pure-Python tasks of about 0.5 s. `dask` with 2 worker
   processes against sequential (target: >= 1.8x faster), `threads` with 2 workers
   beside it (about 1x: the GIL), and a plain process pool of 2 running the same
   function: what two processes can get from the machine at that moment.
3. A 400 MB DataFrame made by one task and read by the next: on `dask` (worker to
   worker), against gathering it to the client and sending it back.
4. Starting and closing a LocalCluster of 2 worker processes.

Run from the repository root with engine-core and executor-dask installed:
``python benchmarks/dask_executor.py`` (all four), or name some:
``python benchmarks/dask_executor.py fan_out frame``. Uses both cores for a few minutes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from bench_support import (
    bench_plugins,
    chain_yaml,
    increment,
    make_frame,
    row_count,
    spin,
    spin_iterations,
)

import wfe
from wfe import ExecutorRef, hookimpl
from wfe_dask import plugin as dask_plugin
from wfe_dask.executor import DaskExecutor

CHAIN, FAN_OUT, SPIN_SECONDS = 1000, 16, 0.5
FRAME_BYTES = 400 * 2**20


class DaskWithoutLookahead(DaskExecutor):
    """The dask executor with each task submitted only after its inputs' tasks ended."""

    lookahead = False


class _Variants:
    @hookimpl
    def wfe_register_executors(self) -> list[ExecutorRef]:
        return [ExecutorRef("dask-no-lookahead", DaskWithoutLookahead, "")]


def plugins() -> wfe.Plugins:
    return bench_plugins(dask_plugin, _Variants())


def seconds(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def fan_out_yaml(tasks: int, iterations: int) -> str:
    return "workflow_name: fan_out\ntasks:\n" + "".join(
        f"  - {{name: spin{i}, component_name: python_function, params: "
        f"{{function: 'bench_support:spin', kwargs: {{iterations: {iterations}}}}}, "
        f"outputs: [s{i}]}}\n"
        for i in range(tasks)
    )


FRAME_YAML = (
    "workflow_name: frame\ntasks:\n"
    "  - {name: make, component_name: python_function, params: {function: "
    f"'bench_support:make_frame', kwargs: {{nbytes: {FRAME_BYTES}}}}}, outputs: [frame]}}\n"
    "  - {name: count, component_name: python_function, params: {function: "
    "'bench_support:row_count'}, inputs: {frame: frame}, outputs: [rows]}\n"
)


def interleaved(runs: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """The times of each run over ``rounds`` rounds that take turns, so that load from
    elsewhere on the machine hits every run alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            times[name].append(seconds(run))
    return times


def chain(client: Any, address: str) -> None:
    def direct() -> None:
        future = client.submit(increment, 0, pure=False)
        for _ in range(CHAIN - 1):
            future = client.submit(increment, future, pure=False)
        assert future.result() == CHAIN

    workflow = wfe.loads(chain_yaml(CHAIN), plugins=plugins())

    def on(executor: str) -> Callable[[], None]:
        def run() -> None:
            result = workflow.run(executor=executor, executor_options={"address": address})
            assert result.ok, result.errors

        return run

    rounds = interleaved(
        {"direct": direct, "dask": on("dask"), "dask-no-lookahead": on("dask-no-lookahead")}, 3
    )
    base = min(rounds["direct"]) / CHAIN
    print(f"1. chain of {CHAIN} tasks, per task (best of 3; median in brackets)")
    for name, times in rounds.items():
        best, median = min(times) / CHAIN, statistics.median(times) / CHAIN
        ratio = "" if name == "direct" else f" = {best / base:.2f}x direct"
        print(f"   {name:<26} {best * 1e3:6.2f} ms  ({median * 1e3:.2f}){ratio}")


def fan_out(address: str) -> None:
    iterations = spin_iterations(SPIN_SECONDS)
    workflow = wfe.loads(fan_out_yaml(FAN_OUT, iterations), plugins=plugins())
    task_seconds: dict[str, list[float]] = {}

    def run(name: str, **options: Any) -> Callable[[], None]:
        def once() -> None:
            result = workflow.run(**options)
            assert result.ok, result.errors
            task_seconds.setdefault(name, []).extend(r.duration for r in result.tasks.values())

        return once

    def pool_of_two() -> None:  # what 2 processes can do on this machine right now
        started = time.perf_counter()
        pool.map(spin, [iterations] * FAN_OUT, chunksize=1)
        task_seconds.setdefault("plain process pool of 2", []).append(
            2 * (time.perf_counter() - started) / FAN_OUT
        )

    runs = {
        "sequential": run("sequential"),
        "threads --workers 2": run("threads --workers 2", executor="threads", workers=2),
        "dask (2 processes)": run(
            "dask (2 processes)", executor="dask", executor_options={"address": address}
        ),
        "plain process pool of 2": pool_of_two,
    }
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(spin, [1] * 2)  # started before it is measured
        times = {name: min(values) for name, values in interleaved(runs, 2).items()}
    base = times["sequential"]
    print(f"2. {FAN_OUT} CPU-bound tasks of ~{SPIN_SECONDS} s (best of 2; a task's mean time")
    print("   where it ran shows the share of a core it got from the machine's other jobs)")
    for name, value in times.items():
        each = statistics.mean(task_seconds[name])
        print(
            f"   {name:<26} {value:6.2f} s  = {base / value:.2f}x faster than sequential"
            f"  (a task: {each:.2f} s)"
        )


def frame(client: Any, address: str) -> None:
    workflow = wfe.loads(FRAME_YAML, plugins=plugins())

    def made() -> None:  # waits for it on its worker, fetches nothing
        assert client.submit(make_frame, FRAME_BYTES, pure=False).exception() is None

    def direct() -> None:
        first = client.submit(make_frame, FRAME_BYTES, pure=False)
        assert client.submit(row_count, first, pure=False).result() > 0

    def on_dask() -> None:
        assert workflow.run(executor="dask", executor_options={"address": address}).ok

    def through_client() -> None:
        value = client.submit(make_frame, FRAME_BYTES, pure=False).result()  # to the client
        with warnings.catch_warnings():  # Dask rightly warns about sending it back
            warnings.simplefilter("ignore")
            assert client.submit(row_count, value, pure=False).result() > 0

    runs = {
        "making it only": made,
        "direct futures (client.submit)": direct,
        "--executor dask": on_dask,
        "through the client and back": through_client,
    }
    made()  # the workers import pandas once, outside the measurements
    times = {name: min(values) for name, values in interleaved(runs, 3).items()}
    base = times["making it only"]
    print(f"3. a {FRAME_BYTES / 2**20:.0f} MB DataFrame from one task to the next (best of 3)")
    for name, value in times.items():
        extra = "" if value is base else f"  (+{value - base:.2f} s)"
        print(f"   {name:<32} {value:6.2f} s{extra}")
    from wfe_dask.remote import _pickled

    check = min(seconds(lambda: _pickled(make_frame(FRAME_BYTES))) for _ in range(2))
    alone = min(seconds(lambda: make_frame(FRAME_BYTES)) for _ in range(2))
    print(f"   of which the worker's picklability check: {max(0.0, check - alone):.3f} s")


def cluster_start_close() -> None:
    from distributed import LocalCluster

    starts, closes = [], []
    for _ in range(3):
        started = time.perf_counter()
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        starts.append(time.perf_counter() - started)
        closes.append(seconds(cluster.close))
    print("4. LocalCluster of 2 processes (3 times)")
    print("   start " + ", ".join(f"{s:.2f}" for s in starts) + " s")
    print("   close " + ", ".join(f"{s:.2f}" for s in closes) + " s")


def main(parts: list[str]) -> None:
    from distributed import Client, LocalCluster

    wanted = set(parts) or {"chain", "fan_out", "frame", "cluster"}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    client = Client(cluster, set_as_default=False)
    try:
        if "chain" in wanted:
            chain(client, cluster.scheduler_address)
        if "fan_out" in wanted:
            fan_out(cluster.scheduler_address)
        if "frame" in wanted:
            frame(client, cluster.scheduler_address)
    finally:
        client.close()
        cluster.close()
    if "cluster" in wanted:
        cluster_start_close()
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main(sys.argv[1:])

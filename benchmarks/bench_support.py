"""Components, functions and workflow generators shared by the benchmark scripts."""

from __future__ import annotations

import time
from typing import Any

from wfe import Component, ComponentRef, Plugins, hookimpl, load_plugins, loads


class Increment(Component):
    """The trivial component the overhead benchmark chains: x -> x + 1."""

    def run(self, x: int = 0) -> int:
        return x + 1


class _BenchPlugin:
    @hookimpl
    def wfe_register_components(self) -> list[ComponentRef]:
        return [ComponentRef("increment", Increment, "x + 1")]


def bench_plugins(*extra: Any) -> Plugins:
    """wfe's built-in plugin, components-io's (for the io benchmarks) and the benchmark
    components; no display plugin, so only the engine is measured."""
    return load_plugins([_BenchPlugin(), *extra], environ={"WFE_PLUGINS": "wfe_io"})


def increment(x: int = 0) -> int:
    """x + 1, for chains run by `wfe run` through python_function."""
    return x + 1


def fail(**_: Any) -> None:
    """Fail at once (the first task of a chain whose failure is reported)."""
    raise RuntimeError("failing on purpose")


def function_chain_yaml(n: int, first: str = "increment") -> str:
    """A chain of ``n`` python_function tasks calling ``bench_support:increment`` (the
    first one calls ``bench_support:<first>``), in flow style, for whole-process runs."""
    lines = ["workflow_name: chain", "tasks:"]
    lines.append(
        f"  - {{name: t0, component_name: python_function, outputs: [o0],"
        f" params: {{function: 'bench_support:{first}'}}}}"
    )
    lines += [
        f"  - {{name: t{i}, component_name: python_function, inputs: {{x: o{i - 1}}},"
        f" outputs: [o{i}], params: {{function: 'bench_support:increment'}}}}"
        for i in range(1, n)
    ]
    return "\n".join(lines) + "\n"


def chain_yaml(n: int, component: str = "increment") -> str:
    """A workflow of ``n`` tasks, each reading the previous one's output, in block
    style (5 lines per task, like a hand-written file)."""
    lines = ["workflow_name: chain", "tasks:"]
    for i in range(n):
        lines += [f"  - name: t{i}", f"    component_name: {component}"]
        if i:
            lines.append(f"    inputs: {{x: o{i - 1}}}")
        lines.append(f"    outputs: [o{i}]")
        lines.append(f"    description: step {i} of the chain")
    return "\n".join(lines) + "\n"


def nap(seconds: float) -> float:
    """Sleep (an I/O-bound task stand-in) and return how long."""
    time.sleep(seconds)
    return seconds


def new_buffer(size: int) -> bytearray:
    """A fresh buffer of ``size`` bytes, every page touched."""
    return bytearray(b"\x01") * size


def transform(data: bytearray) -> bytearray:
    """A new buffer of the same size computed from the input (every page touched)."""
    out = bytearray(data)
    out[::4096] = b"\x02" * len(out[::4096])
    return out


def best_of(repeats: int, function: Any) -> float:
    """The fastest of ``repeats`` timings of ``function()``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def big_frame(rows: int, write_to: str | None = None) -> Any:
    """A DataFrame of 5 float64 columns (rows x 40 bytes); with ``write_to``, also
    written raw there (see :func:`_raw_write`)."""
    import numpy as np
    import pandas as pd

    values = np.random.default_rng(0).random((rows, 5))
    frame = pd.DataFrame(values, columns=[f"c{i}" for i in range(5)])
    return _written(frame, write_to)


def zscore_frame(frame: Any, fail: bool = False, write_to: str | None = None) -> Any:
    """A new DataFrame: every value of ``frame`` as a z-score against the 20 rows up to it
    (rolling mean and standard deviation: a common feature step; the first row is NaN),
    or a failure, to resume after. With ``write_to``, also written raw there."""
    if fail:
        raise RuntimeError("failing on purpose (the benchmark resumes after this)")
    window = frame.rolling(20, min_periods=2)
    return _written((frame - window.mean()) / window.std(), write_to)


def _raw_write(frame: Any, path: str) -> float:
    """Seconds to write ``frame``'s column buffers to ``path`` and fsync it."""
    import os

    started = time.perf_counter()
    with open(path, "wb") as handle:
        for column in frame.columns:
            handle.write(memoryview(frame[column].to_numpy()))
        handle.flush()
        os.fsync(handle.fileno())
    return time.perf_counter() - started


def _written(frame: Any, folder: str | None) -> Any:
    """``frame``, written raw into ``folder`` first (when given); the seconds it took
    are appended to ``folder/seconds.log``: the checkpoint benchmark's baseline."""
    if folder is not None:
        import os
        import secrets

        spent = _raw_write(frame, os.path.join(folder, f"raw-{secrets.token_hex(4)}"))
        with open(os.path.join(folder, "seconds.log"), "a", encoding="utf-8") as log:
            log.write(f"{spent}\n")
    return frame


def chain_run(workflow: str, kind: str, folder: str) -> dict[str, float]:
    """Run ``workflow`` in this process as ``kind``: ``plain``; ``raw`` (a workflow
    whose steps also write their frames raw into ``folder``); ``checkpoint``
    (checkpoints in ``folder``); or ``timed`` (checkpoints, every save timed and beside
    it, before or after in turn, a raw write of the same frame to the same folder: the
    same bytes at the same moment). Returns the run's seconds, the seconds spent saving
    and spent writing raw."""
    import os

    from wfe import load
    from wfe.checkpoints import CheckpointStore

    os.makedirs(folder, exist_ok=True)
    saves: list[float] = []
    raws: list[float] = []
    save = CheckpointStore.save

    def timed_save(self: CheckpointStore, task: str, fingerprint: Any, outputs: Any) -> Any:
        [frame] = outputs.values()
        path = os.path.join(folder, f"raw-{len(saves)}")
        if len(saves) % 2:
            raws.append(_raw_write(frame, path))
        started = time.perf_counter()
        saved = save(self, task, fingerprint, outputs)
        saves.append(time.perf_counter() - started)
        if len(raws) < len(saves):
            raws.append(_raw_write(frame, path))
        os.unlink(path)
        return saved

    if kind == "timed":
        CheckpointStore.save = timed_save  # type: ignore[method-assign]
    workflow_object = load(workflow, vars={"write_to": folder} if kind == "raw" else None)
    os.sync()  # nothing an earlier run wrote is still being flushed
    started = time.perf_counter()
    workflow_object.run(
        checkpoint=folder if kind in ("checkpoint", "timed") else None
    ).raise_for_status()
    spent = time.perf_counter() - started
    log = os.path.join(folder, "seconds.log")
    if os.path.exists(log):
        with open(log, encoding="utf-8") as lines:
            raws += [float(line) for line in lines]
    return {"run": spent, "saves": sum(saves), "raw": sum(raws)}


def read_all(frame: Any) -> None:
    """Read every value of ``frame`` once, without copying (a plain sum per column)."""
    for column in frame.columns:
        frame[column].to_numpy().sum()


def load_against_recompute(store: str, before: str, task: str) -> dict[str, float]:
    """Seconds to load ``task``'s checkpoint (digest checked, every value read) and to
    recompute it from the checkpoint of ``before``, its input."""
    import pandas  # noqa: F401  imported before the clock starts
    import pyarrow  # noqa: F401

    from wfe.checkpoints import CheckpointStore

    checkpoints = CheckpointStore(store)

    def newest(name: str) -> str:
        manifest = checkpoints.latest(name)
        assert manifest is not None, f"no checkpoint of {name}"
        return str(manifest["fingerprint"])

    started = time.perf_counter()
    [frame] = checkpoints.load(task, newest(task)).values()
    read_all(frame)
    loaded = time.perf_counter() - started
    [upstream] = checkpoints.load(before, newest(before)).values()
    read_all(upstream)
    started = time.perf_counter()
    zscore_frame(upstream)
    return {"load": loaded, "recompute": time.perf_counter() - started}


def plan_chain(tasks: int) -> dict[str, float]:
    """Seconds to fingerprint and plan a chain of ``tasks`` trivial tasks (against an
    empty checkpoint folder: every task explains itself with "no checkpoint")."""
    import tempfile

    from wfe.checkpoints import CheckpointStore
    from wfe.fingerprint import fingerprints
    from wfe.plan import plan_run

    plugins = bench_plugins()
    workflow = loads(chain_yaml(tasks), plugins=plugins)
    graph, selected = workflow.graph, set(workflow.graph.tasks)
    started = time.perf_counter()
    prints = fingerprints(graph, plugins.components(), workflow.classes)
    found = {"fingerprints": time.perf_counter() - started}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        plan_run(graph, prints, CheckpointStore(folder), selected, resume=True, explain=True)
        found["resume"] = time.perf_counter() - started
        started = time.perf_counter()
        plan_run(graph, prints, CheckpointStore(folder), selected, resume=False)
        found["fresh"] = time.perf_counter() - started
    return found


def spin(iterations: int) -> int:
    """Pure-Python CPU work (holds the GIL throughout)."""
    total = 0
    for i in range(iterations):
        total += i % 7
    return total


def spin_iterations(seconds: float) -> int:
    """How many :func:`spin` iterations take about ``seconds`` on an idle core (the
    fastest of five samples: load elsewhere only slows a sample down)."""
    fastest = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        spin(1_000_000)
        fastest = min(fastest, time.perf_counter() - started)
    return int(1_000_000 * seconds / fastest)


def make_frame(nbytes: int) -> Any:
    """A numeric DataFrame of about ``nbytes`` (10 float columns)."""
    import numpy as np
    import pandas as pd

    columns = 10
    rows = nbytes // (8 * columns)
    return pd.DataFrame(np.ones((rows, columns)), columns=[f"c{i}" for i in range(columns)])


def row_count(frame: Any) -> int:
    return len(frame)

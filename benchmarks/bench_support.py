"""Components, functions and workflow generators shared by the benchmark scripts."""

from __future__ import annotations

import time
from typing import Any

from wfe import Component, ComponentRef, Plugins, hookimpl, load_plugins


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


def big_frame(rows: int) -> Any:
    """A DataFrame of 5 float64 columns (rows x 40 bytes)."""
    import numpy as np
    import pandas as pd

    values = np.random.default_rng(0).random((rows, 5))
    return pd.DataFrame(values, columns=[f"c{i}" for i in range(5)])


def next_frame(frame: Any, fail: bool = False) -> Any:
    """A new DataFrame computed from the input (or a failure, to resume after)."""
    if fail:
        raise RuntimeError("failing on purpose (the benchmark resumes after this)")
    return frame * 1.0001 + 1


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


def inc(x: int) -> int:
    """x + 1, as a plain function (the direct Dask chain's task)."""
    return x + 1

"""(a) Engine overhead per task, and the cost of loading a large workflow.

Runs chains of 100, 1,000, 10,000 and 100,000 trivial tasks through wfe (sequential and with a
thread pool, no display plugin) and through direct calls of the same component
(instantiate + execute, in order, passing each result on). Prints the time per task
above the direct calls. Then loads + validates the 10,000-task file and compares with
`yaml.compose` on the same text using libyaml (as a user calls it, and with the cyclic
GC paused as wfe does, which is the floor for any loader that keeps node positions).

Targets: <= 5 us/task above direct calls at 10,000 tasks (sequential), and flat up to
100,000 tasks; load + validate <= 1.3x yaml.compose. The threaded executor on a chain
measures the hand-off to a worker thread and back per task (a chain has nothing to run
in parallel).
"""

from __future__ import annotations

import gc
import time

import yaml
from bench_support import Increment, bench_plugins, best_of, chain_yaml

import wfe


def direct(n: int) -> int:
    value = 0
    for i in range(n):
        inputs = {"x": value} if i else {}
        value = Increment(inputs, [f"o{i}"], {}).execute()[f"o{i}"]
    return value


def main() -> None:
    plugins = bench_plugins()
    print("engine overhead per task above direct calls (best of 20; of 3 at 100,000 tasks)")
    print(
        f"{'tasks':>7} {'direct':>10} {'wfe seq':>10} {'+us/task':>9} {'of which schedule':>18}"
        f" {'wfe 4 thr':>10} {'+us/task':>9}"
    )
    for n in (100, 1_000, 10_000, 100_000):
        repeats = 20 if n < 100_000 else 3
        workflow = wfe.loads(chain_yaml(n), plugins=plugins)
        assert workflow.run().results == {f"o{n - 1}": n} == {f"o{n - 1}": direct(n)}
        base = best_of(repeats, lambda n=n: direct(n))
        seq = best_of(repeats, workflow.run)
        setup = best_of(repeats, workflow.graph.schedule)  # the per-run set-up, part of seq
        threaded = best_of(max(1, repeats // 4), lambda w=workflow: w.run(workers=4))
        print(
            f"{n:>7} {base * 1e3:>8.2f}ms {seq * 1e3:>8.2f}ms {(seq - base) / n * 1e6:>9.2f}"
            f" {setup / n * 1e6:>16.2f}us {threaded * 1e3:>8.2f}ms"
            f" {(threaded - base) / n * 1e6:>9.2f}"
        )

    text = chain_yaml(10_000)
    print(f"\nloading + validating a 10,000-task file ({text.count(chr(10)):,} lines, best of 3)")
    compose = best_of(3, lambda: yaml.compose(text, Loader=yaml.CSafeLoader))

    def compose_gc_paused() -> None:
        gc.disable()
        try:
            yaml.compose(text, Loader=yaml.CSafeLoader)
        finally:
            gc.enable()

    floor = best_of(3, compose_gc_paused)
    load = best_of(3, lambda: wfe.loads(text, plugins=plugins))
    print(f"  yaml.compose (libyaml)            {compose:6.3f}s")
    print(f"  yaml.compose, GC paused           {floor:6.3f}s")
    print(
        f"  wfe.loads (parse + validate)      {load:6.3f}s  = {load / compose:.2f}x compose, {load / floor:.2f}x the GC-paused floor"
    )
    started = time.perf_counter()
    wfe.loads(text, plugins=plugins).run()
    print(f"  load + run, 10,000 tasks          {time.perf_counter() - started:6.3f}s")


if __name__ == "__main__":
    main()

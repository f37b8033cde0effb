"""(c) Peak memory of a chain of 8 tasks, each making a new ~400 MB buffer from its input.

Each step reads the previous buffer and returns a new one, so at least two buffers are
alive while a step runs. Without releasing intermediates, all 8 would be alive at the
end (8x). Each run is a fresh process (this script re-run with --child); peak RSS
(ru_maxrss) minus the RSS before the run is compared with the size of one buffer.
Target: <= 2.5x one buffer.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys

SIZE = 400 * 1024 * 1024
STEPS = 8


def chain_text() -> str:
    first = (
        "  - {name: t0, component_name: python_function, outputs: [b0],"
        f" params: {{function: 'bench_support:new_buffer', kwargs: {{size: {SIZE}}}}}}}\n"
    )
    rest = "".join(
        f"  - {{name: t{i}, component_name: python_function, outputs: [b{i}],"
        f" params: {{function: 'bench_support:transform'}}, inputs: {{data: b{i - 1}}}}}\n"
        for i in range(1, STEPS)
    )
    return "workflow_name: memory\ntasks:\n" + first + rest


def child(workers: int) -> None:
    """Run the chain once in this process; print RSS before and peak RSS, in bytes."""
    from bench_support import bench_plugins

    import wfe

    workflow = wfe.loads(chain_text(), plugins=bench_plugins())
    with open("/proc/self/statm") as statm:
        before = int(statm.read().split()[1]) * resource.getpagesize()
    result = workflow.run(workers=workers)
    assert result.ok, result.errors
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"before": before, "peak": peak}))


def main() -> None:
    print(f"chain of {STEPS} tasks, each making a new {SIZE / 2**20:.0f} MB buffer from its input")
    for workers in (1, 4):
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(workers)],
            capture_output=True,
            text=True,
            check=True,
        )
        m = json.loads(done.stdout)
        grown = m["peak"] - m["before"]
        print(
            f"  workers={workers}: peak RSS {m['peak'] / 2**20:7.0f} MB, grew {grown / 2**20:6.0f} MB"
            f" = {grown / SIZE:.2f}x one buffer (keeping every output would be {STEPS}x)"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        main()

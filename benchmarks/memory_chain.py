"""(c) Peak memory of a chain of 8 tasks, each making a new ~400 MB buffer from its input.

Each step reads the previous buffer and returns a new one, so at least two buffers are
alive while a step runs. Without releasing intermediates, all 8 would be alive at the
end (8x). Each run is a fresh process; peak RSS (ru_maxrss) minus the RSS before the
run is compared with the size of one buffer. Target: <= 2.5x one buffer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SIZE = 400 * 1024 * 1024
STEPS = 8

PROBE = """
import json, resource, sys
sys.path.insert(0, {here!r})
from bench_support import bench_plugins
import wfe

def rss_now():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()

text = "workflow_name: memory\\ntasks:\\n" + "  - {{name: t0, component_name: python_function, params: {{function: 'bench_support:new_buffer', kwargs: {{size: {size}}}}}, outputs: [b0]}}\\n" + "".join(
    f"  - {{{{name: t{{i}}, component_name: python_function, params: {{{{function: 'bench_support:transform'}}}}, inputs: {{{{data: b{{i - 1}}}}}}, outputs: [b{{i}}]}}}}\\n"
    for i in range(1, {steps})
)
workflow = wfe.loads(text, plugins=bench_plugins())
before = rss_now()
result = workflow.run(workers={workers})
assert result.ok, result.errors
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"before": before, "peak": peak}}))
"""


def measure(workers: int) -> dict[str, int]:
    probe = PROBE.format(here=str(Path(__file__).parent), size=SIZE, steps=STEPS, workers=workers)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    print(f"chain of {STEPS} tasks, each making a new {SIZE / 2**20:.0f} MB buffer from its input")
    for workers in (1, 4):
        m = measure(workers)
        grown = m["peak"] - m["before"]
        print(
            f"  workers={workers}: peak RSS {m['peak'] / 2**20:7.0f} MB, grew {grown / 2**20:6.0f} MB"
            f" = {grown / SIZE:.2f}x one buffer (keeping every output would be {STEPS}x)"
        )


if __name__ == "__main__":
    main()

"""The fixed cost of `wfe.load` on a 100-task workflow, above parsing its YAML.

Each measurement is a fresh process with the engine's modules imported (`wfe.workflow`)
and no plugin loaded yet: the first `wfe.loads` of a 100-task file (discovering and
loading the installed plugins included) against `yaml.compose` (libyaml) of the same
text, then the same again in the warm process. Importing wfe's own modules is not part
of it (that is start-up, measured by startup.py). Target: the first call at most 5 ms above parsing
(it was ~20 ms: importing importlib.metadata to read engine-core's version and
scanning every installed distribution's entry points; both are gone from the path now:
the version is a constant and the scan is cached until something is installed).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import yaml
import wfe.workflow
from bench_support import function_chain_yaml
text = function_chain_yaml(100)
started = time.perf_counter(); wfe.loads(text); first = time.perf_counter() - started
started = time.perf_counter(); yaml.compose(text, Loader=yaml.CSafeLoader); parse = time.perf_counter() - started
started = time.perf_counter(); wfe.loads(text); warm = time.perf_counter() - started
print(json.dumps([first, parse, warm]))
"""


def main(runs: int = 15) -> None:
    here = str(Path(__file__).resolve().parent)
    samples = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", PROBE, here],
                capture_output=True,
                text=True,
                check=True,
                cwd=here,
            ).stdout
        )
        for _ in range(runs)
    ]
    first, parse, warm = (statistics.median(column) * 1e3 for column in zip(*samples, strict=True))
    print(f"wfe.loads of a 100-task workflow, median of {runs} fresh processes")
    print(f"  yaml.compose (libyaml)       {parse:6.2f} ms")
    print(f"  wfe.loads, first call        {first:6.2f} ms  = +{first - parse:.2f} ms fixed cost")
    print(f"  wfe.loads, warm              {warm:6.2f} ms  = +{warm - parse:.2f} ms")


if __name__ == "__main__":
    main()

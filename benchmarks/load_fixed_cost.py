"""The fixed cost of `wfe.load` on a 100-task workflow, above parsing its YAML.

Each measurement is a fresh process with the engine's modules imported (`wfe.workflow`)
and no plugin loaded yet: the first `wfe.loads` of a 100-task file of python_function
tasks (discovering and loading the installed plugins, importing python_function and
reading its function's module source included) against `yaml.compose` (libyaml) of
the same text, then the same again in the warm process. Importing `wfe.workflow` is not
part of it (that is start-up, measured by startup.py). Target: both at most 5 ms above
parsing; the first call is the one that matters for `wfe run` and `wfe validate`.

One untimed process runs first, with Python allowed to write its bytecode cache
(``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment, as for an
installed wfe) and filling the entry-point cache (see wfe.discovery).
"""

from __future__ import annotations

import json
import os
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


TARGET_MS = 5.0


def probe(here: str, env: dict[str, str]) -> list[float]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, here],
        capture_output=True,
        text=True,
        check=True,
        cwd=here,
        env=env,
    )
    times: list[float] = json.loads(done.stdout)
    return times


def main(runs: int = 15) -> None:
    here = str(Path(__file__).resolve().parent)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    probe(here, env)  # bytecode and entry-point caches written
    samples = [probe(here, env) for _ in range(runs)]
    first, parse, warm = (statistics.median(column) * 1e3 for column in zip(*samples, strict=True))
    print(f"wfe.loads of a 100-task workflow, median of {runs} fresh processes")
    print(f"  yaml.compose (libyaml)       {parse:6.2f} ms")
    for label, value in (("first call", first), ("warm", warm)):
        verdict = "met" if value - parse <= TARGET_MS else "MISSED"
        print(
            f"  wfe.loads, {label:<12}      {value:6.2f} ms  = +{value - parse:.2f} ms fixed cost"
            f"  (target <= +{TARGET_MS:g} ms: {verdict})"
        )


if __name__ == "__main__":
    main()

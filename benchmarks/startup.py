"""(b) Start-up time of `wfe --help`, `wfe components list` and `wfe --version`.

Compared with `python -c "import typer, pluggy"` (the floor for a typer CLI that uses
pluggy) and `python -c pass`, measured in the same run: whole processes, median of 15,
the commands taking turns (so that a change in the machine's load falls on all of
them alike). Target: `wfe components list` <= 1.3x the floor.

Each command runs once untimed first, with Python allowed to write its bytecode cache
(``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment): an installed
wfe has its ``.pyc`` files, compiled by pip at install time, while an editable install
run with ``PYTHONDONTWRITEBYTECODE=1`` compiles every wfe module from source on every
start (15-20 ms more on this machine). The first run also fills the entry-point cache
(see wfe.discovery), as any earlier command would have.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time

RUNS = 15
TARGET = 1.3  # wfe components list, against the floor


def elapsed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True
    )
    return time.perf_counter() - started


def main() -> None:
    python = sys.executable
    # the console script of this interpreter's environment (else the first on PATH)
    wfe = shutil.which("wfe", path=os.path.dirname(python)) or shutil.which("wfe")
    if wfe is None:
        sys.exit("no `wfe` command: install engine-core in this environment first")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = {
        "python -c pass": [python, "-c", "pass"],
        'python -c "import typer, pluggy"': [python, "-c", "import typer, pluggy"],
        "wfe --help": [wfe, "--help"],
        "wfe components list": [wfe, "components", "list"],
        "wfe --version": [wfe, "--version"],
    }
    for command in commands.values():
        elapsed(command, env)  # bytecode and entry-point caches written
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(RUNS):
        for label, command in commands.items():
            times[label].append(elapsed(command, env))
    ms = {label: statistics.median(samples) * 1e3 for label, samples in times.items()}
    floor = ms['python -c "import typer, pluggy"']
    print(f"start-up, median of {RUNS} processes (taking turns)")
    for label, value in ms.items():
        print(f"  {label:<34} {value:7.1f} ms  {value / floor:5.2f}x the typer+pluggy import")
    ratio = ms["wfe components list"] / floor
    verdict = "met" if ratio <= TARGET else "MISSED"
    print(f"  target: wfe components list <= {TARGET}x the floor: {verdict} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()

"""(b) Start-up time of `wfe --help` and `wfe components list`.

Compared with `python -c "import typer, pluggy"` (the floor for a typer CLI that uses
pluggy) and `python -c pass`, measured in the same run: whole processes, median of 15.
Target: both commands <= 1.5x the bare import.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time

RUNS = 15


def median_ms(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def main() -> None:
    python = sys.executable
    wfe = shutil.which("wfe") or ""
    floor = median_ms([python, "-c", "import typer, pluggy"])
    rows = [
        ("python -c pass", median_ms([python, "-c", "pass"])),
        ('python -c "import typer, pluggy"', floor),
        ("wfe --help", median_ms([wfe, "--help"])),
        ("wfe components list", median_ms([wfe, "components", "list"])),
        ("wfe --version", median_ms([wfe, "--version"])),
    ]
    print(f"start-up, median of {RUNS} processes")
    for label, ms in rows:
        print(f"  {label:<34} {ms:7.1f} ms  {ms / floor:5.2f}x the typer+pluggy import")


if __name__ == "__main__":
    main()

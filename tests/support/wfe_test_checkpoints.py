"""Helpers for the checkpoint store's concurrency tests that run in other processes
(a spawned process imports them from here, by name)."""

from __future__ import annotations

import threading
from typing import Any

from wfe.checkpoints import CheckpointStore
from wfe.fingerprint import Fingerprint


def payload(number: int) -> dict[str, Any]:
    """Outputs big enough that concurrent writes overlap: a DataFrame when pandas is
    installed (an Arrow file), and a pickled list."""
    values = [float(i % 97) for i in range(200_000)]
    try:
        import pandas as pd
    except ImportError:
        frame: Any = values
    else:
        frame = pd.DataFrame({"x": values, "task": number})
    return {"frame": frame, "list": list(range(number, number + 1000))}


def save_many(root: str, fingerprints: list[Fingerprint], threads: int, rounds: int) -> list[str]:
    """Save every fingerprint ``rounds`` times from each of ``threads`` threads that start
    together; return every error (there should be none)."""
    store = CheckpointStore(root)
    start = threading.Barrier(threads)
    errors: list[str] = []

    def work() -> None:
        start.wait()
        for _ in range(rounds):
            for number, fingerprint in enumerate(fingerprints):
                try:
                    store.save(fingerprint.task, fingerprint, payload(number))
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors

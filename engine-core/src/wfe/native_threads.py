"""Keep tasks that run at once from oversubscribing the cores with native threads.

NumPy's BLAS, scikit-learn's OpenMP loops and friends each start one thread per core.
With N tasks running at once in one process that is N x cores threads, which spin and
wait for each other: on a loaded 2-core machine scikit-learn's training step in
``churn.yaml`` took 2.4-8.8 s with its default threads against 0.35 s with one. While
tasks run in parallel, :class:`NativeThreadLimit` caps every native pool at
``cores // N`` threads:

- for libraries loaded later, through the environment variables they read when they
  load (``OMP_NUM_THREADS`` and the like; a value the user set is left alone);
- for libraries already loaded, through threadpoolctl when it is installed (it comes
  with scikit-learn). It is imported only then, and applied in each thread that runs
  tasks (OpenMP's limit belongs to the calling thread), again only when new modules
  have been imported since that thread's last task (a length check).

The limits are process-wide, so they are lifted when the run ends.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from typing import Any

__all__ = ["NativeThreadLimit", "available_cores"]

_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the OS tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class NativeThreadLimit:
    """Cap native thread pools at ``threads`` each, from :meth:`start` to :meth:`stop`."""

    def __init__(self, threads: int) -> None:
        self.threads = max(1, threads)
        self._env_set: list[str] = []
        self._limiters: list[Any] = []
        self._seen = threading.local()  # per thread: len(sys.modules) when last applied
        self._lock = threading.Lock()
        self._have_threadpoolctl: bool | None = None

    @classmethod
    def for_parallel_tasks(cls, tasks: int) -> NativeThreadLimit | None:
        """The limit for ``tasks`` running at once; None when one task at a time can
        use every core anyway."""
        if tasks <= 1:
            return None
        return cls(available_cores() // tasks)

    def start(self) -> None:
        value = str(self.threads)
        for name in _ENV_VARS:
            if name not in os.environ:
                self._env_set.append(name)
                os.environ[name] = value
        self.apply()

    def apply(self) -> None:
        """Limit, for the calling thread, the pools of libraries loaded so far (cheap when
        nothing new was loaded since this thread last applied it)."""
        modules = len(sys.modules)
        if getattr(self._seen, "modules", -1) == modules:
            return
        self._seen.modules = modules
        if "numpy" not in sys.modules:  # no native pool worth a limit is loaded yet
            return
        with self._lock:
            if self._have_threadpoolctl is None:
                self._have_threadpoolctl = importlib.util.find_spec("threadpoolctl") is not None
            if not self._have_threadpoolctl:
                return
            from threadpoolctl import threadpool_limits

            self._limiters.append(threadpool_limits(limits=self.threads))

    def stop(self) -> None:
        with self._lock:
            for limiter in reversed(self._limiters):
                limiter.restore_original_limits()
            self._limiters.clear()
            for name in self._env_set:
                os.environ.pop(name, None)
            self._env_set.clear()

"""The ``dask`` executor: a workflow's tasks run on a Dask cluster, data stays there.

Each task is one Dask task (:func:`wfe_dask.remote.run_task`) whose arguments are the
futures of the outputs it reads, so Dask moves data worker to worker and orders the
tasks itself: the engine submits a task as soon as the tasks it reads are submitted
(``lookahead``). Only the outputs a run returns are gathered into this process. The
engine releases an output once its last reader has been submitted; dropping the
future then lets Dask free the data as soon as those readers have run.

This module imports nothing heavy (validation imports it to check the options);
Dask is imported when a run starts the executor.

Execution on a cluster is at least once: a task whose worker dies is rerun elsewhere
(at most ``allowed_failures`` times, then it fails), and so is a finished task whose
output was lost with its worker while a later task still needed it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from wfe.component import Param
from wfe.executor import Executor

if TYPE_CHECKING:
    from distributed import Future

    from wfe.report import TaskReport
    from wfe.run import Run
    from wfe.taskcall import TaskCall
    from wfe_dask.cluster import Cluster
    from wfe_dask.completions import Completions

__all__ = ["ADDRESS_VARIABLE", "DaskExecutor"]

#: the environment variable naming an existing scheduler (the ``address`` option wins)
ADDRESS_VARIABLE = "WFE_DASK_ADDRESS"


class DaskExecutor(Executor):
    """Tasks on a Dask cluster: a LocalCluster for the run, or an existing scheduler."""

    options_schema = {
        "address": Param(
            str,
            default=None,
            doc="an existing Dask scheduler, tcp://HOST:PORT (default: $WFE_DASK_ADDRESS; "
            "neither: a LocalCluster started for the run and closed after it)",
        ),
        "workers": Param(
            int, default=None, minimum=1, doc="LocalCluster worker processes (default: the cores)"
        ),
        "threads_per_worker": Param(
            int, default=None, minimum=1, doc="LocalCluster threads per worker (default: 1)"
        ),
        "memory_limit": Param(
            (str, int),
            default=None,
            doc="LocalCluster memory per worker, e.g. '4GB', 0 for no limit (default: 'auto', "
            "the machine's memory shared between the workers)",
        ),
        "allowed_failures": Param(
            int,
            default=None,
            minimum=0,
            doc="LocalCluster: how many times a task is rerun after its worker died before "
            "it fails (default: 1); 0 never reruns a task, for tasks with side effects",
        ),
        "dashboard": Param(
            bool,
            default=None,
            doc="LocalCluster: serve Dask's dashboard on a free port, shown at the start "
            "(needs bokeh; default: off)",
        ),
    }
    lookahead = True

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.address: str | None = self.options["address"] or os.environ.get(ADDRESS_VARIABLE)
        self._cluster: Cluster | None = None
        self._completions: Completions | None = None
        self._topic = ""
        self._key = ""
        #: the event topics this run's client subscribed to
        self._topics: list[str] = []
        #: the future holding each live output ({name: value} on a worker)
        self._outputs: dict[str, Future[Any]] = {}
        #: a success flag for each task that others run ``after``
        self._flags: dict[str, Future[Any]] = {}
        self._flagged: frozenset[str] = frozenset()

    def describe(self) -> str:
        return "dask" if self._cluster is None else self._cluster.describe()

    def start(self, run: Run) -> None:
        from wfe_dask.cluster import Cluster
        from wfe_dask.completions import Completions

        self._key = run.id
        self._topic = f"wfe-reports-{run.id}"
        self._flagged = frozenset(name for task in run.workflow.tasks for name in task.after)
        self._cluster = cluster = Cluster(self.options, self.address)
        self._completions = completions = Completions(run.id)
        # Subscribed before the first task is submitted, on the same ordered stream.
        for topic, handler in [
            (self._topic, completions.on_report),
            ("all", completions.on_cluster_event),
        ]:
            cluster.client.subscribe_topic(topic, handler)
            self._topics.append(topic)

    def submit(self, call: TaskCall) -> None:
        from wfe_dask.remote import pick, run_task, succeeded

        assert self._cluster is not None, "start() first"
        assert self._completions is not None
        client = self._cluster.client
        task = call.task
        name = task.name
        if call.load:  # its outputs come from its checkpoint: it reads nothing
            upstream: dict[str, Future[Any]] = {}
            after: list[Future[Any]] = []
        else:
            outputs = self._outputs
            upstream = {ref: outputs[ref] for ref in task.inputs.values()}
            after = [self._flags[n] for n in task.after if n in self._flags]
        try:
            packed = pickle.dumps(call, protocol=5)
        except Exception as exc:
            self._completions.fail_now(call, exc, f"it cannot be sent to the cluster: {exc}")
            return
        key = (name, self._key)
        future = client.submit(run_task, packed, self._topic, upstream, after, key=key)
        self._completions.watch(call, future)
        if len(task.outputs) == 1:
            self._outputs[task.outputs[0]] = future
        else:  # each output its own future, so each is freed after its own readers
            for output in task.outputs:
                pick_key = (*key, "output", output)
                self._outputs[output] = client.submit(pick, future, output, key=pick_key)
        if name in self._flagged:
            self._flags[name] = client.submit(succeeded, future, key=(*key, "succeeded"))

    def wait(self, timeout: float | None) -> list[TaskReport]:
        assert self._cluster is not None, "start() first"
        assert self._completions is not None
        reports = self._completions.wait(timeout)
        # Losing the scheduler cancels every future: those reports are not the tasks'.
        self._cluster.check_connected()
        return reports

    def release(self, output: str) -> None:
        self._outputs.pop(output, None)

    def gather(self, outputs: Iterable[str]) -> dict[str, Any]:
        assert self._cluster is not None, "start() first"
        found = {
            name: future
            for name in outputs
            # "lost": its worker died since; Dask recomputes it (at least once)
            if (future := self._outputs.get(name)) is not None
            and future.status in ("finished", "lost")
        }
        try:
            holders = self._cluster.client.gather(list(found.values()))
        except OSError as exc:  # Dask's comm errors are OSErrors
            raise self._cluster.lost(exc) from exc
        return {
            name: holder[name]
            for name, holder in zip(found, holders, strict=True)
            if holder is not None
        }

    def cancel(self) -> None:
        """Cancel the tasks no worker has started (or been handed): running tasks
        finish, and a task whose upstream is cancelled is cancelled with it."""
        if self._cluster is None or self._completions is None:
            return
        client = self._cluster.client
        busy = {key for keys in client.processing().values() for key in keys}
        waiting = [f for f in self._completions.pending().values() if f.key not in busy]
        if waiting:
            client.cancel(waiting)

    def close(self) -> None:
        cluster, self._cluster = self._cluster, None
        self._outputs.clear()
        self._flags.clear()
        if cluster is None:
            return
        try:
            while self._topics:  # before closing: nothing is sent to a closed client
                cluster.client.unsubscribe_topic(self._topics.pop())
        finally:
            cluster.close()

"""How long a failed run takes to report: a chain whose first task fails, so every
other task is "not run" and names the failure it waited on.

Target: <= 0.1 s at 10,000 tasks, linear beyond. The previous engine walked the chain
again for every not-run task: 0.35 s at 2,500 tasks, 1.47 s at 5,000, 6.1 s at 10,000.
"""

from __future__ import annotations

import time

from bench_support import function_chain_yaml

import wfe


def main() -> None:
    print("a chain whose first task fails: run (fails at once) + report, best of 3")
    for tasks in (2_500, 10_000, 100_000):
        workflow = wfe.loads(function_chain_yaml(tasks, first="fail"))
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            result = workflow.run()
            best = min(best, time.perf_counter() - started)
        assert result.failed == ["t0"]
        assert len(result.not_run) == tasks - 1
        assert result.tasks[f"t{tasks - 1}"].skipped_because == ("t0",)
        print(f"  {tasks:>7,} tasks: {best:6.3f} s ({best / tasks * 1e6:.1f} us per task)")


if __name__ == "__main__":
    main()

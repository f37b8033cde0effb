"""Task options: retries with backoff, retry_on, timeout (wfe.attempts), keep-going."""

from __future__ import annotations

import time
import uuid

import pytest

import wfe
from wfe.attempts import MAX_WAIT_SECONDS, backoff
from wfe.spec import MAX_RETRIES


def one_task(options: str, function: str = "flaky", kwargs: str = "") -> str:
    key = uuid.uuid4().hex
    return (
        "workflow_name: attempts\ntasks:\n  - name: t\n    component_name: python_function\n"
        f"    params: {{function: 'wfe_test_functions:{function}', kwargs: {{key: {key}{kwargs}}}}}\n"
        f"    outputs: [calls]\n{options}"
    )


def test_retries_until_success_and_counts_attempts() -> None:
    started = time.perf_counter()
    result = wfe.loads(
        one_task("    retries: 3\n    retry_delay: 0.01\n", kwargs=", failures: 2")
    ).run()
    assert result.ok, result.errors
    assert result.results == {"calls": 3}
    assert result.tasks["t"].attempts == 3
    assert time.perf_counter() - started < 5


def test_retries_give_up_and_report_the_attempts() -> None:
    result = wfe.loads(
        one_task("    retries: 1\n    retry_delay: 0\n", kwargs=", failures: 5")
    ).run()
    [error] = result.errors
    assert "ConnectionError: attempt 2 failed" in str(error)
    assert result.tasks["t"].attempts == 2


def test_retry_on_limits_which_errors_are_retried() -> None:
    retried = wfe.loads(
        one_task(
            "    retries: 2\n    retry_delay: 0\n    retry_on: [OSError]\n", kwargs=", failures: 1"
        )
    ).run()
    assert retried.ok  # ConnectionError is an OSError
    not_retried = wfe.loads(
        one_task(
            "    retries: 2\n    retry_delay: 0\n    retry_on: [TimeoutError]\n",
            kwargs=", failures: 1, error: ValueError",
        )
    ).run()
    assert not_retried.tasks["t"].attempts == 1
    assert "ValueError: attempt 1 failed" in str(not_retried.errors[0])


def test_backoff_doubles_with_jitter() -> None:
    started = time.perf_counter()
    wfe.loads(
        one_task("    retries: 2\n    retry_delay: 0.1\n", kwargs=", failures: 2")
    ).run().raise_for_status()
    waited = time.perf_counter() - started  # 0.1 + 0.2, each x 0.5..1.5
    assert 0.15 <= waited < 2


def test_timeout_fails_the_task_at_the_deadline_and_stops_scheduling() -> None:
    text = (
        "workflow_name: slow\ntasks:\n"
        "  - name: slow\n    component_name: python_function\n    timeout: 0.2\n"
        "    params: {function: 'wfe_test_functions:sleep_then', kwargs: {seconds: 10, value: 1}}\n"
        "    outputs: [a]\n"
        "  - {name: other, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [b, c]}\n"
    )
    started = time.perf_counter()
    result = wfe.loads(text).run(keep_going=True)
    assert time.perf_counter() - started < 8  # it did not wait for the 10 s task
    [error] = result.errors
    assert isinstance(error.__cause__, wfe.TaskTimeoutError)
    assert "did not finish within its timeout of 0.2 s" in str(error)
    assert result.not_run == ["other"]  # a timeout stops scheduling, even with keep_going


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("retries: -1", "retries must be at least 0, got -1"),
        ("timeout: 0", "timeout must be at least 0.001, got 0"),
        ("retry_delay: soon", "retry_delay must be a number, got the string 'soon'"),
        ("retry_delay: .inf", "retry_delay must be a finite number, got .inf"),
        ("retry_delay: .nan", "retry_delay must be a finite number, got .nan"),
        ("timeout: .nan", "timeout must be a finite number, got .nan"),
        ("timeout: -.inf", "timeout must be a finite number, got -.inf"),
        ("retries: 1100", f"retries must be at most {MAX_RETRIES}, got 1100"),
        ("retry_delay: 86401", "retry_delay must be at most 86400, got 86401"),
        ("timeout: 1000000.5", "timeout must be at most 604800, got 1000000.5"),
    ],
)
def test_options_are_checked_at_validate_time(option: str, message: str) -> None:
    with pytest.raises(wfe.DefinitionError, match=message):
        wfe.loads(one_task(f"    {option}\n"))


KEEP_GOING = """\
workflow_name: keep_going
tasks:
  - {name: bad, component_name: python_function, params: {function: 'wfe_test_functions:fail'}, outputs: [x]}
  - {name: after_bad, component_name: python_function, params: {function: 'wfe_test_functions:inc'}, inputs: {x: x}, outputs: [y]}
  - {name: later, component_name: python_function, params: {function: 'wfe_test_functions:inc'}, inputs: {x: y}, outputs: [z]}
  - {name: independent, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [p, q]}
  - {name: uses_independent, component_name: python_function, params: {function: 'wfe_test_functions:add'}, inputs: {a: p, b: q}, outputs: [s]}
"""


@pytest.mark.parametrize("workers", [1, 3])
def test_keep_going_runs_what_does_not_depend_on_the_failure(workers: int) -> None:
    result = wfe.loads(KEEP_GOING).run(workers=workers, keep_going=True)
    assert result.failed == ["bad"]
    assert sorted(result.succeeded) == ["independent", "uses_independent"]
    assert result.results["s"] == 3
    assert sorted(result.not_run) == ["after_bad", "later"]
    assert result.tasks["later"].skipped_because == ("bad",)
    fail_fast = wfe.loads(KEEP_GOING).run(workers=1)
    assert fail_fast.succeeded == []


def test_keep_going_in_the_cli_reports_why_tasks_were_skipped(run_wfe, write_workflow) -> None:  # type: ignore[no-untyped-def]
    done = run_wfe("run", str(write_workflow(KEEP_GOING)), "--keep-going")
    assert done.returncode == 1
    [summary] = [line for line in done.stdout.splitlines() if line.startswith("wfe: 'keep_going'")]
    assert (
        "2 succeeded, 1 failed (bad), 2 not run (after_bad [after bad failed], later [after bad failed])"
        in summary
    )


def test_backoff_doubles_and_never_exceeds_the_cap_or_overflows() -> None:
    assert 0.5 <= backoff(1.0, 1) <= 1.5
    assert 2.0 <= backoff(1.0, 3) <= 6.0
    assert backoff(MAX_WAIT_SECONDS, 1100) == MAX_WAIT_SECONDS  # 2**1099 would overflow a float
    assert backoff(0.0, 10_000) == 0.0

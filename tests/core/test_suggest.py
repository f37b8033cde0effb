"""'Did you mean' hints, bounded in cost: wfe.suggest."""

from __future__ import annotations

from wfe.suggest import did_you_mean, suggestion_budget


def test_close_candidates_are_suggested_quoted() -> None:
    assert did_you_mean("retires", ["retries", "timeout"]) == "did you mean 'retries'?"
    assert did_you_mean("zzz", ["retries"]) == ""


def test_a_word_longer_than_any_name_gets_no_hint() -> None:
    assert did_you_mean("retries" * 1000, ["retries"]) == ""


def test_too_many_candidates_get_no_hint_without_being_copied() -> None:
    assert did_you_mean("a1", {f"a{i}": i for i in range(10_000)}) == ""


def test_a_budget_bounds_the_work_of_all_hints_in_a_block() -> None:
    candidates = [f"name_{i}" for i in range(100)]
    with suggestion_budget(250):
        found = [did_you_mean("name_1x", candidates) for _ in range(5)]
    assert [bool(hint) for hint in found] == [True, True, False, False, False]
    assert did_you_mean("name_1x", candidates)  # outside the block: no limit

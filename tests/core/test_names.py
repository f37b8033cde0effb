"""The rules for names: wfe.names."""

from __future__ import annotations

import pytest

from wfe.names import (
    MAX_NAME_LENGTH,
    identifier_problem,
    label_problem,
    length_problem,
    variable_problem,
)


@pytest.mark.parametrize("name", ["t", "_x", "load.csv", "step-2", "a" * MAX_NAME_LENGTH])
def test_identifiers(name: str) -> None:
    assert identifier_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../x", "is not an identifier"),
        ("/tmp/x", "is not an identifier"),
        ("a\\b", "is not an identifier"),
        (".hidden", "is not an identifier"),
        ("s3://x", "is not an identifier"),
        ("", "is not an identifier"),
        ("a..b", "contains '..'"),
        ("a" * (MAX_NAME_LENGTH + 1), f"is longer than {MAX_NAME_LENGTH} characters"),
    ],
)
def test_not_identifiers(name: str, why: str) -> None:
    assert identifier_problem(name) == why


def test_variable_names_and_lengths() -> None:
    assert variable_problem("data_root") is None
    assert variable_problem("data-root") == "is not a variable name"
    assert variable_problem("x" * 129) == f"is longer than {MAX_NAME_LENGTH} characters"
    assert length_problem("any thing at all") is None


def test_labels_are_printable_and_bounded() -> None:
    assert label_problem("Customer churn (v2) — nightly") is None
    assert label_problem("red\x1b[31m") == "contains control or other unprintable characters"
    assert label_problem("x" * 129) == f"is longer than {MAX_NAME_LENGTH} characters"

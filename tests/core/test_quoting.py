"""User text in messages, always short and printable: wfe.quoting."""

from __future__ import annotations

import pytest

from wfe.quoting import MAX_QUOTED, brief, describe_value, quote


def test_short_text_is_quoted_as_is() -> None:
    assert quote("csv_loader") == "'csv_loader'"
    assert quote("3.5", marks=False) == "3.5"


def test_long_text_is_cut_in_the_middle_with_its_length() -> None:
    text = "a" * 25_000_000 + "b" * 25_000_000
    shown = quote(text)
    assert shown.startswith("'aaaa")
    assert shown.endswith("bbbb' (50,000,000 characters)")
    assert "…" in shown
    assert len(shown) < MAX_QUOTED + 40


def test_unprintable_characters_are_escaped() -> None:
    assert quote("a\nb\x00c\udcff") == "'a\\nb\\x00c\\udcff'"


@pytest.mark.parametrize(
    ("value", "described"),
    [
        (True, "the boolean true"),
        ("x", "the string 'x'"),
        ("", "an empty string"),
        (None, "nothing (null)"),
        ([1], "a list"),
        ({"a": 1}, "a mapping"),
        (3, "the int 3"),
        (float("nan"), "the float nan"),
        pytest.param(10**5000, "the int (an int of 16,610 bits)", id="huge-int"),
    ],
)
def test_describe_value(value: object, described: str) -> None:
    assert describe_value(value) == described


def test_brief_never_prints_a_huge_int() -> None:
    # str() of an int over 4,300 digits raises ValueError in Python 3.11+
    assert brief(2**100_000) == "(an int of 100,001 bits)"


def test_a_long_url_is_masked_before_it_is_cut() -> None:
    # Cut first, the password's start would be shown without the '@' that marks it.
    url = "postgresql://user:" + "s3cr3t" * 20 + "@db.example.com/prod?" + "x=1&" * 30
    shown = quote(url)
    assert "s3cr" not in shown
    assert shown.startswith("'postgresql://user:***@db.exa")

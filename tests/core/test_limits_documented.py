"""The docs' "Limits" section (docs/workflows.md) states every limit the code enforces,
with its value."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfe import (
    attempts,
    errors,
    names,
    pysource,
    quoting,
    sourcetext,
    spec,
    suggest,
    variables,
    yamlsource,
)

README = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"

# (the row of the table, a value that row must state)
LIMITS = [
    ("workflow file", sourcetext.MAX_FILE_BYTES),
    ("nesting", yamlsource.MAX_DEPTH),
    ("numbers", yamlsource.MAX_NUMBER_CHARS),
    ("task and output names", names.MAX_NAME_LENGTH),
    ("variable names", names.MAX_NAME_LENGTH),
    ("component names", names.MAX_NAME_LENGTH),
    ("YAML aliases", yamlsource.ALIAS_ALLOWANCE),
    ("variable expansion", variables.EXPANSION_ALLOWANCE),
    ("variable expansion", variables.LOOKUP_ALLOWANCE),
    ("task options", spec.MAX_RETRIES),
    ("task options", attempts.MAX_WAIT_SECONDS),
    ("task options", spec.MAX_TIMEOUT_SECONDS),
    ("problems listed", errors.MAX_PROBLEMS),
    ('"did you mean" hints', suggest.LOAD_BUDGET),
    ("messages", quoting.MAX_QUOTED),
    ("`python_function` source checks", pysource.MAX_SOURCE_BYTES // 2**20),
]


def limits_table() -> dict[str, str]:
    section = README.read_text(encoding="utf-8").split("## Limits", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ", 1) for line in section.splitlines() if line.startswith("| ")]
    return {what.strip("| "): text for what, text in rows}


@pytest.mark.parametrize(("what", "value"), LIMITS, ids=[f"{w} {v:g}" for w, v in LIMITS])
def test_each_limit_is_documented_with_its_value(what: str, value: float) -> None:
    row = next(text for name, text in limits_table().items() if name.startswith(what))
    assert f"{int(value):,}" in row

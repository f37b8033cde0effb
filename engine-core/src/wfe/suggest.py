"""'Did you mean ...?' hints for names a user mistyped."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar

from wfe.quoting import quote

__all__ = ["LOAD_BUDGET", "did_you_mean", "suggestion_budget"]

# difflib is quadratic in the worst case; past this many candidates a hint is not
# worth the time (the message still names the bad value).
_MAX_CANDIDATES = 5_000
# No name is this long (names are at most 128 characters): a longer word is not a
# typo of one, and difflib's index of it would cost time and memory in its length.
_MAX_WORD = 200

# Comparisons left for the hints of one load (None: no limit). Each hint compares the
# word with every candidate: ~1.5 us for an unlike name, up to ~40 us for a like one
# (difflib's full ratio). A file with thousands of bad references and thousands of
# similar outputs spent 80 s on hints before this budget.
#: Comparisons the hints of one workflow load may spend: 0.15-4 s in all, and a
#: hint for each of a thousand mistakes among a hundred names.
LOAD_BUDGET = 100_000
_budget: ContextVar[list[int] | None] = ContextVar("wfe_suggestion_budget", default=None)


@contextmanager
def suggestion_budget(comparisons: int) -> Iterator[None]:
    """Within this block, hints stop (return ``""``) once ``comparisons`` word-to-candidate
    comparisons have been spent, so the cost of hints is bounded however many
    problems a document has."""
    token = _budget.set([comparisons])
    try:
        yield
    finally:
        _budget.reset(token)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest candidate, or ``""`` when none is close."""
    if len(word) > _MAX_WORD:
        return ""
    if isinstance(candidates, Sized) and len(candidates) > _MAX_CANDIDATES:
        return ""  # before copying them: a workflow may hint once per bad reference
    pool = list(candidates)
    if not pool or len(pool) > _MAX_CANDIDATES:
        return ""
    left = _budget.get()
    if left is not None:
        if left[0] < len(pool):
            return ""
        left[0] -= len(pool)
    matches = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if not matches:
        return ""
    return "did you mean " + " or ".join(quote(m) for m in matches) + "?"

"""'Did you mean ...?' hints for names a user mistyped."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]

# difflib is quadratic in the worst case; past this many candidates a hint is not
# worth the time (the message still names the bad value).
_MAX_CANDIDATES = 5_000


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest candidate, or ``""`` when none is close."""
    pool = list(candidates)
    if not pool or len(pool) > _MAX_CANDIDATES:
        return ""
    matches = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if not matches:
        return ""
    if len(matches) == 1:
        return f"did you mean '{matches[0]}'?"
    return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"

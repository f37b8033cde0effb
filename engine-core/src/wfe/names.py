"""What a name in a workflow may be: tasks, outputs, variables, components.

Task names become folder names (checkpoints go to ``DIR/<task>/``, run records list
tasks by name), so a task named ``../../x`` or ``/tmp/x`` must never get that far.
Output names are what inputs refer to, and an input with a URI scheme is a literal
location: an output named ``s3://x`` could never be read. Both are therefore
*identifiers*: a letter or ``_``, then letters, digits, ``_``, ``.`` and ``-``, never
``..``, at most :data:`MAX_NAME_LENGTH` characters. That rules out ``/``, ``\\``,
``:``, spaces, a leading ``.`` and empty names.

Variable names are what ``${name}`` can refer to and what an environment variable can
be called: letters, digits and ``_``, not starting with a digit. Other names
(components, the workflow's own) are *labels*: printable text (they are printed on
terminals, where control characters could rewrite what is shown), bounded in length.
"""

from __future__ import annotations

import re

__all__ = [
    "IDENTIFIER_RULE",
    "MAX_NAME_LENGTH",
    "VARIABLE_PATTERN",
    "VARIABLE_RULE",
    "identifier_problem",
    "label_problem",
    "length_problem",
    "variable_problem",
]

#: The longest name of anything (task, output, variable, component, workflow).
MAX_NAME_LENGTH = 128
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
#: A variable name, as a pattern to embed in other patterns.
VARIABLE_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"
_VARIABLE = re.compile(VARIABLE_PATTERN)

#: The rule for task and output names, as the hint of a problem states it.
IDENTIFIER_RULE = (
    "use a letter or '_' followed by letters, digits, '_', '.' or '-' (no '/', '\\', ':', "
    f"spaces or '..'), at most {MAX_NAME_LENGTH} characters: task names become folder "
    "names, and an input naming something with a scheme (s3://...) is a literal location"
)
#: The rule for variable names, as the hint of a problem states it.
VARIABLE_RULE = (
    f"use a letter or '_' followed by letters, digits or '_', at most {MAX_NAME_LENGTH} characters"
)


def length_problem(name: str) -> str | None:
    """Why ``name`` is too long to be any name, or ``None``."""
    if len(name) > MAX_NAME_LENGTH:
        return f"is longer than {MAX_NAME_LENGTH} characters"
    return None


def label_problem(name: str) -> str | None:
    """Why ``name`` cannot name a component or a workflow, or ``None``."""
    too_long = length_problem(name)
    if too_long:
        return too_long
    if not name.isprintable():
        return "contains control or other unprintable characters"
    return None


def identifier_problem(name: str) -> str | None:
    """Why ``name`` cannot name a task or an output, or ``None``."""
    too_long = length_problem(name)
    if too_long:
        return too_long
    if _IDENTIFIER.fullmatch(name) is None:
        return "is not an identifier"
    if ".." in name:
        return "contains '..'"
    return None


def variable_problem(name: str) -> str | None:
    """Why ``name`` cannot name a variable, or ``None``."""
    too_long = length_problem(name)
    if too_long:
        return too_long
    if _VARIABLE.fullmatch(name) is None:
        return "is not a variable name"
    return None

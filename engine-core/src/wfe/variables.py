"""``${name}`` and ``${name:-default}`` references in workflow strings.

A reference is resolved from, in order: ``--var name=value`` on the command line, the
environment variable ``name``, the workflow's ``vars:`` default, the inline default.
Nothing is ever evaluated: a reference is a name lookup and nothing more.

A string that is exactly one reference takes the referenced value's type, so
``n_estimators: ${trees}`` with ``vars: {trees: 100}`` is the integer 100, and
``--var trees=200`` is the integer 200 (command-line and environment values are read
as YAML scalars). A reference inside a longer string is substituted as text.
``$${`` writes a literal ``${``.

Resolution is bounded and iterative. ``vars:`` defaults that refer to other variables
are resolved once each, in dependency order with an explicit stack (a chain of
thousands of variables is as easy as two; a cycle is reported with its path), and
every substitution spends from a budget proportional to the text's size: a few
hundred bytes of variables that refer to variables ten times per level would
otherwise expand to gigabytes. Past the budget the document is refused, at the node
being expanded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode

from wfe.names import VARIABLE_PATTERN, length_problem
from wfe.quoting import quote
from wfe.suggest import did_you_mean
from wfe.yamlsource import ExpansionLimitError, ScalarError, construct_scalar

__all__ = ["EXPANSION_ALLOWANCE", "LOOKUP_ALLOWANCE", "Variables", "typed_scalar"]

_REFERENCE = re.compile(r"\$(\$?)\{([^}]*)\}")
_BODY = re.compile(rf"({VARIABLE_PATTERN})(?::-(.*))?", re.DOTALL)
_resolver = yaml.resolver.Resolver()

#: Characters that substitution may produce beyond ``2 * len(text)``: the total
#: length of every string built from references, over the whole document.
EXPANSION_ALLOWANCE = 1_000_000
#: Variable lookups allowed beyond ``2 * len(text)``, over the whole document.
LOOKUP_ALLOWANCE = 100_000
#: A cycle's path in a message shows this many names at each end.
_CYCLE_ENDS = 5

Report = Callable[[Node, str, str, str], None]


def typed_scalar(text: str) -> Any:
    """``text`` as YAML would read an unquoted scalar: ``"3"`` -> 3, ``"true"`` -> True.

    Only scalars: ``"[1, 2]"`` stays a string, and so does anything YAML cannot build.
    """
    tag: str = _resolver.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag.endswith((":str", ":timestamp")):
        return text
    try:
        return construct_scalar(tag, text)
    except ScalarError:
        return text


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class Variables:
    """Resolves references against overrides, the environment and ``vars:`` defaults.

    ``defaults`` maps each ``vars:`` name to its value and node; string defaults may
    themselves reference other variables (a cycle is reported, not followed forever).
    ``text_size`` (the document's length) sets the expansion budget.
    """

    def __init__(
        self,
        defaults: Mapping[str, tuple[Any, Node]],
        overrides: Mapping[str, Any],
        environ: Mapping[str, str],
        report: Report,
        text_size: int = 0,
    ) -> None:
        self._defaults = defaults
        self._overrides = overrides
        self._environ = environ
        self._report = report
        self._chars_left = 2 * text_size + EXPANSION_ALLOWANCE
        self._lookups_left = 2 * text_size + LOOKUP_ALLOWANCE
        #: the value of each default that needed resolving, once resolved
        self._values: dict[str, Any] = {}
        #: defaults being resolved: name -> position in ``self._stack``
        self._resolving: dict[str, int] = {}
        self._stack: list[str] = []
        self._cycles_reported: set[str] = set()
        #: every name that was resolved, with its value (run records show these)
        self.resolved: dict[str, Any] = {}
        #: every name referenced anywhere, resolved or not
        self.referenced: set[str] = set()

    def interpolate(self, text: str, node: Node) -> Any:
        """Resolve every reference in ``text`` (a string scalar found at ``node``)."""
        whole = _REFERENCE.fullmatch(text)
        if whole and not whole.group(1):
            return self._lookup(whole.group(2), node, text)
        pieces: list[str] = []
        last = 0
        for match in _REFERENCE.finditer(text):
            self._produce(text[last : match.start()], pieces, node)
            last = match.end()
            if match.group(1):  # "$${...}" is an escaped literal "${...}"
                self._produce(match.group(0)[1:], pieces, node)
            else:
                value = self._lookup(match.group(2), node, match.group(0))
                self._produce(_as_text(value), pieces, node)
        self._produce(text[last:], pieces, node)
        if "${" in _REFERENCE.sub("", text):
            self._report(
                node,
                "bad-variable",
                f"unclosed variable reference in {quote(text)}",
                "write ${name} or ${name:-default}; write $${ for a literal '${'",
            )
        return "".join(pieces)

    def _produce(self, piece: str, pieces: list[str], node: Node) -> None:
        self._chars_left -= len(piece)
        if self._chars_left < 0:
            raise ExpansionLimitError(
                node,
                "expansion-limit",
                "variables expand to far more text than the file holds "
                "(variables that refer to other variables many times over)",
                "refer to fewer variables from each variable, or write the value out",
            )
        pieces.append(piece)

    def _name(self, body: str) -> tuple[str, str | None] | None:
        """``(name, inline default or None)`` of a reference's body, if it is one."""
        match = _BODY.fullmatch(body.strip())
        if match is None or length_problem(match.group(1)):
            return None
        return match.group(1), match.group(2)

    def _lookup(self, body: str, node: Node, written: str) -> Any:
        self._lookups_left -= 1
        if self._lookups_left < 0:
            raise ExpansionLimitError(
                node,
                "expansion-limit",
                "variables are looked up far more often than the file has references "
                "(aliases that repeat references many times over)",
                "use fewer nested aliases (*name) around values with ${...} references",
            )
        parsed = self._name(body)
        if parsed is None:
            self._report(
                node,
                "bad-variable",
                f"{quote(written)} is not a variable reference",
                "write ${name} or ${name:-default} with a name of letters, digits and '_' "
                "(at most 128 characters); write $${ for a literal '${'",
            )
            return written
        name, inline_default = parsed
        self.referenced.add(name)
        if name in self._overrides:
            given = self._overrides[name]  # text from the command line, or a Python value
            value: Any = typed_scalar(given) if isinstance(given, str) else given
        elif name in self._environ:
            value = typed_scalar(self._environ[name])
        elif name in self._defaults:
            value = self._default(name)
        elif inline_default is not None:
            value = typed_scalar(inline_default)
        else:
            known = set(self._defaults) | set(self._overrides)
            hint = did_you_mean(name, known)
            self._report(
                node,
                "unresolved-variable",
                f"variable {quote(name)} has no value",
                (f"{hint} Otherwise " if hint else "")
                + f"define it under 'vars:', pass --var {name}=VALUE, set the environment "
                f"variable {name}, or write ${{{name}:-DEFAULT}}",
            )
            return written
        self.resolved[name] = value
        return value

    def _derived(self, name: str) -> bool:
        """True when ``name``'s value is its ``vars:`` default and that default is text
        with references in it (which must be resolved first)."""
        if name in self._overrides or name in self._environ or name not in self._defaults:
            return False
        value = self._defaults[name][0]
        return isinstance(value, str) and "$" in value

    def _default(self, name: str) -> Any:
        if not self._derived(name):
            return self._defaults[name][0]
        if name in self._values:
            return self._values[name]
        if name in self._resolving:  # part of a cycle (reported): the text as written
            return self._defaults[name][0]
        self._resolve(name)
        return self._values[name]

    def _depends_on(self, name: str) -> list[str]:
        """The derived variables that ``name``'s default refers to."""
        found: list[str] = []
        for match in _REFERENCE.finditer(self._defaults[name][0]):
            parsed = None if match.group(1) else self._name(match.group(2))
            if parsed is not None and self._derived(parsed[0]):
                found.append(parsed[0])
        return found

    def _resolve(self, first: str) -> None:
        """Resolve ``first`` and every derived default it needs, depth first with an
        explicit stack: each is interpolated only once all it refers to is resolved
        (or is on the stack: a cycle), so interpolating never recurses."""
        pending: list[list[str]] = []

        def push(name: str) -> None:
            self._resolving[name] = len(self._stack)
            self._stack.append(name)
            pending.append(self._depends_on(name))

        push(first)
        while pending:
            needs = pending[-1]
            if needs:
                dep = needs.pop()
                if dep in self._resolving:
                    self._report_cycle(dep)
                elif dep not in self._values:
                    push(dep)
                continue
            pending.pop()
            name = self._stack[-1]
            value, node = self._defaults[name]
            # Still marked as resolving while its text is interpolated: a reference to
            # itself (``b: ${b:-x}``) then reads the text as written instead of starting
            # over (the cycle was reported when its dependencies were walked).
            self._values[name] = self.interpolate(value, node)
            self._stack.pop()
            del self._resolving[name]

    def _report_cycle(self, name: str) -> None:
        if name in self._cycles_reported:
            return
        self._cycles_reported.add(name)
        start = self._resolving[name]
        path = self._stack[start:]
        if len(path) > 2 * _CYCLE_ENDS:
            hidden = len(path) - 2 * _CYCLE_ENDS
            path = [*path[:_CYCLE_ENDS], f"... ({hidden:,} more)", *path[-_CYCLE_ENDS:]]
        self._report(
            self._defaults[name][1],
            "variable-cycle",
            f"variables refer to each other in a cycle: {' -> '.join([*path, name])}",
            "give one of them a plain value",
        )

    def unused_overrides(self) -> list[tuple[str, str]]:
        """``--var`` names the workflow never uses, each with a did-you-mean hint."""
        known = set(self._defaults) | self.referenced
        return [(name, did_you_mean(name, known)) for name in self._overrides if name not in known]

"""``${name}`` and ``${name:-default}`` references in workflow strings.

A reference is resolved from, in order: ``--var name=value`` on the command line, the
environment variable ``name``, the workflow's ``vars:`` default, the inline default.
Nothing is ever evaluated: a reference is a name lookup and nothing more.

A string that is exactly one reference takes the referenced value's type, so
``n_estimators: ${trees}`` with ``vars: {trees: 100}`` is the integer 100, and
``--var trees=200`` is the integer 200 (command-line and environment values are read
as YAML scalars). A reference inside a longer string is substituted as text.
``$${`` writes a literal ``${``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml
from yaml.nodes import Node, ScalarNode

from wfe.suggest import did_you_mean

__all__ = ["Variables", "typed_scalar"]

_REFERENCE = re.compile(r"\$(\$?)\{([^}]*)\}")
_BODY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)
_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()

Report = Callable[[Node, str, str, str], None]


def typed_scalar(text: str) -> Any:
    """``text`` as YAML would read an unquoted scalar: ``"3"`` -> 3, ``"true"`` -> True.

    Only scalars: ``"[1, 2]"`` stays a string.
    """
    tag: str = _resolver.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag.endswith((":str", ":timestamp")):
        return text
    try:
        return _constructor.yaml_constructors[tag](_constructor, ScalarNode(tag, text))
    except (ValueError, KeyError, yaml.YAMLError):
        return text


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class Variables:
    """Resolves references against overrides, the environment and ``vars:`` defaults.

    ``defaults`` maps each ``vars:`` name to its value and node; string defaults may
    themselves reference other variables (a cycle is reported, not followed forever).
    """

    def __init__(
        self,
        defaults: Mapping[str, tuple[Any, Node]],
        overrides: Mapping[str, str],
        environ: Mapping[str, str],
        report: Report,
    ) -> None:
        self._defaults = defaults
        self._overrides = overrides
        self._environ = environ
        self._report = report
        self._resolving: list[str] = []
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
            pieces.append(text[last : match.start()])
            last = match.end()
            if match.group(1):  # "$${...}" is an escaped literal "${...}"
                pieces.append(match.group(0)[1:])
            else:
                pieces.append(_as_text(self._lookup(match.group(2), node, match.group(0))))
        pieces.append(text[last:])
        result = "".join(pieces)
        if "${" in _REFERENCE.sub("", text):
            self._report(
                node,
                "bad-variable",
                f"unclosed variable reference in '{text}'",
                "write ${name} or ${name:-default}; write $${ for a literal '${'",
            )
        return result

    def _lookup(self, body: str, node: Node, written: str) -> Any:
        match = _BODY.fullmatch(body.strip())
        if match is None:
            self._report(
                node,
                "bad-variable",
                f"'{written}' is not a variable reference",
                "write ${name} or ${name:-default} with a name of letters, digits and '_'; "
                "write $${ for a literal '${'",
            )
            return written
        name, inline_default = match.group(1), match.group(2)
        self.referenced.add(name)
        if name in self._overrides:
            value: Any = typed_scalar(self._overrides[name])
        elif name in self._environ:
            value = typed_scalar(self._environ[name])
        elif name in self._defaults:
            value = self._default(name, node)
        elif inline_default is not None:
            value = typed_scalar(inline_default)
        else:
            known = set(self._defaults) | set(self._overrides)
            hint = did_you_mean(name, known)
            self._report(
                node,
                "unresolved-variable",
                f"variable '{name}' has no value",
                (f"{hint} Otherwise " if hint else "")
                + f"define it under 'vars:', pass --var {name}=VALUE, set the environment "
                f"variable {name}, or write ${{{name}:-DEFAULT}}",
            )
            return written
        self.resolved[name] = value
        return value

    def _default(self, name: str, node: Node) -> Any:
        value, default_node = self._defaults[name]
        if not (isinstance(value, str) and "$" in value):
            return value
        if name in self._resolving:
            cycle = " -> ".join([*self._resolving[self._resolving.index(name) :], name])
            self._report(
                default_node,
                "variable-cycle",
                f"variables refer to each other in a cycle: {cycle}",
                "give one of them a plain value",
            )
            return value
        self._resolving.append(name)
        try:
            return self.interpolate(value, default_node)
        finally:
            self._resolving.pop()

    def unused_overrides(self) -> list[tuple[str, str]]:
        """``--var`` names the workflow never uses, each with a did-you-mean hint."""
        known = set(self._defaults) | self.referenced
        return [(name, did_you_mean(name, known)) for name in self._overrides if name not in known]

"""YAML text to Python values, keeping source positions and refusing unsafe YAML.

PyYAML's ``compose`` gives a node tree whose every node carries its line and column;
this module builds values from that tree itself instead of calling ``yaml.load``,
because ``yaml.load`` loses the positions, silently keeps the last of two duplicate
keys, and would happily expand an alias bomb into gigabytes. Here:

* duplicate keys in one mapping are problems, each pointing at the second key;
* only plain data tags are accepted (no ``!!python/...`` or custom tags);
* alias expansion is bounded in proportion to the size of the text, which also stops
  recursive aliases (``&a [*a]``);
* construction is iterative, so deep nesting cannot raise ``RecursionError`` here,
  and a value may nest at most :data:`MAX_DEPTH` levels (deeper data would break
  the recursive code that later handles it: JSON, ``repr``, components);
* a scalar that its tag's constructor cannot build (``!!bool maybe``, ``!!int ''``) is
  a problem at that node, whatever the constructor raised; numbers are at most
  :data:`MAX_NUMBER_CHARS` characters, so no value is a huge integer (slow to build,
  impossible to print).

Problems are collected, not raised, so one pass reports all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from wfe.errors import DefinitionError, Location, Problem
from wfe.quoting import quote

__all__ = [
    "ExpansionLimitError",
    "NodeLocator",
    "NodeReader",
    "ScalarError",
    "compose",
    "construct_scalar",
    "scan_tags",
]

# libyaml-backed loader when PyYAML was built with it: 2-3x faster, same node marks.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_YAML_TAG = "tag:yaml.org,2002:"
_STR = _YAML_TAG + "str"
_MAP = _YAML_TAG + "map"
_SEQ = _YAML_TAG + "seq"
_MERGE = _YAML_TAG + "merge"
_SCALAR_TAGS = frozenset(
    _YAML_TAG + t for t in ("null", "bool", "int", "float", "timestamp", "binary")
)
_constructor = yaml.constructor.SafeConstructor()

#: Alias expansion allowed beyond the document's own size: every node visit costs
#: one unit; a document may visit ``2 * len(text) + ALIAS_ALLOWANCE`` nodes in all.
ALIAS_ALLOWANCE = 100_000
_MAX_MERGE_DEPTH = 32
#: The deepest a value (under ``params:``, ``vars:``, ...) may nest, in lists and
#: mappings. libyaml refuses documents nested over 1,000 levels before this applies.
MAX_DEPTH = 100
#: The longest number, in characters, as written (digits, sign, point, exponent).
MAX_NUMBER_CHARS = 100
_MAX_DETAIL = 300  # characters of a YAML library message shown
_NUMBER_TAGS = frozenset((_YAML_TAG + "int", _YAML_TAG + "float"))
_SCALAR_HINTS = {
    "bool": "write true or false",
    "int": "write a whole number such as 42",
    "float": "write a number such as 0.5",
    "timestamp": "write a date as YYYY-MM-DD or a time as YYYY-MM-DD HH:MM:SS",
    "binary": "write base64 text",
}


def location_of(source: str, node: Node) -> Location:
    mark = node.start_mark
    return Location(source, mark.line + 1, mark.column + 1)


def compose(text: str, source: str) -> Node | None:
    """Parse ``text`` into a node tree; a syntax error becomes a ``DefinitionError``."""
    try:
        node: Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(source, mark.line + 1, mark.column + 1) if mark else None
        detail = exc.problem or "invalid YAML"
        if exc.context:
            detail = f"{exc.context}, {detail}"
        # PyYAML's pure-Python parser quotes the document (an undefined alias's name...)
        detail = quote(detail, marks=False, limit=_MAX_DETAIL)
        hint = (
            "flatten the structure"
            if "nesting depth" in detail
            else "check the indentation and quoting at this position "
            "(a value containing ': ' or starting with '{', '[', '*', '&' or '!' "
            "needs quotes)"
        )
        raise DefinitionError(
            [Problem("yaml-syntax", f"YAML syntax error: {detail}", hint, location=location)],
            source,
        ) from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        raise DefinitionError([_reader_problem(text, source, exc)], source) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(
            [
                Problem(
                    "yaml-syntax",
                    f"cannot read the text as YAML: {quote(str(exc), marks=False, limit=_MAX_DETAIL)}",
                    "save it as UTF-8",
                )
            ],
            source,
        ) from exc
    except RecursionError as exc:  # pure-Python loader only; libyaml bounds nesting itself
        problem = Problem(
            "yaml-syntax",
            "the YAML is nested too deeply",
            "flatten the structure",
            location=Location(source, 1, 1),
        )
        raise DefinitionError([problem], source) from exc
    except MemoryError:
        # The node tree of very dense YAML takes ~150 bytes per byte of text; when that
        # does not fit, the half-built tree is released as this unwinds.
        raise DefinitionError(
            [
                Problem(
                    "too-large",
                    "the YAML needs more memory to parse than this process may use",
                    "make the workflow smaller, or allow the process more memory",
                    location=Location(source, 1, 1),
                )
            ],
            source,
        ) from None
    return node


def _reader_problem(text: str, source: str, exc: yaml.reader.ReaderError) -> Problem:
    offset = exc.position
    if _Loader is not yaml.SafeLoader:  # libyaml counts bytes of the UTF-8 text
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
    line_start = text.rfind("\n", 0, offset) + 1
    location = Location(source, text.count("\n", 0, offset) + 1, offset - line_start + 1)
    code = exc.character if isinstance(exc.character, int) else 0xFFFD
    escape = repr(chr(code))[1:-1] if code > 0x20 else f"\\x{code:02x}"
    return Problem(
        "yaml-syntax",
        f"the character #x{code:04x} is not allowed in YAML ({exc.reason})",
        f'remove it, or write it as an escape in a double-quoted string ("{escape}")',
        location=location,
    )


def scan_tags(root: Node, reader: NodeReader) -> None:
    """Report every node with a tag other than plain YAML data, anywhere in the document.

    The value builder checks tags too, but only on the nodes it visits; this scan also
    covers values that are never used (under an unknown key, say). Each node is visited
    once, so aliases cost nothing here.
    """
    seen: set[int] = set()
    work = [root]
    while work:
        node = work.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        tag = node.tag
        if isinstance(node, ScalarNode):
            if tag != _STR and tag not in _SCALAR_TAGS and tag != _MERGE:
                reader.reject_tag(node)
        elif isinstance(node, SequenceNode):
            if tag != _SEQ:
                reader.reject_tag(node)
            work.extend(node.value)
        elif isinstance(node, MappingNode):
            if tag != _MAP:
                reader.reject_tag(node)
            for key_node, value_node in node.value:
                work.append(key_node)
                work.append(value_node)


class ExpansionLimitError(Exception):
    """Internal: building values went past a bound (the alias or variable expansion
    budget, the nesting depth); the document is rejected with ``message`` and
    ``hint``, located at ``node``, in ``task`` (filled in by the reader)."""

    def __init__(self, node: Node, kind: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.node = node
        self.kind = kind
        self.message = message
        self.hint = hint
        self.task: str | None = None

    def in_task(self, task: str | None) -> ExpansionLimitError:
        """This error, naming ``task`` unless it already names one."""
        self.task = self.task or task
        return self


def _alias_bomb(node: Node) -> ExpansionLimitError:
    return ExpansionLimitError(
        node,
        "alias-bomb",
        "YAML aliases expand to far more data than the file holds "
        "(a recursive alias or an 'alias bomb')",
        "use fewer nested aliases (*name); write the values out",
    )


class ScalarError(Exception):
    """A scalar that its tag cannot build: ``message`` and ``hint`` for the user."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def construct_scalar(tag: str, text: str) -> Any:
    """The value of a plain-data scalar (``tag`` one of YAML's null, bool, int, float,
    timestamp, binary), or :class:`ScalarError`.

    PyYAML's constructors raise whatever their parsing meets (``KeyError`` for
    ``!!bool maybe``, ``IndexError`` for ``!!int ''``, ``AttributeError`` for
    ``!!timestamp x``, ...): each is a value the user wrote wrong, never a bug.
    """
    kind = tag[len(_YAML_TAG) :]
    if tag in _NUMBER_TAGS and len(text) > MAX_NUMBER_CHARS:
        raise ScalarError(
            f"a number of {len(text):,} characters (at most {MAX_NUMBER_CHARS} are allowed)",
            "quote the value to make it a string",
        )
    try:
        return _constructor.yaml_constructors[tag](_constructor, ScalarNode(tag, text))
    except Exception as exc:
        raise ScalarError(
            f"{quote(text)} is not a valid {kind}", _SCALAR_HINTS.get(kind, "")
        ) from exc


class NodeReader:
    """Builds Python values from nodes and records every problem it meets.

    ``interpolate(text, node)`` is applied to every string scalar that contains ``$``;
    it resolves ``${var}`` references (see :mod:`wfe.variables`).
    """

    def __init__(
        self,
        source: str,
        text_size: int,
        problems: list[Problem],
        interpolate: Callable[[str, Node], Any] | None = None,
    ) -> None:
        self.source = source
        self.text_size = text_size
        self.problems = problems
        self.interpolate = interpolate
        self._visits_left = 2 * text_size + ALIAS_ALLOWANCE
        self._rejected: set[int] = set()

    # -- reporting -------------------------------------------------------------------
    def problem(
        self, node: Node, kind: str, message: str, hint: str = "", task: str | None = None
    ) -> None:
        self.problems.append(
            Problem(kind, message, hint, task=task, location=location_of(self.source, node))
        )

    # -- structure -------------------------------------------------------------------
    def mapping(
        self, node: Node, what: str, task: str | None = None
    ) -> dict[str, tuple[Node, Node]] | None:
        """The ``key -> (key node, value node)`` pairs of a mapping with string keys.

        Reports (and returns ``None`` for) a node that is not a mapping.
        """
        if not isinstance(node, MappingNode) or node.tag != _MAP:
            self.problem(
                node,
                "wrong-type",
                f"{what} must be a mapping (key: value lines), got {describe_node(node)}",
                task=task,
            )
            return None
        items: dict[str, tuple[Node, Node]] = {}
        try:
            pairs = self._pairs(node, task)
        except ExpansionLimitError as exc:
            raise exc.in_task(task) from None
        for key, key_node, value_node in pairs:
            if isinstance(key, str):
                items[key] = (key_node, value_node)
            else:
                self.problem(
                    key_node,
                    "wrong-type",
                    f"keys of {what} must be strings, got {describe_node(key_node)}",
                    "quote the key",
                    task,
                )
        return items

    def _pairs(
        self, node: MappingNode, task: str | None, depth: int = 0
    ) -> list[tuple[Any, Node, Node]]:
        """``(key, key node, value node)`` after applying ``<<`` merge keys.

        Keys are built (never interpolated); duplicates among the mapping's own keys are
        reported and dropped. A non-scalar key is returned with the key ``None`` for the
        caller to report. Later entries override earlier ones (merged keys come first).
        """
        if depth > _MAX_MERGE_DEPTH:
            raise _alias_bomb(node)
        pairs = node.value
        self._visits_left -= len(pairs)
        if self._visits_left < 0:
            raise _alias_bomb(node)
        merged: list[tuple[Any, Node, Node]] = []
        own: list[tuple[Any, Node, Node]] = []
        seen: dict[Any, Node] = {}
        for key_node, value_node in pairs:
            tag = key_node.tag
            if tag == _STR:
                key = key_node.value
            elif tag == _MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                # Earlier mappings in a merge list take precedence, as in PyYAML.
                for source in reversed(sources):
                    if isinstance(source, MappingNode):
                        merged.extend(self._pairs(source, task, depth + 1))
                    else:
                        self.problem(
                            source,
                            "wrong-type",
                            f"a '<<' merge key needs a mapping, got {describe_node(source)}",
                            task=task,
                        )
                continue
            elif isinstance(key_node, ScalarNode):
                key = self.scalar(key_node, task, interpolate=False)
            else:
                own.append((None, key_node, value_node))
                continue
            first = seen.get(key)
            if first is not None:
                self.problem(
                    key_node,
                    "duplicate-key",
                    f"duplicate key {quote(str(key))} (first defined at line "
                    f"{first.start_mark.line + 1})"
                    "; YAML would silently keep only the last one",
                    "remove or rename one of them",
                    task,
                )
                continue
            seen[key] = key_node
            own.append((key, key_node, value_node))
        return merged + own if merged else own

    # -- values ----------------------------------------------------------------------
    def scalar(self, node: ScalarNode, task: str | None = None, *, interpolate: bool = True) -> Any:
        tag = node.tag
        if tag == _STR:
            text: str = node.value
            if interpolate and self.interpolate is not None and "$" in text:
                try:
                    return self.interpolate(text, node)
                except ExpansionLimitError as exc:
                    raise exc.in_task(task) from None
            return text
        if tag in _SCALAR_TAGS:
            try:
                return construct_scalar(tag, node.value)
            except ScalarError as exc:
                self.problem(node, "bad-value", exc.message, exc.hint, task)
                return None
        self._bad_tag(node, task)
        return None

    def value(self, node: Node, task: str | None = None) -> Any:
        """The plain Python value of ``node`` (dicts, lists, str, int, float, bool, None)."""
        try:
            return self._build(node, task)
        except ExpansionLimitError as exc:
            raise exc.in_task(task) from None

    def _build(self, node: Node, task: str | None) -> Any:
        holder: list[Any] = [None]
        work: list[tuple[Node, Any, Any, int]] = [(node, holder, 0, 0)]
        while work:
            current, parent, slot, depth = work.pop()
            self._spend(current)
            if isinstance(current, ScalarNode):
                parent[slot] = self.scalar(current, task)
                continue
            if depth >= MAX_DEPTH:
                raise ExpansionLimitError(
                    current,
                    "too-deep",
                    f"this value nests lists and mappings more than {MAX_DEPTH} levels deep "
                    "(or contains itself through an alias)",
                    "flatten it",
                )
            if isinstance(current, SequenceNode):
                if current.tag != _SEQ:
                    self._bad_tag(current, task)
                    continue
                items: list[Any] = [None] * len(current.value)
                parent[slot] = items
                work.extend((child, items, i, depth + 1) for i, child in enumerate(current.value))
            elif isinstance(current, MappingNode):
                if current.tag != _MAP:
                    self._bad_tag(current, task)
                    continue
                value_nodes: dict[Any, Node] = {}
                for key, key_node, value_node in self._pairs(current, task):
                    if not isinstance(key_node, ScalarNode):
                        self.problem(
                            key_node,
                            "wrong-type",
                            "mapping keys must be plain values, not lists or mappings",
                            task=task,
                        )
                        continue
                    value_nodes[key] = value_node  # later pairs win: explicit keys override '<<'
                mapping: dict[Any, Any] = dict.fromkeys(value_nodes)  # keeps key order
                parent[slot] = mapping
                work.extend(
                    (value_node, mapping, key, depth + 1) for key, value_node in value_nodes.items()
                )
        return holder[0]

    def _spend(self, node: Node) -> None:
        self._visits_left -= 1
        if self._visits_left < 0:
            raise _alias_bomb(node)

    def _bad_tag(self, node: Node, task: str | None) -> None:
        if id(node) not in self._rejected:
            self.reject_tag(node, task)

    def reject_tag(self, node: Node, task: str | None = None) -> None:
        """Report a node whose tag is not plain YAML data (once per node)."""
        self._rejected.add(id(node))
        tag = node.tag
        if tag.startswith(_YAML_TAG + "python/"):
            self.problem(
                node,
                "unsafe-tag",
                f"Python-object tag {quote(tag)} is not allowed: a workflow file holds data, "
                "not code",
                "write the value as plain YAML; to call Python code use the python_function "
                "component",
                task,
            )
        else:
            self.problem(
                node,
                "unsafe-tag",
                f"unsupported YAML tag {quote(tag)}",
                "remove the tag; only plain YAML values (strings, numbers, booleans, null, "
                "lists, mappings) are accepted",
                task,
            )


def describe_node(node: Node) -> str:
    """A short, user-facing description of what a node holds."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _STR:
        return f"the string {quote(node.value)}" if node.value else "an empty string"
    kind = node.tag.rsplit(":", 1)[-1]
    if kind == "null":
        return "nothing (null)"
    return f"the {quote(kind, marks=False)} {quote(node.value, marks=False)}"


class NodeLocator:
    """Finds the node at a path such as ``("tasks", 3, "params", "path")``, to place
    problems found after parsing (by the graph, by component schemas).

    A path that goes further than the document returns the deepest node that exists.
    Each mapping's keys are indexed the first time a path goes through it, so placing
    one problem per key of a mapping with thousands of keys stays linear.
    """

    def __init__(self, root: Node) -> None:
        self.root = root
        self._keys: dict[int, dict[str, Node]] = {}

    def at(self, path: tuple[str | int, ...]) -> Node:
        node = self.root
        for step in path:
            child: Node | None = None
            if isinstance(node, MappingNode):
                child = self._index(node).get(str(step))
            elif (
                isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value)
            ):
                child = node.value[step]
            if child is None:
                return node
            node = child
        return node

    def _index(self, node: MappingNode) -> dict[str, Node]:
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    index.setdefault(key_node.value, value_node)  # the first of duplicates
            self._keys[id(node)] = index
        return index

"""Properties of loading, checked on generated workflows (Hypothesis).

* Any text, however broken, loads or raises ``wfe.WorkflowError``, in bounded time.
* Any valid DAG, its tasks listed in any order, validates, and its order respects
  every dependency.
* A cycle injected into a valid DAG is reported, with a path whose every step is an
  edge of the workflow and which ends where it starts.

Seeded (``derandomize``) so CI is reproducible: a hundred examples per property
by default, a few thousand under ``-m slow``.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wfe
from wfe.plugins import load_plugins

PLUGINS = load_plugins(environ={"WFE_DISABLE_PLUGIN_AUTOLOAD": "1"})  # python_function only
HANG = 30  # seconds: far beyond any example; only a hang would reach it

COMMON = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
FEW = settings(max_examples=100, **COMMON)  # type: ignore[arg-type]
MANY = settings(max_examples=3000, **COMMON)  # type: ignore[arg-type]


def both(strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> tuple[Any, Any]:
    """The same property as a default test and as a slow one with many more examples."""
    return FEW(given(strategy)(check)), pytest.mark.slow(MANY(given(strategy)(check)))


# -- any text ---------------------------------------------------------------------------

KEYS = [
    "workflow_name", "description", "vars", "checkpoint", "tasks", "name", "component_name",
    "params", "inputs", "outputs", "after", "retries", "retry_delay", "retry_on", "timeout",
    "function", "kwargs", "<<", "s", "x", "a-b", "../x", "",
]  # fmt: skip
SCALARS = [
    "python_function", "json:loads", "wfe_test_functions:add", "json:lods", "t", "o", "x",
    "${a}", "${a:-1}", "$${a}", "${", "${b}${b}${b}", "s3://x", "../../x", "/tmp/x", "1",
    "-1", "1100", "0x1f", "1:2:3", ".nan", ".inf", "-.inf", "1e9", "yes", "no", "~", "null",
    "!!bool maybe", "!!timestamp notadate", "!!int ''", "!!float ''", "!!binary '!'",
    "!!python/name:os.system", "!Ref x", "&a x", "*a", "*b", "'quoted'", '"\\x07"', "é",
    "\U0001f600", "[]", "{}", "[a, b]", "{a: 1}", "|\n  block", "@", "`", "%", "? x",
]  # fmt: skip


@st.composite
def yaml_like(draw: st.DrawFn, depth: int = 0) -> str:
    """YAML-ish text: mappings and lists of keys and values from the workflow format,
    hostile scalars, anchors and aliases, with random indentation mistakes."""
    kind = draw(st.sampled_from(["scalar", "scalar", "map", "list", "flow", "junk"]))
    if depth > 3 or kind == "scalar":
        return draw(st.sampled_from(SCALARS) | st.text(max_size=12))
    if kind == "junk":
        return draw(st.text(max_size=40))
    if kind == "flow":
        items = draw(st.lists(st.sampled_from(SCALARS), max_size=4))
        return "[" + ", ".join(items) + "]" if draw(st.booleans()) else "{" + ", ".join(items) + "}"
    indent = "  " * (depth + 1) + draw(st.sampled_from(["", "", " "]))
    children = draw(st.lists(yaml_like(depth + 1), min_size=1, max_size=4))
    if kind == "list":
        return "".join(f"\n{indent}- {child}" for child in children)
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=len(children), max_size=len(children)))
    return "".join(f"\n{indent}{key}: {child}" for key, child in zip(keys, children, strict=True))


@st.composite
def documents(draw: st.DrawFn) -> str:
    top = draw(st.lists(st.sampled_from(KEYS[:5]), min_size=1, max_size=6))
    body = "".join(f"{key}: {draw(yaml_like(0))}\n" for key in top)
    return draw(st.sampled_from(["", "%YAML 1.1\n---\n", "&a "])) + body


SAFE_SCALARS = [s for s in SCALARS if re.fullmatch(r"[\w:.\-/ ~é\U0001f600]*", s)]
TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=8)
# Mostly values that parse (so later checks run), sometimes raw hostile YAML.
VALUES = st.one_of(
    st.sampled_from(SAFE_SCALARS),
    st.sampled_from(SCALARS).map(json.dumps),
    TEXT.map(lambda text: json.dumps(text, ensure_ascii=False)),
    st.integers().map(str),
    st.floats().map(lambda f: {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}.get(str(f), str(f))),
    st.sampled_from(SAFE_SCALARS),
    st.sampled_from(SCALARS),
)


@st.composite
def workflows(draw: st.DrawFn) -> str:
    """Workflows of the right shape whose names, params, inputs, options and variables
    are drawn from hostile pools: these get past the YAML into every later check."""

    def value() -> str:
        return draw(VALUES)

    lines = [f"workflow_name: {value()}"]
    if draw(st.booleans()):
        lines.append("vars:")
        lines += [f"  {draw(st.sampled_from(['a', 'b', 'c', 'a-b']))}: {value()}" for _ in range(3)]
    lines.append("tasks:")
    for _ in range(draw(st.integers(1, 4))):
        lines.append(f"  - name: {draw(st.sampled_from(['t', 'u', 'x', '../x', value()]))}")
        lines.append(f"    component_name: {draw(st.sampled_from(['python_function', value()]))}")
        function = draw(st.sampled_from(["json:loads", "wfe_test_functions:add", value()]))
        kwargs = ", ".join(f"{k}: {value()}" for k in draw(st.lists(st.sampled_from("absx"))))
        lines.append(f"    params: {{function: {function}, kwargs: {{{kwargs}}}}}")
        inputs = ", ".join(f"{k}: {value()}" for k in draw(st.lists(st.sampled_from("abs"))))
        lines.append(f"    inputs: {{{inputs}}}")
        lines.append(
            f"    outputs: [{', '.join(draw(st.lists(st.sampled_from(['o', 'x', value()]))))}]"
        )
        for option in draw(st.lists(st.sampled_from(["retries", "retry_delay", "timeout"]))):
            lines.append(f"    {option}: {value()}")
    return "\n".join(lines) + "\n"


def loads_or_workflow_error(text: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(wfe.WorkflowError):
        wfe.loads(text, plugins=PLUGINS, environ={"a": "1"})
    assert time.perf_counter() - started < HANG


test_workflow_like_texts_load_or_raise_workflow_error, test_many_workflow_like_texts = both(
    documents() | workflows(), loads_or_workflow_error
)
test_arbitrary_texts_load_or_raise_workflow_error, test_many_arbitrary_texts = both(
    st.text(max_size=300), loads_or_workflow_error
)


# -- valid DAGs -------------------------------------------------------------------------

NAME = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True)


@dataclass(frozen=True)
class Dag:
    """Tasks ``0..n-1``; ``inputs[i]`` lists the tasks whose outputs task ``i`` reads
    (all before it, so there is no cycle); ``listed`` is the order in the file."""

    names: list[str]
    inputs: list[list[int]]
    listed: list[int]

    def text(self, extra: dict[int, list[int]] | None = None) -> str:
        lines = ["workflow_name: generated", "tasks:"]
        for i in self.listed:
            reads = self.inputs[i] + (extra or {}).get(i, [])
            # quoted: a name such as `on` or `null` would be a boolean or null in YAML
            wiring = ", ".join(f"in_{k}: '{self.names[j]}_out'" for k, j in enumerate(reads))
            lines.append(
                f"  - {{name: '{self.names[i]}', component_name: python_function, "
                f"params: {{function: 'wfe_test_functions:fail'}}, inputs: {{{wiring}}}, "
                f"outputs: ['{self.names[i]}_out']}}"
            )
        return "\n".join(lines) + "\n"


@st.composite
def dags(draw: st.DrawFn, max_tasks: int = 15) -> Dag:
    names = draw(st.lists(NAME, min_size=1, max_size=max_tasks, unique_by=str.lower))
    inputs = [
        draw(st.lists(st.integers(0, i - 1), unique=True, max_size=4)) if i else []
        for i in range(len(names))
    ]
    listed = draw(st.permutations(range(len(names))))
    return Dag(names, inputs, list(listed))


def validates_in_dependency_order(dag: Dag) -> None:
    workflow = wfe.loads(dag.text(), plugins=PLUGINS)
    position = {name: i for i, name in enumerate(workflow.graph.order())}
    assert len(position) == len(dag.names)
    for i, reads in enumerate(dag.inputs):
        for j in reads:
            assert position[dag.names[j]] < position[dag.names[i]]


test_valid_dags_validate, test_many_valid_dags_validate = both(
    dags(), validates_in_dependency_order
)


# -- injected cycles --------------------------------------------------------------------


@st.composite
def dags_with_a_cycle(draw: st.DrawFn) -> tuple[Dag, dict[int, list[int]]]:
    """A DAG plus one edge from a task back to one of its ancestors (or itself)."""
    dag = draw(dags())
    late = draw(st.integers(0, len(dag.names) - 1))
    ancestors = {late}
    frontier = [late]
    while frontier:
        for j in dag.inputs[frontier.pop()]:
            if j not in ancestors:
                ancestors.add(j)
                frontier.append(j)
    early = draw(st.sampled_from(sorted(ancestors)))
    return dag, {early: [late]}  # `early` now reads `late`'s output: a cycle


_STEP = re.compile(r"(\S+) -\[([^\]]+)\]-> ")


def reports_the_cycle_with_its_path(case: tuple[Dag, dict[int, list[int]]]) -> None:
    dag, extra = case
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(dag.text(extra), plugins=PLUGINS)
    [problem] = [p for p in info.value.problems if p.kind == "cycle"]
    path = problem.message.split("in a cycle: ", 1)[1]
    edges = {
        (dag.names[j], dag.names[i])
        for i in range(len(dag.names))
        for j in dag.inputs[i] + extra.get(i, [])
    }
    steps = [*_STEP.findall(path + " ")]
    names = [producer for producer, _ in steps] + [path.rsplit(" ", 1)[-1]]
    assert names[0] == names[-1], path  # it ends where it starts
    for (producer, output), consumer in zip(steps, names[1:], strict=True):
        assert (producer, consumer) in edges, path
        assert output == f"{producer}_out"


test_injected_cycles_are_reported, test_many_injected_cycles_are_reported = both(
    dags_with_a_cycle(), reports_the_cycle_with_its_path
)

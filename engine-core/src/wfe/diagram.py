"""The workflow's DAG as a Mermaid or Graphviz DOT diagram.

Nodes are tasks (name and component); an edge carries the names of the outputs that
flow along it, and a dashed edge is an ``after`` ordering. Given the task statuses of
a run, nodes are coloured by status.
"""

from __future__ import annotations

from collections.abc import Mapping

from wfe.graph import Graph

__all__ = ["dot", "mermaid"]

_COLOURS = {  # status -> (fill, stroke)
    "succeeded": ("#d4edda", "#28a745"),
    "failed": ("#f8d7da", "#dc3545"),
    "not_run": ("#eeeeee", "#999999"),
    "reused": ("#d1ecf1", "#17a2b8"),
    "pending": ("#fff3cd", "#ffc107"),
}


def _edges(graph: Graph) -> list[tuple[int, int, list[str]]]:
    """``(producer index, consumer index, outputs)``; no outputs means ``after``."""
    edges = []
    for consumer, upstream in graph.dependencies.items():
        for producer in upstream:
            flowing = [
                o for o in graph.consumes[consumer] if graph.producers.get(o) == producer.name
            ]
            edges.append((producer.index, consumer.index, flowing))
    return edges


def mermaid(graph: Graph, statuses: Mapping[str, str] | None = None) -> str:
    """A Mermaid ``flowchart`` (renders in GitHub, GitLab and most Markdown viewers)."""
    lines = ["flowchart LR"]
    for task in graph.tasks.values():
        label = f"{task.name}<br/><small>{task.component_name}</small>".replace('"', "#quot;")
        lines.append(f'  t{task.index}["{label}"]')
    for producer, consumer, outputs in _edges(graph):
        if outputs:
            lines.append(f'  t{producer} -- "{", ".join(outputs)}" --> t{consumer}')
        else:
            lines.append(f"  t{producer} -. after .-> t{consumer}")
    if statuses:
        for status, (fill, stroke) in _COLOURS.items():
            members = [
                f"t{graph.tasks[n].index}"
                for n, s in statuses.items()
                if s == status and n in graph.tasks
            ]
            if members:
                lines.append(f"  classDef {status} fill:{fill},stroke:{stroke}")
                lines.append(f"  class {','.join(members)} {status}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    """Text for inside a DOT string literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _quote(text: str) -> str:
    return f'"{_escape(text)}"'


def dot(graph: Graph, statuses: Mapping[str, str] | None = None, name: str = "workflow") -> str:
    """A Graphviz ``digraph`` (``wfe graph FILE --format dot | dot -Tsvg > dag.svg``)."""
    lines = [
        f"digraph {_quote(name)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];',
    ]
    for task in graph.tasks.values():
        # DOT's \n inside a label is a line break
        attributes = f'label="{_escape(task.name)}\\n({_escape(task.component_name)})"'
        status = (statuses or {}).get(task.name)
        if status in _COLOURS:
            fill, stroke = _COLOURS[status]
            attributes += f', fillcolor="{fill}", color="{stroke}"'
        lines.append(f"  t{task.index} [{attributes}];")
    for producer, consumer, outputs in _edges(graph):
        style = f"label={_quote(', '.join(outputs))}" if outputs else 'style=dashed, label="after"'
        lines.append(f"  t{producer} -> t{consumer} [{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"

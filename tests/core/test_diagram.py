"""`wfe graph`: wfe.diagram, through the CLI."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

RunWfe = Callable[..., subprocess.CompletedProcess[str]]

FLOW = """\
workflow_name: "diagram \\"test\\""
tasks:
  - {name: load, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [a, b]}
  - {name: use, component_name: python_function, params: {function: 'wfe_test_functions:add'}, inputs: {a: a, b: b}, outputs: [c]}
  - {name: report, component_name: python_function, params: {function: 'wfe_test_functions:fail'}, inputs: {x: c}, outputs: [d]}
  - {name: cleanup, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, after: [use], outputs: [e, f]}
"""


def test_mermaid_shows_tasks_components_outputs_and_after_edges(
    run_wfe: RunWfe, write_workflow: Callable[..., Path]
) -> None:
    done = run_wfe("graph", str(write_workflow(FLOW)))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  t0["load<br/><small>python_function</small>"]' in lines
    assert '  t0 -- "a, b" --> t1' in lines
    assert '  t1 -- "c" --> t2' in lines
    assert "  t1 -. after .-> t3" in lines


def test_dot_output_and_colours_from_a_recorded_run(
    run_wfe: RunWfe, write_workflow: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_workflow(FLOW)
    records = tmp_path / "records"
    run_wfe("run", str(path), "--record-dir", str(records), "--keep-going")
    [run_id] = [p.name for p in records.iterdir()]
    dot = run_wfe(
        "graph", str(path), "--format", "dot", "--run", run_id, "--record-dir", str(records)
    ).stdout
    assert dot.startswith('digraph "diagram \\"test\\"" {')
    assert 't0 [label="load\\n(python_function)", fillcolor="#d4edda", color="#28a745"];' in dot
    assert (
        't2 [label="report\\n(python_function)", fillcolor="#f8d7da", color="#dc3545"];' in dot
    )  # failed
    assert (
        't3 [label="cleanup\\n(python_function)", fillcolor="#d4edda"' in dot
    )  # not after the failure
    assert 't0 -> t1 [label="a, b"];' in dot
    assert 't1 -> t3 [style=dashed, label="after"];' in dot
    mermaid = run_wfe("graph", str(path), "--run", run_id, "--record-dir", str(records)).stdout
    assert "  class t2 failed" in mermaid
    missing = run_wfe("graph", str(path), "--run", "nope", "--record-dir", str(records))
    assert missing.returncode == 2
    assert "no run 'nope'" in missing.stderr
    assert "Traceback" not in missing.stderr

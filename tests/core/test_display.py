"""The CLI's progress plugins: wfe.display and wfe.summary."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import wfe
from wfe.display import JsonDisplay, TextDisplay
from wfe.summary import describe, summary_text

from .conftest import MakePlugins

WORKFLOW = (
    "workflow_name: shown\ntasks:\n"
    "  - {name: a, component_name: python_function, params: {function: 'wfe_test_functions:pair'}, outputs: [x, y]}\n"
    "  - {name: b, component_name: python_function, params: {function: 'wfe_test_functions:fail'}, inputs: {v: x}, outputs: [z]}\n"
    "  - {name: c, component_name: python_function, params: {function: 'wfe_test_functions:inc'}, inputs: {x: z}, outputs: [w]}\n"
)


def test_text_display_prints_each_event_and_a_summary(make_plugins: MakePlugins) -> None:
    stream = io.StringIO()
    wfe.loads(WORKFLOW, plugins=make_plugins(TextDisplay(stream))).run()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "wfe: running 'shown' (3 tasks, sequential)"
    assert lines[1] == "[1/3] a (python_function) started"
    assert lines[2].startswith("[1/3] a ok in ")
    assert lines[2].endswith("s: x=int 1, y=int 2")
    assert lines[3] == "[2/3] b (python_function) started"
    assert "[2/3] b FAILED after" in lines[4]
    assert "ValueError: boom: the input was bad" in lines[4]
    assert lines[5].startswith("wfe: 'shown' failed in ")
    assert lines[5].endswith("1 succeeded, 1 failed (b), 1 not run (c [after b failed])")
    assert lines[6] == "wfe: values: x=1, y=2"


def test_json_display_prints_one_object_per_event(make_plugins: MakePlugins) -> None:
    stream = io.StringIO()
    wfe.loads(WORKFLOW, source="wf.yaml", plugins=make_plugins(JsonDisplay(stream))).run(workers=2)
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [e["event"] for e in events] == [
        "workflow_start",
        "task_start",
        "task_end",
        "task_start",
        "task_error",
        "workflow_end",
    ]
    assert all(e["workflow"] == "shown" and isinstance(e["time"], float) for e in events)
    assert len({e["run_id"] for e in events}) == 1
    assert events[0]["workers"] == 2
    assert events[0]["executor"] == "threads"
    assert events[0]["tasks"] == 3
    assert events[2]["outputs"] == {
        "x": {"type": "int", "value": 1},
        "y": {"type": "int", "value": 2},
    }
    assert events[4]["error"] == "ValueError: boom: the input was bad"
    assert events[4]["location"] == "wf.yaml:4:5"
    assert events[5]["status"] == "failed"
    assert events[5]["not_run"] == ["c"]
    assert events[5]["skipped_because"] == {"c": ["b"]}


class Shaped:
    shape = (1000, 12)


def test_output_summaries_use_shape_or_length_without_importing_anything() -> None:
    assert describe(Shaped()) == {"type": "Shaped", "shape": [1000, 12]}
    assert summary_text(describe(Shaped())) == "Shaped 1,000x12"
    assert summary_text(describe([1, 2, 3])) == "list of 3"
    assert summary_text(describe("x" * 100)) == "str of 100"
    assert summary_text(describe(2.5)) == "float 2.5"
    assert summary_text(describe(object())) == "object"


def test_metrics_and_scalars_are_shown_with_their_values() -> None:
    metrics = {"roc_auc": 0.831234, "accuracy": 0.77, "rows": 1250}
    assert describe(metrics) == {"type": "dict", "value": metrics}
    assert summary_text(describe(metrics)) == "dict {roc_auc: 0.8312, accuracy: 0.77, rows: 1250}"
    # strings and big mappings are described by size only: they may hold anything
    assert describe({"url": "postgresql://u:pw@h/db"}) == {"type": "dict", "len": 1}
    assert describe(dict.fromkeys(map(str, range(50)), 1.0)) == {"type": "dict", "len": 50}
    assert describe(True) == {"type": "bool", "value": True}


def test_the_summary_line_shows_the_values_a_run_produced(make_plugins: MakePlugins) -> None:
    stream = io.StringIO()
    workflow = wfe.loads(
        "workflow_name: scored\ntasks:\n"
        "  - {name: score, component_name: python_function, outputs: [metrics],"
        " params: {function: 'wfe_test_functions:const', kwargs: {value: {r2: 0.912345}}}}\n",
        plugins=make_plugins(TextDisplay(stream)),
    )
    assert workflow.run().ok
    lines = stream.getvalue().splitlines()
    assert lines[2].endswith("metrics=dict {r2: 0.9123}")
    assert lines[-1] == "wfe: values: metrics={r2: 0.9123}"


def test_a_terminal_gets_a_live_progress_bar(
    tmp_path: Any, subprocess_env: Callable[..., dict[str, str]]
) -> None:
    import os
    import pty
    import subprocess
    import sys

    path = tmp_path / "wf.yaml"
    path.write_text(
        "workflow_name: bar\ntasks:\n"
        "  - {name: slow, component_name: python_function, outputs: [a],"
        " params: {function: 'wfe_test_functions:sleep_then', kwargs: {seconds: 1.0, value: 1}}}\n"
        "  - {name: quick, component_name: python_function, params: {function: 'wfe_test_functions:inc'}, inputs: {x: a}, outputs: [b]}\n"
    )
    primary, secondary = pty.openpty()  # `wfe run` writes to a pseudo-terminal
    command = [sys.executable, "-m", "wfe", "run", str(path), "--no-record"]
    process = subprocess.Popen(command, stdout=secondary, stderr=secondary, env=subprocess_env())
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:  # the terminal closed: the child exited
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    status = process.wait(timeout=30)
    screen = b"".join(chunks).decode()
    assert status == 0
    assert "[--------------------] 0/2 tasks  running: slow 0." in screen
    assert "\r\x1b[2K[1/2] slow ok in" in screen  # event lines replace the bar, which is redrawn
    assert "1/2 tasks" in screen
    assert "wfe: 'bar' succeeded" in screen
    assert "started" not in screen  # no start lines on a terminal: the bar shows running tasks


def test_pipes_and_logs_get_plain_lines(make_plugins: MakePlugins) -> None:
    stream = io.StringIO()
    wfe.loads(WORKFLOW, plugins=make_plugins(TextDisplay(stream))).run()
    text = stream.getvalue()
    assert len(text.splitlines()) == 7  # every event was printed...
    assert "\r" not in text  # ...as plain lines
    assert "\x1b" not in text


class OneRow:
    """A one-row table, as pandas' DataFrame answers (duck-typed: no pandas here)."""

    shape = (1, 3)
    columns = ("rows", "r2", "name")

    def to_dict(self, orient: str) -> list[dict[str, Any]]:
        assert orient == "records"
        return [{"rows": 10, "r2": 0.95123, "name": 3.0}]


def test_a_one_row_table_of_numbers_is_shown_with_its_values() -> None:
    info = describe(OneRow())
    assert info == {
        "type": "OneRow",
        "shape": [1, 3],
        "value": {"rows": 10, "r2": 0.95123, "name": 3.0},
    }
    assert summary_text(info) == "OneRow 1x3 {rows: 10, r2: 0.9512, name: 3}"

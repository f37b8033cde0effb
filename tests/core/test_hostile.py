"""Hostile definitions end as definition errors, in bounded time and memory.

Every case runs through `wfe validate` (a subprocess with a memory limit and a
timeout: exit 2, a message with file:line:column, no traceback) and through
``wfe.loads``. The small cases are files in ``hostile/`` whose first line names the
problem kind expected; the big ones are written here at run time.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import wfe
from wfe.errors import MAX_PROBLEMS
from wfe.sourcetext import MAX_FILE_BYTES

HOSTILE = Path(__file__).parent / "hostile"
CORPUS = sorted(HOSTILE.glob("*.yaml"))
MEMORY_LIMIT = 1 << 30  # bytes of address space for each `wfe validate`
TIMEOUT = 120  # seconds: "does not hang", not a performance figure
# Each listed problem is a line or two whatever the input: no value is echoed whole.
MAX_OUTPUT = MAX_PROBLEMS * 600


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def validate(path: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wfe", "validate", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        preexec_fn=_limit_memory,
        timeout=TIMEOUT,
        check=False,
    )


def assert_refused(done: subprocess.CompletedProcess[str], path: str | Path) -> None:
    assert done.returncode == 2, done.stderr[-2000:]
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: ", done.stderr), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr
    assert len(done.stderr) < MAX_OUTPUT


def loads_kinds(text: str, source: str = "hostile.yaml") -> list[str]:
    started = time.perf_counter()
    with pytest.raises(wfe.DefinitionError) as info:
        wfe.loads(text, source=source, environ={})
    assert time.perf_counter() - started < TIMEOUT
    assert len(str(info.value)) < MAX_OUTPUT
    return info.value.kinds


def kind_of(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    assert first.startswith("# kind: "), f"{path.name} must start with '# kind: KIND'"
    return first.removeprefix("# kind: ")


@pytest.mark.slow  # a subprocess per case; test_wfe_loads_... below covers them in process
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_wfe_validate_refuses_each_case_of_the_corpus(path: Path) -> None:
    done = validate(path)
    assert_refused(done, path)
    assert kind_of(path) != ""


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_wfe_loads_refuses_each_case_of_the_corpus(path: Path) -> None:
    # bytes that are not UTF-8 reach wfe.loads as lone surrogates, as Python decodes them
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    assert kind_of(path) in loads_kinds(text, path.name)


# -- generated cases: too big to commit, or about the file system -----------------------


def _chain(tmp_path: Path) -> tuple[Path, str]:
    # 5,000 variables each naming the next (RecursionError at ~330 before), the last
    # one undefined: the chain is followed to its end without recursion.
    chain = "".join(f"  v{i}: ${{v{i + 1}}}\n" for i in range(5_000))
    return _task_file(tmp_path, "'${v0}'", "vars:\n" + chain), "unresolved-variable"


def _huge_scalar(tmp_path: Path) -> tuple[Path, str]:
    text = f"workflow_name: x\ntasks:\n  - name: t\n    component_name: {'c' * 15_000_000}\n"
    return _write(tmp_path, text), "bad-name"


def _duplicate_keys(tmp_path: Path) -> tuple[Path, str]:
    return _task_file(tmp_path, "'1'", "vars:\n" + "  a: 1\n" * 200_000), "duplicate-key"


def _wide_params(tmp_path: Path) -> tuple[Path, str]:
    keys = "".join(f"      k{i}: 1\n" for i in range(50_000))
    text = (
        "workflow_name: x\ntasks:\n  - name: t\n    component_name: python_function\n"
        f"    outputs: [o]\n    params:\n      function: json:loads\n{keys}"
    )
    return _write(tmp_path, text), "unknown-param"


def _many_bad_references(tmp_path: Path) -> tuple[Path, str]:
    # thousands of unknown references x thousands of outputs: "did you mean" for each
    # would compare millions of pairs; its budget stops the hints, not the checks
    count = 4_000
    outputs = ", ".join(f"output_{i}" for i in range(count))
    inputs = ", ".join(f"i{i}: outptu_{i}" for i in range(count))
    text = (
        "workflow_name: x\ntasks:\n"
        f"  - {{name: a, component_name: python_function, params: {{function: 'json:loads', kwargs: {{s: '1'}}}}, outputs: [{outputs}]}}\n"
        f"  - {{name: b, component_name: python_function, params: {{function: 'json:dumps'}}, inputs: {{{inputs}}}, outputs: [z]}}\n"
    )
    return _write(tmp_path, text), "unknown-reference"


def _sexagesimal(tmp_path: Path) -> tuple[Path, str]:
    # a YAML 1.1 base-60 int: building it is quadratic in its length
    return _task_file(tmp_path, "1" + ":1" * 300_000), "bad-value"


def _huge_tag(tmp_path: Path) -> tuple[Path, str]:
    return _task_file(tmp_path, f"!<tag:{'x' * 1_000_000}> v"), "unsafe-tag"


def _alias_fan_out(tmp_path: Path) -> tuple[Path, str]:
    # a string of 2,000 references, repeated 3**8 times through aliases: few nodes
    # (the alias budget), but 13 million lookups (the variables' budget)
    lists = "".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}], " for i in range(1, 9))
    value = f"{{l0: &l0 ['{'${a}' * 2_000}'], {lists}s: *l8}}"
    text = _task_file(tmp_path, "1", "vars: {a: x}\n").read_text().replace("{s: 1}", value)
    return _write(tmp_path, text), "expansion-limit"


def _task_file(tmp_path: Path, value: str, before: str = "") -> Path:
    return _write(
        tmp_path,
        f"workflow_name: x\n{before}tasks:\n  - name: t\n    component_name: python_function\n"
        f"    params: {{function: 'json:loads', kwargs: {{s: {value}}}}}\n    outputs: [o]\n",
    )


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


SLOW = pytest.mark.slow
GENERATED = [
    pytest.param(_chain, id="variable_chain_5000"),
    pytest.param(_huge_scalar, id="scalar_15_million_characters"),
    pytest.param(_duplicate_keys, id="duplicate_keys_200_000", marks=SLOW),
    pytest.param(_wide_params, id="unknown_params_50_000"),
    pytest.param(_many_bad_references, id="bad_references_4000_by_4000", marks=SLOW),
    pytest.param(_sexagesimal, id="sexagesimal_300_000_digits"),
    pytest.param(_huge_tag, id="tag_of_a_million_characters"),
    pytest.param(_alias_fan_out, id="references_repeated_by_aliases"),
]


@pytest.mark.parametrize("make", GENERATED)
def test_generated_cases_through_validate_and_loads(
    make: Callable[[Path], tuple[Path, str]], tmp_path: Path
) -> None:
    path, kind = make(tmp_path)
    assert_refused(validate(path), path)
    kinds = loads_kinds(path.read_text(encoding="utf-8"))
    assert kind in kinds
    assert len(kinds) <= MAX_PROBLEMS


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(100 * 2**20)  # sparse: no disk space
    done = validate(path)
    assert_refused(done, path)
    assert "workflow files are limited to" in done.stderr
    text = "x: " + "y" * MAX_FILE_BYTES
    assert loads_kinds(text) == ["too-large"]


def test_a_lone_surrogate_in_text_is_refused() -> None:
    assert loads_kinds("workflow_name: \udcff\ntasks: []\n") == ["not-text"]


@pytest.mark.slow
def test_the_densest_file_under_the_limit_is_refused_within_the_memory_limit(
    tmp_path: Path,
) -> None:
    # ~150 bytes of YAML nodes per byte of text: 2.5 GB unbounded, so it meets the
    # 1 GiB limit of this subprocess and ends as "needs more memory", not a crash.
    # (Through wfe.loads it would take that memory from the test process: CLI only.)
    path = _write(tmp_path, "workflow_name: [" + "1," * ((MAX_FILE_BYTES - 20) // 2) + "1]\n")
    done = validate(path)
    assert_refused(done, path)
    assert "needs more memory" in done.stderr


def test_paths_that_are_not_workflow_files(tmp_path: Path) -> None:
    (tmp_path / "loop_a.yaml").symlink_to(tmp_path / "loop_b.yaml")
    (tmp_path / "loop_b.yaml").symlink_to(tmp_path / "loop_a.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    cases = {
        "/dev/zero": "is not a regular file",
        str(tmp_path): "is a folder",
        str(tmp_path / "pipe.yaml"): "is not a regular file",
        str(tmp_path / "loop_a.yaml"): "is a loop of symbolic links",
    }
    for path, message in cases.items():
        done = validate(path)
        assert_refused(done, path)
        assert message in done.stderr
    long = validate("d/" * 3000 + "w.yaml")
    assert long.returncode == 2
    assert "too long for the operating system" in long.stderr
    assert len(long.stderr) < 1000

"""Sessions for the wfe monorepo; `python -m nox` runs them all, `-s NAME` runs one.

Dependency lists live in pyproject.toml's [dependency-groups]; arguments after `--` go
to pytest (e.g. `python -m nox -s tests -- -m "not slow" -x`).
"""

from __future__ import annotations

import glob
import json
import os
import shutil

import nox

nox.options.sessions = ["lint", "typecheck", "tests", "isolation", "docs"]
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
# components-io with its PostgreSQL driver and its test servers' extra (moto): its tests
# run against real PostgreSQL and S3 servers.
IO = "./components-io[postgres,testing]"
DISTRIBUTIONS = ("./engine-core", IO, "./components-ml", "./executor-dask")


def group(name: str) -> list[str]:
    return nox.project.dependency_groups(PYPROJECT, name)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    session.install(*group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the four src trees, with the distributions installed."""
    session.install(*DISTRIBUTIONS, *group("typecheck"))
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite (tests/dask included), with all four distributions installed
    (not editable)."""
    ensure_postgres(session)
    session.install(*DISTRIBUTIONS, *group("test"), *group("test-io"))
    session.run("pytest", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The docs site, built strictly (a broken link, a bad reference or an undocumented
    component fails it) from docs/ and the installed components into site/."""
    session.install(*DISTRIBUTIONS, *group("docs"))
    session.run("mkdocs", "build", "--strict", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def isolation(session: nox.Session) -> None:
    """Each distribution added in turn: engine-core alone, + components-io, +
    components-ml, + executor-dask. Each stage works without the ones after it, and
    discovery finds exactly what is installed."""
    session.install("./engine-core", *group("test"))
    expect_components(session, {"engine-core"})
    expect_executors(session, {"sequential", "threads"})  # nothing of Dask
    session.run("pytest", "tests/core", *session.posargs)

    ensure_postgres(session)
    session.install(IO, *group("test-io"))
    expect_components(session, {"engine-core", "components-io"})
    session.run("pytest", "tests/core", "tests/io", *session.posargs)
    # churn.yaml needs components-ml: validation must fail (exit 2) and name them.
    output = session.run("wfe", "validate", "workflows/churn.yaml", success_codes=[2], silent=True)
    if not isinstance(output, str) or "unknown component 'churn_feature_engineer'" not in output:
        session.error(
            f"expected churn.yaml to fail validation naming the ML components, got: {output}"
        )

    session.install("./components-ml")
    expect_components(session, {"engine-core", "components-io", "components-ml"})
    session.run("wfe", "validate", "workflows/churn.yaml")
    # The dask executor is not installed: a definition error (exit 2) that says how.
    output = session.run(
        "wfe", "run", "workflows/churn.yaml", "--executor", "dask", success_codes=[2], silent=True
    )
    if not isinstance(output, str) or "pip install ./executor-dask" not in output:
        session.error(
            f"expected --executor dask to name pip install ./executor-dask, got: {output}"
        )

    session.install("./executor-dask")
    expect_executors(session, {"sequential", "threads", "dask"})
    database = os.path.join(session.create_tmp(), "quickstart.db")
    # Its steps live next to the workflow file: the LocalCluster's workers import them too.
    session.run(
        "wfe",
        "run",
        "workflows/quickstart.yaml",
        "--executor",
        "dask",
        "--var",
        f"database={database}",
        "--no-record",
    )


def expect_components(session: nox.Session, distributions: set[str]) -> None:
    """`wfe components list` shows components from these distributions only, with the
    built-in one present, and no plugin failed to load."""
    output = session.run("wfe", "components", "list", "--json", silent=True, stderr=None)
    assert isinstance(output, str)
    rows = json.loads(output)["components"]
    found = {row["distribution"] for row in rows}
    names = sorted(row["name"] for row in rows)
    session.log(f"components: {names}")
    if not found <= distributions or "python_function" not in names:
        session.error(f"expected components from {sorted(distributions)} only, got {rows}")


def expect_executors(session: nox.Session, names: set[str]) -> None:
    """`wfe executors list` shows exactly these executors."""
    output = session.run("wfe", "executors", "list", "--json", silent=True, stderr=None)
    assert isinstance(output, str)
    found = {row["name"] for row in json.loads(output)}
    session.log(f"executors: {sorted(found)}")
    if found != names:
        session.error(f"expected executors {sorted(names)}, got {sorted(found)}")


def ensure_postgres(session: nox.Session) -> None:
    """Install PostgreSQL's server from the OS packages when it is missing.

    The io tests start their own throwaway cluster from these binaries. Installing
    needs root and apt-get; without them the PostgreSQL tests skip locally (and fail
    under CI, where a missing server is an error).
    """
    if shutil.which("pg_config") or glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", external=True, env=env)
        session.run("apt-get", "install", "-y", "postgresql", external=True, env=env)
    else:
        session.warn(
            "PostgreSQL is not installed and cannot be installed here (needs root + apt-get)"
        )

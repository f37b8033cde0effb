"""A throwaway PostgreSQL cluster on 127.0.0.1, for tests and benchmarks.

Uses the server binaries from the OS packages (`pg_config --bindir`, or Debian's
/usr/lib/postgresql/*/bin). initdb refuses to run as root, so as root the cluster is
created and run as the `postgres` user. Durability is switched off: it is thrown away.

Run it alone to get a server for a local session:

    python -m wfe_io.testing.postgres     # prints the URL; Ctrl-C stops and removes it
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INSTALL_HINT", "Cluster", "fresh_database", "server_bindir", "start_cluster"]

INSTALL_HINT = (
    "PostgreSQL's server binaries were not found. Install them (Debian/Ubuntu: "
    "apt-get install postgresql), or set WFE_TEST_POSTGRES_URL to a server you have "
    "(wfe's own `python -m nox -s tests` installs them when run as root)"
)


def server_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    candidates: list[str] = []
    if shutil.which("pg_config"):
        done = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        )
        candidates.append(done.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def _scratch_folder() -> str | None:
    """Where the cluster's files go: /dev/shm when it has room, else (None) the default
    temporary folder. The cluster is thrown away, so memory is fine, and deleting a few
    hundred MB of database files from a disk mounted with ``discard`` took up to 13 s."""
    try:
        room = shutil.disk_usage("/dev/shm").free
    except OSError:
        return None
    return "/dev/shm" if room >= 2 * 1024**3 else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster: its URL (user ``postgres``, database ``postgres``)."""

    url: str
    folder: Path
    pg_ctl: Path
    as_user: list[str]

    def stop(self) -> None:
        """Stop the server and delete its files. The shutdown is immediate: nothing is
        written back, since the files are deleted next."""
        data = self.folder / "data"
        subprocess.run(
            [*self.as_user, str(self.pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            check=False,
            timeout=60,
        )
        pid_file = data / "postmaster.pid"
        if pid_file.exists():  # pg_ctl failed: stop the postmaster by its pid
            with contextlib.suppress(ValueError, ProcessLookupError):
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + pg_ctl start on a free loopback port; returns the running cluster.

    Raises :class:`RuntimeError` with :data:`INSTALL_HINT` when PostgreSQL is missing.
    """
    bindir = server_bindir()
    if bindir is None:
        raise RuntimeError(INSTALL_HINT)
    folder = Path(tempfile.mkdtemp(prefix="wfe-pg-", dir=_scratch_folder()))
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    run = [
        *as_user,
        str(bindir / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "-A",
        "trust",
        "--no-sync",
    ]
    subprocess.run(run, capture_output=True, check=True, timeout=120)
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    start = [
        *as_user,
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(folder / "log"),
        "-o",
        options,
        "-w",
        "start",
    ]
    subprocess.run(start, capture_output=True, check=True, timeout=120)
    return Cluster(
        f"postgresql://postgres@127.0.0.1:{port}/postgres", folder, bindir / "pg_ctl", as_user
    )


def fresh_database(server: str) -> str:
    """Create an empty database on the server at URL ``server``; return its URL.

    Needs SQLAlchemy and the psycopg driver (``pip install 'components-io[postgres]'``).
    """
    import sqlalchemy

    name = f"wfe_test_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        engine.dispose()
    url = sqlalchemy.engine.make_url(server).set(database=name)
    return url.render_as_string(hide_password=False)


if __name__ == "__main__":
    cluster = start_cluster()
    print(cluster.url, flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()

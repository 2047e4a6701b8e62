"""Fixtures every test directory may use: the databases the store runs on.

Servers started by the tests read pages in their own threads (``TEMPLATEOCR_COMPUTE_PROCESSES=1``)
unless a test sets otherwise.

``database_url`` is a fresh, empty database. Tests under ``tests/store`` and tests marked
``@pytest.mark.databases`` get it twice, as SQLite and as PostgreSQL; all others get SQLite.

PostgreSQL is a throwaway cluster started once per test session (per xdist worker) from the
Debian packages (``/usr/lib/postgresql/*/bin``, or ``initdb`` on ``PATH``): a temporary data
directory, a free loopback port, its unix socket in the same directory, no durability (``fsync``
off), stopped and removed when the session ends. ``initdb`` refuses to run as root, so as root
the cluster runs as the ``postgres`` system user. Each test gets its own database in it. Without
the binaries the PostgreSQL tests are skipped, except under ``CI=true``, where they fail.
``TEMPLATEOCR_TEST_PG_BIN`` names the directory of ``initdb`` and ``pg_ctl`` explicitly.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Servers the tests start read pages in their own threads unless a test asks for compute
# processes (tests/api/test_compute.py): a pool per test would spawn and warm engines each time.
os.environ.setdefault("TEMPLATEOCR_COMPUTE_PROCESSES", "1")

BACKENDS = ("sqlite", "postgresql")
_SUPERUSER = "postgres"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "databases: run the test on every database the store supports (SQLite and PostgreSQL)"
    )


def _names(argnames: object) -> list[str]:
    if isinstance(argnames, str):
        return [name.strip() for name in argnames.split(",")]
    return [str(name) for name in argnames] if isinstance(argnames, (list, tuple)) else []


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give ``database_url`` both backends under tests/store and for ``@pytest.mark.databases``
    (unless the test parametrizes ``database_url`` itself)."""
    if "database_url" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        if mark.args and "database_url" in _names(mark.args[0]):
            return
    in_store = Path(str(metafunc.definition.path)).parent.name == "store"
    both = in_store or metafunc.definition.get_closest_marker("databases") is not None
    metafunc.parametrize("database_url", BACKENDS if both else BACKENDS[:1], indirect=True)


def _pg_bin_dir() -> Path | None:
    chosen = os.environ.get("TEMPLATEOCR_TEST_PG_BIN")  # a directory with initdb and pg_ctl
    if chosen is not None:
        ok = (Path(chosen) / "initdb").is_file() and (Path(chosen) / "pg_ctl").is_file()
        return Path(chosen) if ok else None
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for candidate in reversed(candidates):
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    """A running throwaway cluster: where it listens and how to stop it."""

    bin_dir: Path
    root: Path
    port: int
    as_user: list[str]

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str, driver: str = "postgresql") -> str:
        """A URL for ``database`` over loopback TCP."""
        return f"{driver}://{_SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, *args], check=check, capture_output=True, text=True, timeout=120
        )

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction, as the superuser."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=_SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.encode())

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.admin(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server (fast) and remove its directory; safe to call twice."""
        if self.data_dir.exists():
            self.run(
                str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", check=False
            )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresCluster:
    """Initialise and start a cluster in a temporary directory. Raises ``RuntimeError``."""
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL's initdb and pg_ctl were not found (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="templateocr-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise RuntimeError("running as root needs runuser to start PostgreSQL as the postgres user")
        shutil.chown(root, user="postgres", group=None)
        as_user = [runuser, "-u", "postgres", "--"]
    cluster = PostgresCluster(bin_dir=bin_dir, root=root, port=0, as_user=as_user)
    try:
        cluster.run(
            str(bin_dir / "initdb"),
            "-D",
            str(cluster.data_dir),
            "-U",
            _SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        last_error = ""
        for _attempt in range(3):
            cluster.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -c port={cluster.port} -c unix_socket_directories={root} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            started = cluster.run(
                str(bin_dir / "pg_ctl"),
                "start",
                "-D",
                str(cluster.data_dir),
                "-l",
                str(root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                check=False,
            )
            if started.returncode == 0:
                return cluster
            log = root / "server.log"
            last_error = started.stderr + (log.read_text(errors="replace")[-2000:] if log.exists() else "")
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")
    except BaseException:
        cluster.stop()
        raise


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"PostgreSQL is needed in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """The session's PostgreSQL cluster (started on first use)."""
    cluster: PostgresCluster | None = None
    try:
        cluster = start_postgres()
    except (FileNotFoundError, RuntimeError, subprocess.SubprocessError, OSError) as exc:
        reason = str(exc)
    if cluster is None:
        _unavailable(reason)
        return
    atexit.register(cluster.stop)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh empty PostgreSQL database (``postgresql://`` URL), dropped after the test."""
    name = postgres_cluster.create_database()
    try:
        yield postgres_cluster.url(name)
    finally:
        with contextlib.suppress(Exception):
            postgres_cluster.drop_database(name)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of a fresh, empty database: SQLite in ``tmp_path/data`` (not created yet) or PostgreSQL."""
    backend = getattr(request, "param", "sqlite")
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'data' / 'templateocr.sqlite3'}"

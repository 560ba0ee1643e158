"""The production server in a process group of its own, on a scratch database, for the tests
that kill it (tests/security/test_crash_recovery.py).

- `ScratchDatabase`: the server's own database, never the test database. Migrating a new
  database takes half a minute here, so it is a copy of the migrated test database with every
  row removed (SQLite: the online backup API into a file; PostgreSQL: CREATE DATABASE … TEMPLATE,
  or pg_dump of the schema when the test database is busy); `crash_world seed` then replays the
  data migrations. It also answers the questions asked after a kill: integrity, row counts, and
  whether a write transaction is open right now.
- `Server`: gunicorn with the options of bin/serve (gthread workers, same timeouts and logger),
  fewer workers, on a free port, started with `start_new_session=True` so that one killpg
  reaches the master and every worker.
"""

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, var: Path) -> dict:
    """The environment of a production deployment (bin/serve), on the scratch database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    for name in ("HUEY_IMMEDIATE", "REDIS_URL", "TEST_SQLITE_FILE", "DUBAN_HTTPS", "DEBUG"):
        env.pop(name, None)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "duban.settings",
            "DUBAN_VAR_DIR": str(var),
            "SECRET_KEY": "crash-" + os.urandom(24).hex(),
            "AUDIT_CHAIN_KEY": "crash-chain-" + os.urandom(24).hex(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def seed(env: dict, spec: dict, timeout: float = 120) -> dict:
    """`python -m tests.security.crash_world` with `spec` on stdin; its JSON answer."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.security.crash_world"],
        cwd=ROOT,
        env=env,
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"crash_world failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- The database ---------------------------------------------------------------------------


class ScratchDatabase:
    vendor: str
    url: str

    @staticmethod
    def copy_of(connection, folder: Path) -> "ScratchDatabase":
        if connection.vendor == "sqlite":
            return SqliteDatabase(connection, folder / "duban.sqlite3")
        if connection.vendor == "postgresql":
            return PostgresDatabase(connection, f"duban_crash_{os.getpid()}")
        raise NotImplementedError(connection.vendor)

    def integrity_problems(self) -> list[str]:
        raise NotImplementedError

    def scalar(self, sql: str, params=()):
        return self.rows(sql, params)[0][0]

    def rows(self, sql: str, params=()) -> list[tuple]:
        raise NotImplementedError

    def writing(self) -> bool:
        """Is a write transaction open right now?"""
        raise NotImplementedError

    def committing(self) -> bool:
        """Is a commit being carried out right now (PostgreSQL finishes a COMMIT it has begun
        even when the client that sent it is stopped)?"""
        return False

    def settle(self) -> None:
        """After a kill: wait until the killed server's sessions are gone."""

    def drop(self) -> None:
        pass


class SqliteDatabase(ScratchDatabase):
    vendor = "sqlite"

    def __init__(self, connection, path: Path):
        from duban.audit import guards

        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        for statement in guards.SQLITE_REMOVE:
            target.execute(statement)
        tables = [
            name
            for (name,) in target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        target.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            if table != "django_migrations":
                target.execute(f'DELETE FROM "{table}"')
        if target.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
            target.execute("DELETE FROM sqlite_sequence")
        target.commit()
        target.execute("PRAGMA journal_mode = WAL")
        target.close()
        self.path = path
        self.url = f"sqlite:///{path}"
        self._probe = None

    def _connect(self, timeout: float = 20) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=timeout, isolation_level=None)

    def integrity_problems(self) -> list[str]:
        # A fresh connection, as the restarted server opens: it recovers the WAL the killed
        # processes left behind.
        db = self._connect()
        try:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check") if row[0] != "ok"]
            problems += [f"foreign key: {row}" for row in db.execute("PRAGMA foreign_key_check")]
        finally:
            db.close()
        return problems

    def rows(self, sql: str, params=()) -> list[tuple]:
        db = self._connect()
        try:
            return db.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            db.close()

    def writing(self) -> bool:
        """The write lock is held: BEGIN IMMEDIATE, without waiting, is refused."""
        if self._probe is None:
            self._probe = self._connect(timeout=0)
        try:
            self._probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                return True
            raise
        self._probe.execute("ROLLBACK")
        return False

    def settle(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None


class PostgresDatabase(ScratchDatabase):
    vendor = "postgresql"

    def __init__(self, connection, name: str):
        import psycopg
        from django.db import connections

        settings = connection.settings_dict
        self.params = {
            "host": settings["HOST"] or "127.0.0.1",
            "port": settings["PORT"] or 5432,
            "user": settings["USER"] or "postgres",
            "password": settings["PASSWORD"] or None,
        }
        self.name = name
        source = settings["NAME"]
        connections.close_all()  # a template must have no other session
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            except psycopg.errors.ObjectInUse:
                admin.execute(f'CREATE DATABASE "{name}"')
                self._schema_from(source)
        with self._connect() as db:
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'django_migrations'"
                )
            ]
            db.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        user = urllib.parse.quote(self.params["user"])
        password = ":" + urllib.parse.quote(self.params["password"]) if self.params["password"] else ""
        self.url = f"postgres://{user}{password}@{self.params['host']}:{self.params['port']}/{name}"
        self._probe = None

    def _admin(self):
        import psycopg

        return psycopg.connect(dbname="postgres", autocommit=True, **self.params)

    def _connect(self):
        import psycopg

        return psycopg.connect(dbname=self.name, autocommit=True, **self.params)

    def _schema_from(self, source: str) -> None:
        """The test database's tables and migration records (pg_dump), when it is in use."""
        env = {**os.environ, "PGPASSWORD": self.params["password"] or ""}
        common = ["-h", str(self.params["host"]), "-p", str(self.params["port"]), "-U", self.params["user"]]
        for extra in (["--schema-only"], ["--data-only", "--table=django_migrations"]):
            dump = subprocess.run(
                ["pg_dump", *common, "--no-owner", "--no-privileges", *extra, source],
                env=env,
                capture_output=True,
                check=True,
                timeout=120,
            ).stdout
            subprocess.run(
                ["psql", *common, "-q", "-v", "ON_ERROR_STOP=1", "-d", self.name],
                env=env,
                input=dump,
                capture_output=True,
                check=True,
                timeout=120,
            )

    def integrity_problems(self) -> list[str]:
        # No amcheck: the server answers and every table answers a count. The real proof on
        # PostgreSQL is in the tests: all-or-nothing rows, and every acknowledged ballot there once.
        problems = []
        with self._connect() as db:
            if db.execute("SELECT 1").fetchone()[0] != 1:
                problems.append("SELECT 1")
            for (table,) in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall():
                db.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        return problems

    def rows(self, sql: str, params=()) -> list[tuple]:
        with self._connect() as db:
            return db.execute(sql, params).fetchall()

    def _activity(self) -> list[tuple]:
        if self._probe is None:
            self._probe = self._admin()
        return self._probe.execute(
            "SELECT backend_xid IS NOT NULL, state, query FROM pg_stat_activity WHERE datname = %s", [self.name]
        ).fetchall()

    def writing(self) -> bool:
        """A session of the server's has a transaction that has written (it has an xid)."""
        return any(has_xid for has_xid, _state, _query in self._activity())

    def committing(self) -> bool:
        return any(
            state == "active" and (query or "").strip().upper().startswith("COMMIT")
            for _has_xid, state, query in self._activity()
        )

    def settle(self) -> None:
        with self._admin() as admin:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                left = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.name])
                if left.fetchone()[0] == 0:
                    break
                time.sleep(0.05)
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    def drop(self) -> None:
        self.settle()
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _group_states(group: int) -> list[str]:
    """The states (R, S, T, …) of the live processes of a process group (zombies left out)."""
    states = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == group and fields[0] != "Z":
                states.append(fields[0])
    return states


# --- The server -----------------------------------------------------------------------------


class Server:
    """gunicorn as bin/serve runs it, with WORKERS × THREADS (bin/serve: 3 × 4)."""

    WORKERS = 2
    THREADS = 4

    def __init__(self, env: dict, log: Path):
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None
        self.base = ""

    def start(self, seconds: float = 120) -> None:
        for _attempt in range(3):
            if self._start(seconds):
                return
        raise AssertionError("服务器未能启动：\n" + self.log_tail())

    def _start(self, seconds: float) -> bool:
        """Start on a free port and wait until it answers; False if the port was taken meanwhile."""
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        command = [
            str(BIN / "gunicorn"),
            "duban.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(self.WORKERS),
            "--threads",
            str(self.THREADS),
            "--timeout",
            "180",
            "--graceful-timeout",
            "20",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            "--logger-class",
            "duban.lib.access_log.Logger",
        ]
        with self.log.open("a") as log:
            log.write(f"\n=== start {' '.join(command)}\n")
            log.flush()
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                if "Address already in use" in self.log_tail():
                    return False
                raise AssertionError("服务器未能启动：\n" + self.log_tail())
            try:
                if requests.get(self.base + "/accounts/login/", timeout=5).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError("服务器未能在时限内启动：\n" + self.log_tail())

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, number: int) -> None:
        os.killpg(self.process.pid, number)

    def freeze(self) -> None:
        """SIGSTOP to the master and every worker; returns once every one of them is stopped."""
        self.send(signal.SIGSTOP)
        deadline = time.monotonic() + 30
        while any(state != "T" for state in _group_states(self.process.pid)):
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not stop: {_group_states(self.process.pid)}")
            time.sleep(0.005)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once, as `kill -9` or the OOM killer would:
        no handler runs, nothing is flushed or rolled back by the server itself."""
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            self.send(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None
        # The workers die with the master; wait until none of the group is left (a zombie
        # waiting for its new parent to reap it holds nothing: no file, no lock, no socket).
        deadline = time.monotonic() + 30
        while _group_states(group) and time.monotonic() < deadline:
            time.sleep(0.05)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

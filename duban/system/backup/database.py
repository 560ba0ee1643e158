"""Copying the whole database into a backup file and back.

SQLite goes through the online backup API of the live Django connection: the database runs
in WAL mode, so copying the file would not be consistent, and the test suite's in-memory
database has no file at all. PostgreSQL goes through pg_dump/pg_restore; the row counts and
migration state are read in the very snapshot pg_dump exports, so they describe the dump.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from duban.system.backup import BackupError

VENDORS = ("sqlite", "postgresql")
FILES = {"sqlite": "db.sqlite3", "postgresql": "db.pgdump"}
PG_DUMP = "pg_dump"
PG_RESTORE = "pg_restore"
# pg_restore drops every table: give up rather than wait forever behind a session that holds a lock.
PG_LOCK_TIMEOUT = "-c lock_timeout=60s"
# Connection options that libpq reads from the environment, so they reach pg_dump/pg_restore.
PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}

ERR_VENDOR = "不支持的数据库类型：{vendor}（只支持 SQLite 和 PostgreSQL）。"
ERR_IN_TRANSACTION = "不能在未结束的数据库事务中备份或恢复数据库。"
ERR_SQLITE = "SQLite 备份接口出错：{error}"
ERR_TOOL_MISSING = (
    "找不到 {tool} 命令：请安装与数据库服务器版本一致的 PostgreSQL 客户端（如 Debian 的 postgresql-client-15），"
    "并确认它在 PATH 中。"
)
ERR_TOOL_FAILED = "{tool} 执行失败（退出码 {code}）：{output}"
ERR_OTHER_SESSIONS = "还有 {n} 个其他连接在使用数据库“{name}”：请先停止网站和后台任务进程（gunicorn、huey），再恢复。"


@dataclass
class Dump:
    """What `dump` wrote: the file (inside the backup) and the state it holds."""

    file: str
    row_counts: dict[str, int]
    migrations: dict[str, str]


def vendor() -> str:
    if connection.vendor not in VENDORS:
        raise BackupError(ERR_VENDOR.format(vendor=connection.vendor))
    return connection.vendor


def dump(directory: Path) -> Dump:
    """Write the whole database into `directory`; return the file's name and what it holds."""
    _refuse_in_transaction()
    name = FILES[vendor()]
    if connection.vendor == "sqlite":
        counts, migrations = _sqlite_dump(directory / name)
    else:
        counts, migrations = _postgres_dump(directory / name)
    return Dump(file=name, row_counts=counts, migrations=migrations)


def load(path: Path) -> None:
    """Replace the whole database with the contents of a file `dump` wrote."""
    _refuse_in_transaction()
    if vendor() == "sqlite":
        _sqlite_load(path)
    else:
        _postgres_load(path)


def row_counts() -> dict[str, int]:
    """Rows per table of the live database."""
    with connection.cursor() as cursor:
        return _counts(cursor, _tables(cursor))


# --- SQLite -------------------------------------------------------------------------


def _sqlite_dump(target: Path) -> tuple[dict, dict]:
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): the source stays read-locked for the whole copy, so it is consistent.
        connection.connection.backup(copy)
        # The copy inherits WAL mode from a file database; a backup must be one self-contained file.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        return _counts(cursor, _sqlite_tables(cursor)), _migrations(cursor)
    except sqlite3.Error as error:
        raise BackupError(ERR_SQLITE.format(error=error))
    finally:
        copy.close()


def _sqlite_load(path: Path) -> None:
    source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(ERR_SQLITE.format(error=error))
    finally:
        source.close()
    # A file database reopens in WAL mode with the settings' pragmas (the in-memory test database stays open).
    connection.close()


def _sqlite_tables(cursor) -> list[str]:
    # sqlite_sequence and sqlite_stat1 belong to SQLite itself.
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


# --- PostgreSQL ---------------------------------------------------------------------


def _postgres_dump(target: Path) -> tuple[dict, dict]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts, migrations = _counts(cursor, _tables(cursor)), _migrations(cursor)
        # pg_dump joins the snapshot while this transaction is still open.
        _pg_run(PG_DUMP, "--format=custom", f"--snapshot={snapshot}", f"--file={target}")
    return counts, migrations


def _postgres_load(path: Path) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        others = cursor.fetchone()[0]
    if others:
        raise BackupError(ERR_OTHER_SESSIONS.format(n=others, name=connection.settings_dict["NAME"]))
    _pg_run(PG_RESTORE, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path))


def _pg_run(tool: str, *arguments: str) -> None:
    """Run a PostgreSQL client against the configured database; the password goes through
    the environment, never the command line (where `ps` shows it)."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(ERR_TOOL_MISSING.format(tool=tool))
    params = connection.settings_dict
    command = [executable, "--no-password"]
    if params.get("HOST"):
        command.append(f"--host={params['HOST']}")
    if params.get("PORT"):
        command.append(f"--port={params['PORT']}")
    if params.get("USER"):
        command.append(f"--username={params['USER']}")
    command += [f"--dbname={params['NAME']}", *arguments]
    env = {**os.environ, "PGOPTIONS": f"{os.environ.get('PGOPTIONS', '')} {PG_LOCK_TIMEOUT}".strip()}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    for option, variable in PG_OPTION_ENV.items():
        if params.get("OPTIONS", {}).get(option):
            env[variable] = str(params["OPTIONS"][option])
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(ERR_TOOL_FAILED.format(tool=tool, code=result.returncode, output=output))


# --- Both -----------------------------------------------------------------------------


def _refuse_in_transaction() -> None:
    connection.ensure_connection()
    # SQLite's backup API waits forever on a source that has a write transaction open.
    if connection.in_atomic_block or getattr(connection.connection, "in_transaction", False):
        raise BackupError(ERR_IN_TRANSACTION)


def _tables(cursor) -> list[str]:
    if connection.vendor == "sqlite":
        return _sqlite_tables(cursor)
    return sorted(connection.introspection.table_names(cursor))


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a table name)
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor) -> dict[str, str]:
    """The latest applied migration of each app (names are numbered, so the greatest is the latest)."""
    cursor.execute("SELECT app, name FROM django_migrations")
    latest = {}
    for app, name in cursor.fetchall():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))

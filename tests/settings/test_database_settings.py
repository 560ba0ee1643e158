"""Guards: the SQLite settings that keep concurrent writers from failing with
"database is locked" (WAL, synchronous=NORMAL, a busy timeout, IMMEDIATE transactions)."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_default_database_is_sqlite_with_the_safe_options(tmp_path):
    """Read the settings as a fresh process would, without DATABASE_URL."""
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE']='duban.settings'; django.setup();"
        "from django.conf import settings; d=settings.DATABASES['default'];"
        "print(json.dumps({'engine': d['ENGINE'], 'options': d.get('OPTIONS', {})}))"
    )
    env = {"PATH": "/usr/bin:/bin", "DUBAN_VAR_DIR": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    import json

    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["engine"] == "django.db.backends.sqlite3"
    options = data["options"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
    assert "synchronous=NORMAL" in options["init_command"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_a_file_database_really_opens_in_wal_mode(tmp_path):
    """The init command takes effect on a real file (the test database itself is in memory)."""
    path = tmp_path / "probe.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(settings.DATABASES["default"]["OPTIONS"]["init_command"])
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    db.close()


@pytest.mark.django_db
def test_planner_statistics_are_kept(org):
    """The nightly task refreshes SQLite's planner statistics (a new index has none until then)."""
    from django.db import connection

    from duban.system.tasks import statistics_refresh

    result = statistics_refresh()
    if connection.vendor != "sqlite":
        assert result == "skipped"
        return
    assert result == "optimized"
    with connection.cursor() as cursor:
        tables = {row[0] for row in cursor.execute("SELECT tbl FROM sqlite_stat1").fetchall()}
    assert "org_unit" in tables

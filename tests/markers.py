"""Markers that choose which of CI's two passes (SQLite, then PostgreSQL) runs a test."""

import pytest
from django.db import connection

# Races that SQLite's single writer hides are real on PostgreSQL only.
CONCURRENT = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
# Code that touches no database: the SQLite pass covers it, the PostgreSQL pass skips it.
DB_FREE = pytest.mark.skipif(connection.vendor == "postgresql", reason="不涉及数据库，SQLite 一轮已覆盖")

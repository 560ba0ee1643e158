"""Database triggers that refuse UPDATE and DELETE on the security-event log.

Installed by migration 0002. The test suite removes them for its own database
(test flushes delete rows) and re-installs them in the test that proves they work.
"""

TABLE = "audit_securityevent"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_secevent_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'security events are append-only'); END;",
    f"CREATE TRIGGER IF NOT EXISTS audit_secevent_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'security events are append-only'); END;",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_secevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_secevent_no_delete;",
]
POSTGRES_INSTALL = [
    "CREATE OR REPLACE FUNCTION audit_secevent_refuse() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'security events are append-only'; END; $$ LANGUAGE plpgsql;",
    f"DROP TRIGGER IF EXISTS audit_secevent_append_only ON {TABLE};",
    f"CREATE TRIGGER audit_secevent_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_secevent_refuse();",
]
POSTGRES_REMOVE = [f"DROP TRIGGER IF EXISTS audit_secevent_append_only ON {TABLE};"]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    return []


def install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, True):
            cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, False):
            cursor.execute(sql)

"""Database triggers that refuse UPDATE and DELETE on the security-event log.

The one exception is retention: a DELETE goes through for rows at or below the
chain head's `pruned_through_seq`, which only `duban.audit.retention` advances (and
signs). Installed by migrations 0002 and 0006. The test suite removes them for its
own database (test flushes delete rows) and re-installs them in the tests that
prove they work.
"""

TABLE = "audit_securityevent"
REFUSAL = "security events are append-only"
_BELOW_ANCHOR = "COALESCE((SELECT pruned_through_seq FROM audit_chainhead WHERE id = 1), 0)"

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_secevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_secevent_no_delete;",
]
SQLITE_INSTALL = [
    *SQLITE_REMOVE,
    f"CREATE TRIGGER audit_secevent_no_update BEFORE UPDATE ON {TABLE} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END;",
    f"CREATE TRIGGER audit_secevent_no_delete BEFORE DELETE ON {TABLE} "
    f"WHEN OLD.seq > {_BELOW_ANCHOR} "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END;",
]
POSTGRES_INSTALL = [
    "CREATE OR REPLACE FUNCTION audit_secevent_refuse() RETURNS trigger AS $$ "
    f"BEGIN IF TG_OP = 'DELETE' AND OLD.seq <= {_BELOW_ANCHOR} THEN RETURN OLD; END IF; "
    f"RAISE EXCEPTION '{REFUSAL}'; END; $$ LANGUAGE plpgsql;",
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

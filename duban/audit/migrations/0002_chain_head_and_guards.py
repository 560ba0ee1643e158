from django.db import migrations


def create_head(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    ChainHead.objects.get_or_create(id=1)


# The guards as they were when this migration was written (0006 replaces them);
# frozen here so that a fresh database migrates the same way whatever guards.py says now.
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


def _install(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, True):
            cursor.execute(sql)


def _remove(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, False):
            cursor.execute(sql)


def install_guards(apps, schema_editor):
    _install(schema_editor.connection)


def remove_guards(apps, schema_editor):
    _remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(install_guards, remove_guards),
    ]

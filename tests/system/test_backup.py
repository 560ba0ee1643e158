"""`backup` and `restore`: a round trip brings back every row of every table and every
attachment byte; a damaged, foreign or unconfirmed backup is refused and changes nothing.

Transactional tests throughout: pg_dump sees only committed rows, and SQLite's backup API
cannot read a connection with a write transaction open.
"""

import datetime
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from duban.audit.models import EventKind, SecurityEvent
from duban.audit.services import security_chain_verify, security_event_record
from duban.org.models import Person, Unit
from duban.supervision.models import Attachment, Item, ProgressReport, ReportStatus
from duban.supervision.services.reports import report_fill
from duban.system.backup import database, manifest, services
from duban.system.management.commands import restore as restore_command
from duban.system.models import SiteSettings

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n%evidence of the teaching project\n"
AUDIT_TABLES = {"audit_securityevent", "audit_chainhead"}


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


@pytest.fixture
def backups(tmp_path):
    return tmp_path / "backups"


def backup(output) -> tuple[Path, str]:
    out = io.StringIO()
    call_command("backup", output=output, stdout=out)
    [made] = output.iterdir()
    return made, out.getvalue()


def restore(path, **options) -> str:
    out = io.StringIO()
    call_command("restore", str(path), stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, all columns, in primary-key order."""
    tables = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            keys = connection.introspection.get_primary_key_columns(cursor, table)
            order = f" ORDER BY {', '.join(quote(key) for key in keys)}" if keys else ""
            cursor.execute(f"SELECT * FROM {quote(table)}{order}")
            # Only SQLite's own sqlite_stat1 has no primary key.
            tables[table] = cursor.fetchall() if keys else sorted(cursor.fetchall(), key=repr)
    return tables


def media_files(root) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def leftovers(media_root) -> list[str]:
    """Staging or set-aside attachment folders a restore left beside MEDIA_ROOT."""
    return sorted(path.name for path in media_root.parent.iterdir() if path.name.startswith(".media."))


@pytest.fixture
def filled(work, people, media):
    """Units, people, a plan with items, a submitted report with an evidence file, security events."""
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        report = ProgressReport.objects.filter(item=work.teaching, status=ReportStatus.OPEN).order_by("-period_start")[
            0
        ]
        report_fill(
            acting_user=people.head,
            report=report,
            progress_text="方案已论证，进入实施",
            percent=30,
            uploads=[SimpleUploadedFile("实施方案.pdf", PDF, content_type="application/pdf")],
            submit=True,
        )
    security_event_record(kind=EventKind.LOGIN_SUCCESS, actor=people.office, target="office")
    security_event_record(kind=EventKind.EXPORT, actor=people.office, target="督办台账", detail={"rows": 4})
    return work


# --- The round trip -----------------------------------------------------------------


def test_restore_brings_back_every_row_and_every_attachment(filled, org, people, media, backups):
    attachment = Attachment.objects.get()
    before = snapshot()
    files_before = media_files(media)
    assert files_before == {attachment.file.name: PDF}
    assert len(before["audit_securityevent"]) == 2 and before["supervision_progressreport"]

    path, _ = backup(backups)

    # Change, add and delete rows of several tables, and the attachments.
    Unit.objects.filter(pk=org.academic.pk).update(name="教务部")
    Person.objects.create_user(username="newcomer", password="Test-Passw0rd!", name="新来的", unit=org.hr)
    SiteSettings.objects.update_or_create(id=1, defaults={"system_name": "改过的名字"})
    Attachment.objects.all().delete()
    Item.objects.filter(pk=filled.courses.pk).delete()
    security_event_record(kind=EventKind.LOGOUT, actor=people.office, target="office")
    (media / attachment.file.name).unlink()
    (media / "stray.pdf").write_bytes(PDF)
    assert snapshot() != before

    output = restore(path, yes=True)

    assert "恢复完成" in output and "已逐表核对行数" in output
    after = snapshot()
    assert after.keys() == before.keys()
    for table in before.keys() - AUDIT_TABLES:
        assert after[table] == before[table], table
    # The security events are the backup's, with the restore appended to that chain.
    assert after["audit_securityevent"][:-1] == before["audit_securityevent"]
    restored = SecurityEvent.objects.order_by("-seq").first()
    assert restored.kind == EventKind.RESTORE and restored.target == str(path)
    assert SecurityEvent.objects.count() == 3
    assert security_chain_verify() is None
    assert media_files(media) == files_before
    assert leftovers(media) == []


def test_backup_is_one_self_describing_directory(filled, media, backups):
    before = snapshot()
    path, output = backup(backups)

    assert re.fullmatch(r"duban-\d{8}-\d{6}", path.name)
    assert [p.name for p in backups.iterdir()] == [path.name]  # no .partial left behind
    assert f"备份完成：{path}" in output and "附件 1 个" in output and "不含密钥" in output
    described = json.loads((path / "manifest.json").read_text("utf-8"))
    assert described["format"] == "duban-backup" and described["format_version"] == 1
    assert described["app"]["version"] == "0.1.0"
    assert described["keys_included"] is False
    db = described["database"]
    assert db["vendor"] == connection.vendor and db["file"] == database.FILES[connection.vendor]
    applied = MigrationRecorder(connection).applied_migrations()
    assert db["migrations"]["audit"] == max(name for app, name in applied if app == "audit")
    counted = {table: len(rows) for table, rows in before.items() if not table.startswith("sqlite_")}
    assert db["row_counts"] == counted
    # A checksum and size for every file, and nothing else in the directory.
    on_disk = sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file())
    assert sorted(described["files"]) == sorted(name for name in on_disk if name != "manifest.json")
    attachment = Attachment.objects.get()
    assert f"media/{attachment.file.name}" in described["files"]
    assert not any("secret_key" in name or "chain_key" in name for name in on_disk)
    for name, entry in described["files"].items():
        assert entry == {"sha256": manifest.file_digest(path / name), "size": (path / name).stat().st_size}
    assert described["signature"] == manifest.signature(described)
    event = SecurityEvent.objects.get(kind=EventKind.BACKUP)
    assert event.target == str(path) and event.actor_username.startswith("命令行")
    assert event.detail["rows"] == sum(counted.values())


def test_an_interrupted_backup_leaves_nothing_that_looks_complete(org, media, backups, monkeypatch):
    def disk_full(source, target):
        raise OSError("磁盘空间不足")

    monkeypatch.setattr(services, "_copy_tree", disk_full)
    with pytest.raises(CommandError) as refused:
        call_command("backup", output=backups, stdout=io.StringIO())
    assert str(refused.value) == services.ERR_WRITE.format(error="磁盘空间不足")
    assert list(backups.iterdir()) == []
    assert not SecurityEvent.objects.filter(kind=EventKind.BACKUP).exists()


def test_backup_inside_an_open_transaction_is_refused(org, media, backups):
    with pytest.raises(CommandError) as refused, transaction.atomic():
        call_command("backup", output=backups, stdout=io.StringIO())
    assert str(refused.value) == database.ERR_IN_TRANSACTION
    assert list(backups.iterdir()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is used on PostgreSQL only")
def test_missing_pg_dump_is_named(org, media, backups, monkeypatch):
    monkeypatch.setattr(database.shutil, "which", lambda name: None)
    with pytest.raises(CommandError) as refused:
        call_command("backup", output=backups, stdout=io.StringIO())
    assert str(refused.value) == database.ERR_TOOL_MISSING.format(tool="pg_dump")
    assert list(backups.iterdir()) == []


# --- Refusals: nothing changes --------------------------------------------------------


@pytest.fixture
def made(org, media, backups):
    """A backup holding one attachment; afterwards the live data move on (a renamed unit, a new file)."""
    (media / "attachments").mkdir()
    (media / "attachments" / "a.pdf").write_bytes(PDF)
    path, _ = backup(backups)
    Unit.objects.filter(pk=org.academic.pk).update(name="教务部")
    (media / "attachments" / "a.pdf").write_bytes(PDF + b"newer")
    return path


def refused(path, message, media, **options):
    """restore fails with exactly `message` and leaves the database and the attachments as they were."""
    before, files_before = snapshot(), media_files(media)
    with pytest.raises(CommandError) as error:
        restore(path, **options)
    assert str(error.value) == message
    assert snapshot() == before
    assert media_files(media) == files_before
    assert leftovers(media) == []
    assert not SecurityEvent.objects.filter(kind=EventKind.RESTORE).exists()


def rewrite_manifest(path, change, *, sign=True):
    described = json.loads((path / "manifest.json").read_text("utf-8"))
    change(described)
    if sign:
        manifest.write(path, {key: value for key, value in described.items() if key != "signature"})
    else:
        (path / "manifest.json").write_text(json.dumps(described, ensure_ascii=False), "utf-8")


@pytest.mark.parametrize("target", ["database", "media/attachments/a.pdf"])
def test_an_altered_file_is_refused(made, media, target):
    name = database.FILES[connection.vendor] if target == "database" else target
    data = bytearray((made / name).read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, different content
    (made / name).write_bytes(bytes(data))
    refused(made, manifest.ERR_ALTERED.format(name=name), media, yes=True)


@pytest.mark.parametrize("target", ["database", "media/attachments/a.pdf"])
def test_a_missing_file_is_refused(made, media, target):
    name = database.FILES[connection.vendor] if target == "database" else target
    (made / name).unlink()
    refused(made, manifest.ERR_MISSING.format(name=name), media, yes=True)


def test_a_file_the_manifest_does_not_list_is_refused(made, media):
    (made / "media" / "attachments" / "planted.pdf").write_bytes(PDF)
    refused(made, manifest.ERR_UNLISTED.format(name="media/attachments/planted.pdf"), media, yes=True)


def test_an_edited_manifest_is_refused(made, media):
    rewrite_manifest(made, lambda m: m["database"]["row_counts"].update(org_unit=99), sign=False)
    refused(made, manifest.ERR_SIGNATURE, media, yes=True)


def test_a_missing_manifest_is_refused(made, media):
    (made / "manifest.json").unlink()
    refused(made, manifest.ERR_NO_MANIFEST.format(path=made), media, yes=True)


def test_a_backup_of_another_database_vendor_is_refused(made, media):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    rewrite_manifest(made, lambda m: m["database"].update(vendor=other))
    message = services.ERR_VENDOR_MISMATCH.format(backup=other, current=connection.vendor)
    refused(made, message, media, yes=True)


def test_a_backup_from_a_newer_program_is_refused(made, media):
    rewrite_manifest(made, lambda m: m["database"]["migrations"].update(audit="0099_from_the_future"))
    refused(made, services.ERR_NEWER.format(names="audit.0099_from_the_future"), media, yes=True)


def test_without_yes_and_without_a_terminal_restore_refuses(made, media, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))  # piped input is no confirmation
    refused(made, restore_command.ERR_NEED_YES, media)


def test_on_a_terminal_restore_asks_and_stops_unless_told_yes(made, media, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    questions = []
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "no")
    refused(made, restore_command.ERR_CANCELLED, media)
    assert "现有内容将被覆盖" in questions[0] and str(media) in questions[0]


def test_a_restore_that_cannot_copy_the_attachments_changes_nothing(made, media, monkeypatch):
    def disk_full(source, target):
        raise OSError("磁盘空间不足")

    monkeypatch.setattr(services.shutil, "copy2", disk_full)
    refused(made, services.ERR_STAGING.format(error="磁盘空间不足"), media, yes=True)


def test_row_counts_are_checked_after_restoring(made, media, org):
    """With the signature check skipped, an edited count is caught by the check after the restore;
    the old attachments are kept aside, not deleted."""
    expected = Unit.objects.count()
    rewrite_manifest(made, lambda m: m["database"]["row_counts"].update(org_unit=expected + 1), sign=False)
    with pytest.raises(CommandError) as error:
        restore(made, yes=True, ignore_signature=True)
    kept = leftovers(media)
    assert str(error.value) == services.ERR_COUNTS.format(
        tables=f"org_unit 应为 {expected + 1} 行，实为 {expected}", aside=media.parent / kept[0]
    )
    assert Unit.objects.get(pk=org.academic.pk).name == "教务处"  # the database was restored
    assert (media.parent / kept[0] / "attachments" / "a.pdf").read_bytes() == PDF + b"newer"
    assert not SecurityEvent.objects.filter(kind=EventKind.RESTORE).exists()


# --- PostgreSQL client arguments -------------------------------------------------------


@pytest.mark.django_db(transaction=False)
def test_pg_password_goes_through_the_environment_never_the_command_line(monkeypatch):
    calls = []

    def run(command, *, env, **kwargs):
        calls.append((command, env))
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(database.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(database.subprocess, "run", run)
    params = {"HOST": "db.internal", "PORT": "5433", "USER": "duban", "NAME": "duban", "PASSWORD": "s3cret"}
    for key, value in params.items():
        monkeypatch.setitem(connection.settings_dict, key, value)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"sslmode": "require"})

    database._pg_run(database.PG_RESTORE, "--clean", "backup.pgdump")

    [(command, env)] = calls
    assert command == [
        "/usr/bin/pg_restore",
        "--no-password",
        "--host=db.internal",
        "--port=5433",
        "--username=duban",
        "--dbname=duban",
        "--clean",
        "backup.pgdump",
    ]
    assert not any("s3cret" in part for part in command)
    assert env["PGPASSWORD"] == "s3cret" and env["PGSSLMODE"] == "require"
    assert "lock_timeout" in env["PGOPTIONS"]


@pytest.mark.django_db(transaction=False)
def test_a_failing_pg_tool_is_reported_in_chinese(monkeypatch):
    monkeypatch.setattr(database.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        database.subprocess,
        "run",
        lambda command, **kwargs: subprocess.CompletedProcess(command, 1, "", "pg_dump: error: connection refused\n"),
    )
    with pytest.raises(database.BackupError) as error:
        database._pg_run(database.PG_DUMP, "--format=custom")
    assert str(error.value) == "pg_dump 执行失败（退出码 1）：pg_dump: error: connection refused"

"""Making a backup and restoring one: the database, the attachments, the manifest, the events.

A backup is one directory, duban-YYYYMMDD-HHMMSS/, holding the database file (db.sqlite3 or
db.pgdump), media/ (every file of the attachment storage) and manifest.json. The key files
SECRET_KEY and AUDIT_CHAIN_KEY are never in it: they are kept, and must be saved, apart.
"""

import getpass
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.system.backup import BackupError, database, manifest

PREFIX = "duban-"
MEDIA = "media"

ERR_NO_LOCAL_MEDIA = "附件存储不在本地文件系统上，无法备份或恢复附件。"
ERR_WRITE = "写入备份失败：{error}"
ERR_VENDOR_MISMATCH = "备份来自 {backup} 数据库，当前数据库是 {current}：不能恢复到不同类型的数据库。"
ERR_NEWER = "备份包含当前程序没有的数据库迁移（{names}），来自更新版本的程序：请先升级程序再恢复。"
ERR_STAGING = "复制备份中的附件失败：{error}。未做任何改动。"
ERR_MEDIA = "换上备份中的附件失败：{error}。数据库已恢复；原附件在 {kept}，备份中的附件在 {staging}。"
ERR_COUNTS = "恢复后的核对不通过：{tables}。原附件目录保留在 {aside}。"


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    media_files: int
    size: int


@dataclass
class RestoreResult:
    tables: int
    rows: int
    media_files: int


def media_root() -> Path:
    """Where attachments are stored: the default storage's folder (MEDIA_ROOT unless STORAGES names another)."""
    location = getattr(storages["default"], "location", None)
    if location is None:
        raise BackupError(ERR_NO_LOCAL_MEDIA)
    return Path(location)


def backup_create(*, output: Path) -> BackupResult:
    """Write a new backup under `output`. It is built under a hidden .partial name and renamed
    only when complete, so an interrupted backup never looks like one."""
    vendor = database.vendor()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    try:
        output.mkdir(parents=True, exist_ok=True)
        # A fresh name of its own, readable by this account only: it holds every password hash and personal record.
        partial = Path(tempfile.mkdtemp(prefix=f".{PREFIX}{stamp}-", suffix=".partial", dir=output))
    except OSError as error:
        raise BackupError(ERR_WRITE.format(error=error))
    try:
        dumped = database.dump(partial)
        media_files = _copy_tree(media_root(), partial / MEDIA)
        files = manifest.files_describe(partial)
        manifest.write(
            partial,
            {
                "format": manifest.FORMAT,
                "format_version": manifest.FORMAT_VERSION,
                "created_at": timezone.localtime().isoformat(timespec="seconds"),
                "app": _app_version(),
                "database": {
                    "vendor": vendor,
                    "file": dumped.file,
                    "migrations": dumped.migrations,
                    "row_counts": dumped.row_counts,
                },
                "media": {"files": media_files},
                "keys_included": False,
                "files": files,
            },
        )
        final = _free_name(output, PREFIX + stamp)
        partial.rename(final)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(error, OSError):
            raise BackupError(ERR_WRITE.format(error=error))
        raise
    result = BackupResult(
        path=final,
        tables=len(dumped.row_counts),
        rows=sum(dumped.row_counts.values()),
        media_files=media_files,
        size=sum(entry["size"] for entry in files.values()),
    )
    security_event_record(
        kind=EventKind.BACKUP,
        actor_username=_operator(),
        target=str(final)[:200],
        detail={"database": vendor, "tables": result.tables, "rows": result.rows, "media_files": media_files},
    )
    return result


def backup_check(path: Path, *, check_signature: bool = True) -> dict:
    """Read and verify a backup before anything is changed: every file, the database vendor,
    migrations this program knows. Returns the manifest."""
    path = path.parent if path.name == manifest.NAME else path
    described = manifest.read(path)
    manifest.verify(path, described, check_signature=check_signature)
    backup_vendor = described["database"]["vendor"]
    if backup_vendor != database.vendor():
        raise BackupError(ERR_VENDOR_MISMATCH.format(backup=backup_vendor, current=database.vendor()))
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [f"{app}.{name}" for app, name in described["database"]["migrations"].items() if (app, name) not in known]
    if unknown:
        raise BackupError(ERR_NEWER.format(names="、".join(unknown)))
    return described


def backup_restore(*, path: Path, described: dict) -> RestoreResult:
    """Replace the database and the attachments with a backup `backup_check` accepted.

    1. Copy the backup's attachments beside the attachment folder (nothing live changes yet).
    2. Replace the database.
    3. Move the old attachment folder aside and the copied one into its place.
    4. Check the row count of every table against the manifest.
    5. Record the restore, appended to the restored security-event chain.
    6. Only then delete the old attachments.
    """
    path = path.parent if path.name == manifest.NAME else path
    root = media_root()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    staging = root.with_name(f".{root.name}.restore-{stamp}")
    aside = root.with_name(f".{root.name}.old-{stamp}")
    try:
        staging.mkdir(parents=True)
        media_files = 0
        for name in described["files"]:
            parts = PurePosixPath(name).parts
            if len(parts) > 1 and parts[0] == MEDIA:
                target = staging.joinpath(*parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path.joinpath(*parts), target)
                media_files += 1
        database.load(path / described["database"]["file"])
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise BackupError(ERR_STAGING.format(error=error))
        raise
    kept = root
    try:
        if root.exists():
            root.rename(aside)
            kept = aside
        staging.rename(root)
    except OSError as error:
        raise BackupError(ERR_MEDIA.format(error=error, kept=kept, staging=staging))
    expected = described["database"]["row_counts"]
    actual = database.row_counts()
    wrong = [
        f"{table} 应为 {count} 行，实为 {actual.get(table, '（无此表）')}"
        for table, count in expected.items()
        if actual.get(table) != count
    ]
    if wrong:
        raise BackupError(ERR_COUNTS.format(tables="；".join(wrong), aside=aside))
    security_event_record(
        kind=EventKind.RESTORE,
        actor_username=_operator(),
        target=str(path)[:200],
        detail={
            "backup_created_at": described["created_at"],
            "database": described["database"]["vendor"],
            "tables": len(expected),
            "rows": sum(expected.values()),
            "media_files": media_files,
        },
    )
    shutil.rmtree(aside, ignore_errors=True)
    return RestoreResult(tables=len(expected), rows=sum(expected.values()), media_files=media_files)


def _copy_tree(source: Path, target: Path) -> int:
    target.mkdir()
    copied = 0
    if not source.is_dir():
        return copied
    for path in sorted(source.rglob("*")):
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            copied += 1
    return copied


def _free_name(output: Path, name: str) -> Path:
    """duban-20261122-153000, or -2, -3… when two backups start within one second."""
    candidate, n = output / name, 1
    while candidate.exists():
        n += 1
        candidate = output / f"{name}-{n}"
    return candidate


def _app_version() -> dict:
    version = ""
    try:
        with (settings.BASE_DIR / "pyproject.toml").open("rb") as handle:
            version = tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    commit = ""
    try:
        # git from PATH with fixed arguments.
        result = subprocess.run(  # noqa: S603
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        commit = result.stdout.strip() if result.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        pass
    return {"version": version, "commit": commit}


def _operator() -> str:
    """Who ran the command: the operating-system account, as commands have no logged-in person."""
    try:
        return f"命令行：{getpass.getuser()}"[:150]
    except (OSError, KeyError):
        return "命令行"


def migrations_pending() -> bool:
    """After restoring an older backup: does the restored database need `migrate`?"""
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))

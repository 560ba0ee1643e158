"""Back up the database and every attachment: `python manage.py backup [--output DIR]`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from duban.system.backup import BackupError
from duban.system.backup.services import backup_create

ERR_FAILED = "备份失败：{error}"
KEYS_NOTE = (
    "注意：备份中不含密钥（{var}/secret_key、{var}/audit_chain_key，或环境变量 SECRET_KEY、AUDIT_CHAIN_KEY），"
    "请另行备份并妥善保密；恢复后须使用同一对密钥，否则审计链无法校验。"
)


class Command(BaseCommand):
    help = (
        "备份数据库和全部附件：在输出目录（默认 var/backups）下新建一个带时间戳的目录，"
        "内含数据库、附件和带 SHA-256 校验和的清单 manifest.json。密钥文件不在其中，须另行备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="备份存放的目录（默认 VAR_DIR/backups）。")

    def handle(self, *args, output, **options):
        try:
            result = backup_create(output=output or settings.VAR_DIR / "backups")
        except BackupError as error:
            raise CommandError(str(error))
        except (OSError, DatabaseError) as error:
            raise CommandError(ERR_FAILED.format(error=error))
        self.stdout.write(f"备份完成：{result.path}")
        self.stdout.write(
            f"数据库 {result.tables} 张表共 {result.rows} 行，附件 {result.media_files} 个，"
            f"合计 {result.size / 1024 / 1024:.1f} MB。"
        )
        self.stdout.write(KEYS_NOTE.format(var=settings.VAR_DIR))

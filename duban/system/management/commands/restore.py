"""Restore a backup made by `backup`: `python manage.py restore PATH [--yes]`.

The backup is checked in full before anything changes; without --yes the command asks on a
terminal and refuses when there is none (cron, CI).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from duban.system.backup import BackupError
from duban.system.backup.services import backup_check, backup_restore, media_root, migrations_pending

ERR_FAILED = "恢复失败：{error}"
ERR_NEED_YES = "恢复会用备份替换当前全部数据和附件：没有可交互的终端时须加 --yes 确认。未做任何改动。"
ERR_CANCELLED = "已取消，未做任何改动。"
PROMPT = (
    "将用 {created_at} 的备份替换数据库“{name}”的全部数据和附件目录 {media}，现有内容将被覆盖。"
    "请先停止网站和后台任务进程。输入 yes 继续："
)


class Command(BaseCommand):
    help = (
        "从 backup 命令生成的备份恢复数据库和附件：先核对清单中每个文件的校验和和数据库类型，"
        "确认后替换数据库内容和附件目录，再逐表核对行数。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="备份目录（含 manifest.json）。")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复（无终端时必须）。")
        parser.add_argument(
            "--ignore-signature",
            action="store_true",
            help="不检查清单签名（仅当 SECRET_KEY 已更换且确认备份可信时使用）；校验和照常核对。",
        )

    def handle(self, *args, path, yes, ignore_signature, **options):
        try:
            described = backup_check(path, check_signature=not ignore_signature)
            self.stdout.write(f"备份校验通过：{len(described['files'])} 个文件，创建于 {described['created_at']}。")
            if not yes:
                self._confirm(described)
            result = backup_restore(path=path, described=described)
        except BackupError as error:
            raise CommandError(str(error))
        except (OSError, DatabaseError) as error:
            raise CommandError(ERR_FAILED.format(error=error))
        self.stdout.write(
            f"恢复完成：数据库 {result.tables} 张表共 {result.rows} 行（已逐表核对行数），"
            f"附件 {result.media_files} 个。"
        )
        if migrations_pending():
            self.stdout.write("备份的数据库结构比当前程序旧：请运行 python manage.py migrate。")

    def _confirm(self, described):
        if not sys.stdin.isatty():
            raise CommandError(ERR_NEED_YES)
        question = PROMPT.format(
            created_at=described["created_at"], name=connection.settings_dict["NAME"], media=media_root()
        )
        if input(question).strip().lower() != "yes":
            raise CommandError(ERR_CANCELLED)

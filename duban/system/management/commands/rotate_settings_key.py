from django.core.management.base import BaseCommand
from django.db import connection, transaction

from duban.lib.crypto import rotate
from duban.system.models import MailSettings

# Every column holding an EncryptedTextField.
ENCRYPTED = [(MailSettings, "password")]


class Command(BaseCommand):
    help = (
        "用 SETTINGS_ENCRYPTION_KEY 中的第一个密钥重新加密数据库中的敏感设置（SMTP 口令）。"
        "换密钥时：把新密钥放在最前、旧密钥放在其后，运行本命令，再去掉旧密钥。"
    )

    @transaction.atomic
    def handle(self, *args, **options):
        done = 0
        for model, column in ENCRYPTED:
            table = connection.ops.quote_name(model._meta.db_table)
            name = connection.ops.quote_name(column)
            with connection.cursor() as cursor:
                # The raw tokens: the ORM would hand back the decrypted text.
                cursor.execute(f"SELECT id, {name} FROM {table}")  # noqa: S608 (names from the model)
                for pk, token in cursor.fetchall():
                    fresh = rotate(token or "")
                    if fresh != (token or ""):
                        cursor.execute(f"UPDATE {table} SET {name} = %s WHERE id = %s", [fresh, pk])  # noqa: S608
                        done += 1
        self.stdout.write(f"已用当前密钥重新加密 {done} 项敏感设置。")

from django.core.management.base import BaseCommand
from django.db import transaction

from duban.accounts.services import temporary_password
from duban.org.models import Person, Role, RoleGrant

ADMINS = [
    (Role.SYS_ADMIN, "sysadmin", "系统管理员"),
    (Role.SEC_ADMIN, "secadmin", "安全管理员"),
    (Role.AUDIT_ADMIN, "auditadmin", "审计管理员"),
]


class Command(BaseCommand):
    help = "新装系统时创建三员（系统管理员、安全管理员、审计管理员）账号；已存在的角色跳过。"

    @transaction.atomic
    def handle(self, *args, **options):
        for role, username, name in ADMINS:
            if RoleGrant.objects.filter(role=role).exists():
                self.stdout.write(f"{name}：已存在，跳过。")
                continue
            if Person.objects.filter(username=username).exists():
                self.stderr.write(f"{name}：登录名 {username} 已被占用，请先处理后重试。")
                raise SystemExit(2)
            password = temporary_password()
            person = Person.objects.create_user(username=username, password=password, name=name)
            RoleGrant.objects.create(person=person, role=role)
            self.stdout.write(f"{name}：登录名 {username}，临时密码 {password}（首次登录须修改）")

"""Create a personal API token for a person and print it (only it) on stdout.

    python manage.py create_api_token USERNAME [--name 用途]

Only the token's digest is stored: the printed value cannot be shown again.
"""

from django.core.management.base import BaseCommand, CommandError

from duban.accounts.services import api_token_create
from duban.org.models import Person

DEFAULT_NAME = "命令行创建"


class Command(BaseCommand):
    help = "为指定人员创建个人 API 令牌，并在标准输出中只打印令牌本身（仅显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument("--name", default=DEFAULT_NAME, help=f"令牌用途（默认“{DEFAULT_NAME}”）")

    def handle(self, *args, username, name, **options):
        person = Person.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"登录名“{username}”不存在。")
        if not person.is_active:
            raise CommandError(f"账号“{username}”已停用，不能创建令牌。")
        try:
            _, raw = api_token_create(person=person, name=name)
        except ValueError as error:
            raise CommandError(str(error))
        if person.must_change_password:
            self.stderr.write(f"注意：“{username}”须先登录网页修改初始密码，此前该令牌无法使用。")
        self.stdout.write(raw)

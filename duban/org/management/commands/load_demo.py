from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from duban.org.demo import DEMO_PASSWORD, load_demo
from duban.org.models import Person, Unit


class Command(BaseCommand):
    help = "载入示范单位“江城航空学院”（可重复执行，不会重复创建）。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="仅在数据库中还没有任何单位时载入")

    def handle(self, *args, if_empty=False, **options):
        from duban.org.demo import INSTITUTION

        # With --if-empty a database holding a real institution is left alone; the demo
        # institution itself is reloaded (idempotent) so its logins are printed again.
        if if_empty and Unit.objects.exists() and not Unit.objects.filter(name=INSTITUTION).exists():
            self.stdout.write("数据库中已有单位，跳过示范数据。")
            return
        accounts = load_demo()
        # Each capability adds its demo data on top of the institution (settings.DEMO_LOADERS).
        for path in settings.DEMO_LOADERS:
            import_string(path)()
        self.stdout.write(f"示范单位已就绪：{Unit.objects.count()} 个单位，{Person.objects.count()} 名人员。")
        self.stdout.write(f"示范账号（密码均为 {DEMO_PASSWORD}）：")
        for label, username, name in accounts:
            self.stdout.write(f"  {label:<20} 登录名 {username:<12} {name}")

"""Organisation: the unit tree, the people in it and the roles they hold per unit."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    INSTITUTION = "institution", _("学校/机关")
    DEPARTMENT = "department", _("职能部门")
    ACADEMIC = "academic", _("教学单位")
    AFFILIATED = "affiliated", _("直属单位")
    PARTY_COMMITTEE = "party_committee", _("党委/党总支")
    PARTY_BRANCH = "party_branch", _("党支部")
    GRID_GROUP = "grid_group", _("联络组")


class Unit(models.Model):
    """A node of the institution's unit tree.

    Grid groups (联络组) are units too: they sit in the tree under the office that
    runs them and cover a set of other units through `covered_units`.
    """

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(_("单位编码"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    covered_units = models.ManyToManyField(
        "self", verbose_name=_("联系单位"), blank=True, symmetrical=False, related_name="grid_groups"
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="unit_code_unique_when_set"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:unit_detail", args=[self.pk])

    @property
    def is_grid_group(self) -> bool:
        return self.kind == UnitKind.GRID_GROUP


class Rank(models.TextChoices):
    """Administrative rank (职级); approval chains and assessments read it."""

    SCHOOL = "school", _("校级")
    DIVISION = "division", _("正处级")
    DEPUTY_DIVISION = "deputy_division", _("副处级")
    SECTION = "section", _("正科级")
    DEPUTY_SECTION = "deputy_section", _("副科级")
    STAFF = "staff", _("科员")
    NONE = "none", _("无职级")


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username, password=None, **extra):
        if not username:
            raise ValueError("username is required")
        person = self.model(username=username, **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, username, password=None, **extra):
        raise NotImplementedError(
            "duban has no superusers: run `python manage.py bootstrap_admins` to create the three administrators."
        )


class Person(AbstractBaseUser, PermissionsMixin):
    """A person of the institution and their account."""

    username = models.CharField(
        _("登录名"),
        max_length=64,
        unique=True,
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": _("该登录名已被使用。")},
    )
    name = models.CharField(_("姓名"), max_length=40)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    rank = models.CharField(_("职级"), max_length=20, choices=Rank.choices, default=Rank.STAFF)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("账号启用"), default=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=True)
    date_joined = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["id"]
        indexes = [
            # org.selectors.people_list filters by unit and orders by name.
            models.Index(fields=["unit", "name"], name="person_unit_name"),
            # The disclosure pages look up the names a text could mention (rectification.selectors
            # .disclosure.names_mentioned): stored without blanks at either end (save strips them).
            models.Index(fields=["name"], name="person_name"),
            # …of the lengths names have, read in a few index probes (not a scan of everyone).
            models.Index(Length("name"), name="person_name_length"),
        ]

    def __str__(self):
        return f"{self.name}（{self.username}）"

    def save(self, *args, **kwargs):
        # A name is never meant to begin or end with a blank (an ideographic space pasted
        # from a spreadsheet, say); stored stripped, it is found by an exact lookup.
        self.name = (self.name or "").strip()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("org:person_detail", args=[self.pk])

    @property
    def is_staff(self) -> bool:
        # Nobody uses Django's admin site in production.
        return False

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


class Role(models.TextChoices):
    LEADER = "leader", _("校领导")
    OFFICE = "office", _("督查办")
    UNIT_HEAD = "unit_head", _("单位负责人")
    LIAISON = "liaison", _("联络员")
    TASKFORCE = "taskforce", _("工作专班/联络组成员")
    DISCIPLINE = "discipline", _("纪检")
    STAFF = "staff", _("职工")
    SYS_ADMIN = "sys_admin", _("系统管理员")
    SEC_ADMIN = "sec_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


ADMIN_ROLES = (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN)
# Roles that must be scoped to a unit (the others may cover the whole institution).
UNIT_SCOPED_ROLES = (Role.UNIT_HEAD, Role.LIAISON, Role.TASKFORCE, Role.STAFF)


class RoleGrant(models.Model):
    """A role a person holds over a unit scope (the unit and its sub-tree; for a
    grid group, the units it covers). A grant with no unit covers the institution."""

    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("范围"), null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    granted_by = models.ForeignKey(
        Person, verbose_name=_("授权人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["person_id", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "role", "unit"], condition=Q(unit__isnull=False), name="grant_unique_scoped"
            ),
            models.UniqueConstraint(
                fields=["person", "role"], condition=Q(unit__isnull=True), name="grant_unique_institution"
            ),
            # The three administrator roles are institution-wide and never scoped.
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in ADMIN_ROLES]) | Q(unit__isnull=True),
                name="grant_admin_roles_unscoped",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in UNIT_SCOPED_ROLES]) | Q(unit__isnull=False),
                name="grant_unit_roles_scoped",
            ),
        ]

    def __str__(self):
        scope = self.unit.name if self.unit_id else _("全校")
        return f"{self.person.name} · {self.get_role_display()} · {scope}"

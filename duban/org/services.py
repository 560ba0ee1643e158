"""Writes to the organisation. Each service checks its rule, writes in one
transaction and leaves a trace (record history through django-auditlog, security
events for role changes)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.org.access import access_for
from duban.org.models import ADMIN_ROLES, UNIT_SCOPED_ROLES, Person, Role, RoleGrant, Unit, UnitKind
from duban.org.tree import UnitTree

ERR_NOT_SYS_ADMIN = "只有系统管理员可以维护单位和人员。"
ERR_NOT_SEC_ADMIN = "只有安全管理员可以授予或撤销角色。"
ERR_PARENT_CYCLE = "上级单位不能是本单位或其下级单位。"
ERR_GRANT_SELF = "不能给自己授予或撤销角色（三员分立）。"
ERR_ADMIN_EXCLUSIVE = "系统管理员、安全管理员、审计管理员三种角色互斥，且不能兼任业务角色。"
ERR_ADMIN_SCOPED = "管理员角色面向全校，不能限定单位。"
ERR_SCOPE_REQUIRED = "该角色必须指定单位范围。"
ERR_TASKFORCE_SCOPE = "工作专班/联络组成员的范围必须是一个联络组。"
ERR_GRANT_EXISTS = "该人员已拥有此范围的这一角色。"
ERR_INACTIVE_PERSON = "该账号已停用，不能授予角色。"
ERR_UNIT_HAS_ACTIVE = "该单位下还有启用的下级单位或人员，不能停用。"


def _require_sys_admin(acting_user):
    if not access_for(acting_user).can_edit_org():
        raise PermissionDenied(ERR_NOT_SYS_ADMIN)


def _require_sec_admin(acting_user):
    if not access_for(acting_user).can_grant_roles():
        raise PermissionDenied(ERR_NOT_SEC_ADMIN)


def unit_parent_check(unit: Unit | None, parent: Unit | None) -> None:
    """A unit may not be moved below itself."""
    if unit is None or unit.pk is None or parent is None:
        return
    if parent.pk in UnitTree.load().subtree_ids(unit.pk):
        raise ValidationError({"parent": ERR_PARENT_CYCLE})


@transaction.atomic
def unit_save(*, acting_user, unit: Unit, covered_units=None) -> Unit:
    """Create or update a unit (already validated by its form)."""
    _require_sys_admin(acting_user)
    unit_parent_check(unit, unit.parent)
    if not unit.is_active and unit.pk:
        has_active = (
            Unit.objects.filter(parent=unit, is_active=True).exists() or unit.people.filter(is_active=True).exists()
        )
        if has_active:
            raise ValidationError({"is_active": ERR_UNIT_HAS_ACTIVE})
    unit.save()
    if covered_units is not None:
        unit.covered_units.set(covered_units if unit.kind == UnitKind.GRID_GROUP else [])
    return unit


@transaction.atomic
def person_save(*, acting_user, person: Person, password: str | None = None) -> Person:
    """Create or update a person. A new person gets `password` and must change it
    at first login."""
    _require_sys_admin(acting_user)
    if person.pk is None:
        person.set_password(password)
        person.must_change_password = True
    person.save()
    return person


@transaction.atomic
def role_grant(*, acting_user, person: Person, role: str, unit: Unit | None, request=None) -> RoleGrant:
    _require_sec_admin(acting_user)
    if person.pk == acting_user.pk:
        raise ValidationError(ERR_GRANT_SELF)
    if not person.is_active:
        raise ValidationError(ERR_INACTIVE_PERSON)
    # Lock the person so two concurrent grants cannot both pass the exclusivity rule.
    list(Person.objects.select_for_update().filter(pk=person.pk).order_by().values_list("pk", flat=True))
    held = set(RoleGrant.objects.filter(person=person).values_list("role", flat=True))
    if role in ADMIN_ROLES:
        if unit is not None:
            raise ValidationError(ERR_ADMIN_SCOPED)
        if held:
            raise ValidationError(ERR_ADMIN_EXCLUSIVE)
    elif held & {r.value for r in ADMIN_ROLES}:
        raise ValidationError(ERR_ADMIN_EXCLUSIVE)
    if role in UNIT_SCOPED_ROLES and unit is None:
        raise ValidationError(ERR_SCOPE_REQUIRED)
    if role == Role.TASKFORCE and unit is not None and unit.kind != UnitKind.GRID_GROUP:
        raise ValidationError(ERR_TASKFORCE_SCOPE)
    if RoleGrant.objects.filter(person=person, role=role, unit=unit).exists():
        raise ValidationError(ERR_GRANT_EXISTS)
    grant = RoleGrant.objects.create(person=person, role=role, unit=unit, granted_by=acting_user)
    security_event_record(
        kind=EventKind.ROLE_GRANTED,
        actor=acting_user,
        target=person.username,
        request=request,
        detail={"role": role, "unit": unit.name if unit else "全校"},
    )
    return grant


@transaction.atomic
def role_revoke(*, acting_user, grant: RoleGrant, request=None) -> None:
    _require_sec_admin(acting_user)
    if grant.person_id == acting_user.pk:
        raise ValidationError(ERR_GRANT_SELF)
    detail = {"role": grant.role, "unit": grant.unit.name if grant.unit_id else "全校"}
    target = grant.person.username
    grant.delete()
    security_event_record(kind=EventKind.ROLE_REVOKED, actor=acting_user, target=target, request=request, detail=detail)

"""The import services: the dry-run preview and the commit.

`import_commit` validates again (the database may have changed) and, when every row
is valid, writes everything in one transaction through ordinary model saves, so
django-auditlog records each change, then records one security event.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.org.access import access_for
from duban.org.importing.columns import ERR_COMMIT_CONFLICT, ERR_NOT_SYS_ADMIN, TEMPORARY_PASSWORD_ITERATIONS
from duban.org.importing.plan import ImportPlan
from duban.org.importing.reading import workbook_read
from duban.org.importing.validation import plan_build
from duban.org.models import Person, Unit, UnitKind


def _require_sys_admin(acting_user) -> None:
    if not access_for(acting_user).can_edit_org():
        raise PermissionDenied(ERR_NOT_SYS_ADMIN)


def import_preview(*, acting_user, path) -> ImportPlan:
    """The dry run: parse and validate, write nothing. Raises ImportFileError."""
    _require_sys_admin(acting_user)
    return plan_build(workbook_read(path))


@dataclass
class NewAccount:
    name: str
    username: str
    unit: str
    password: str


@dataclass
class ImportResult:
    counts: dict[str, int]
    new_accounts: list[NewAccount]


def import_commit(*, acting_user, path, request=None, filename: str = "") -> ImportResult | ImportPlan:
    """Validate again and write everything, or nothing. Returns the result, or the
    plan with its errors when the file is (now) invalid. Raises ImportFileError."""
    _require_sys_admin(acting_user)
    parsed = workbook_read(path)
    try:
        with transaction.atomic():
            plan = plan_build(parsed)
            if not plan.is_valid:
                return plan
            result = _plan_apply(plan)
            detail = dict(result.counts)
            if filename:
                detail["file"] = filename[:200]
            security_event_record(
                kind=EventKind.IMPORT, actor=acting_user, request=request, target="单位和人员", detail=detail
            )
    except IntegrityError:
        plan = plan_build(parsed)
        plan.general_errors.append(ERR_COMMIT_CONFLICT)
        return plan
    return result


def _temporary_password_hash(password: str) -> str:
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=min(hasher.iterations, TEMPORARY_PASSWORD_ITERATIONS))
    return make_password(password)


def _plan_apply(plan: ImportPlan) -> ImportResult:
    from duban.accounts.services import temporary_password

    units = {unit.name: unit for unit in Unit.objects.all()}
    for row in plan.units:
        if row.existing is not None:
            units[row.name] = row.existing
    # Parents before children, so the tree is a tree after every single save.
    for row in sorted(plan.units, key=lambda r: (plan.depth.get(r.name, 0), r.row)):
        unit = row.existing or Unit(name=row.name)
        if row.short_name:
            unit.short_name = row.short_name
        if row.code:
            unit.code = row.code
        unit.kind = row.kind
        if row.parent:
            unit.parent = units[row.parent]
        if row.order is not None:
            unit.order = row.order
        if row.existing is None:
            unit.save()
        elif row.changes:
            unit.save(update_fields=row.changes)
        units[row.name] = unit
    for row in plan.units:
        if not row.covered_change and row.existing is not None:
            continue
        unit = units[row.name]
        if row.kind == UnitKind.GRID_GROUP and row.covered:
            unit.covered_units.set([units[name] for name in row.covered])
        elif row.existing is not None:
            unit.covered_units.set([])

    new_accounts = []
    for row in plan.people:
        person = row.existing
        if person is None:
            person = Person(username=row.username, must_change_password=True)
        person.name = row.name
        person.unit = units[row.unit]
        person.rank = row.rank
        for key in ("position", "phone", "email"):
            if getattr(row, key):
                setattr(person, key, getattr(row, key))
        if row.existing is None:
            password = temporary_password()
            person.password = _temporary_password_hash(password)
            person.save()
            new_accounts.append(NewAccount(person.name, person.username, row.unit, password))
        elif row.changes:
            person.save(update_fields=row.changes)
    return ImportResult(counts=plan.counts(), new_accounts=new_accounts)

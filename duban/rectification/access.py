"""Who may see and do what in rectification. Views, the API and the workers ask here."""

from django.db.models import Q

from duban.org.access import ALL, Access
from duban.org.models import Role
from duban.supervision import access as supervision_rules


def can_see_ledger(access: Access) -> bool:
    """The ledger pages (findings, measures): anyone who may see plans, except staff
    alone (staff see the disclosure page)."""
    if not supervision_rules.can_see_plans(access):
        return False
    return bool(access.roles - {Role.STAFF})


def can_manage(access: Access) -> bool:
    """Plans, findings, measures, approval, look-back rounds, feedback triage: the office."""
    return access.has(Role.OFFICE)


def measures_visible(access: Access, queryset):
    """Restrict a Measure queryset to those whose item the person may see."""
    from duban.supervision.models import Item

    if not can_see_ledger(access):
        return queryset.none()
    if supervision_rules.sees_all_items(access):
        return queryset
    items = supervision_rules.items_visible(access, Item.objects.all())
    return queryset.filter(item__in=items.values("pk"))


def findings_visible(access: Access, queryset):
    """Findings with a visible measure, or concerning a unit in the person's scope."""
    from duban.rectification.models import Measure

    if not can_see_ledger(access):
        return queryset.none()
    if supervision_rules.sees_all_items(access):
        return queryset
    units = set()
    for role in (Role.LEADER, Role.UNIT_HEAD, Role.LIAISON, Role.TASKFORCE):
        scope = access.scope(role)
        if scope == ALL:
            return queryset
        units |= scope
    measured = measures_visible(access, Measure.objects.all()).values("finding_id")
    return queryset.filter(Q(pk__in=measured) | Q(units__in=units)).distinct()


def _leads(access: Access, measure, *roles) -> bool:
    return access.covers(measure.item.lead_unit_id, *roles)


def can_request_closure(access: Access, measure) -> bool:
    """The lead unit asks for closure: its head or liaison, or the responsible person."""
    return _leads(access, measure, Role.UNIT_HEAD, Role.LIAISON) or (
        measure.item.responsible_person_id == access.person.pk
    )


def is_grid_reviewer(access: Access, measure) -> bool:
    """A member of a liaison group (工作专班/联络组) covering the measure's lead unit."""
    return access.covers(measure.item.lead_unit_id, Role.TASKFORCE)


def can_review_closure(access: Access, measure) -> bool:
    return is_grid_reviewer(access, measure)


def can_approve_closure(access: Access, measure) -> bool:
    return can_manage(access)


def can_recheck(access: Access, measure) -> bool:
    """Re-checks are the liaison group's task; the office may record one too."""
    return is_grid_reviewer(access, measure) or can_manage(access)


def can_review_lookback(access: Access, measure) -> bool:
    return is_grid_reviewer(access, measure) or can_manage(access) or access.has(Role.DISCIPLINE)


def can_see_disclosure(access: Access) -> bool:
    """The staff page: every signed-in person with a business role."""
    return bool(access.grants) and not access.is_admin


def can_send_feedback(access: Access) -> bool:
    return can_see_disclosure(access)

"""Who may see and do what in supervision. Views, the API and the reminders ask here."""

from django.db.models import Q

from duban.org.access import ALL, Access
from duban.org.models import Role

# Roles that see every plan and item of the institution.
SEE_ALL = (Role.OFFICE, Role.DISCIPLINE)


def sees_all_items(access: Access) -> bool:
    return access.has(*SEE_ALL) or access.scope(Role.LEADER) == ALL


def _units_seen(access: Access):
    """ALL, or the units whose items the person sees through their roles."""
    if sees_all_items(access):
        return ALL
    units = set()
    for role in (Role.LEADER, Role.UNIT_HEAD, Role.LIAISON, Role.STAFF, Role.TASKFORCE):
        scope = access.scope(role)
        if scope == ALL:
            return ALL
        units |= scope
    return units


def _every_item_seen(access: Access) -> bool:
    return bool(access.grants) and _units_seen(access) == ALL


def items_visible(access: Access, queryset):
    """Restrict an Item queryset to what the person may see."""
    if not access.grants:
        return queryset.none()
    units = _units_seen(access)
    if units == ALL:
        return queryset
    person = access.person
    return queryset.filter(
        Q(lead_unit_id__in=units) | Q(co_units__in=units) | Q(patron_leader=person) | Q(responsible_person=person)
    ).distinct()


def of_visible_items(access: Access, queryset):
    """Restrict a queryset of rows that belong to an item (an `item` foreign key) to those of
    the items the person may see; unchanged when they see every item, so that a plan's rows
    are read directly (through the plan), not through a list of every item id."""
    from duban.supervision.models import Item

    if _every_item_seen(access):
        return queryset
    return queryset.filter(item__in=items_visible(access, Item.objects.all()).values("pk"))


def states_visible(access: Access, states):
    """The ItemStates of the items the person may see (dashboards count a plan's states
    without its items)."""
    return of_visible_items(access, states)


def indicators_visible(access: Access, indicators):
    """The Indicators of the items the person may see (the weekly summary sums a plan's
    indicators through a join)."""
    return of_visible_items(access, indicators)


def tallies_visible(access: Access, tallies):
    """The given StateTally rows when the person sees every item (they count exactly what
    states_visible would let them count); None otherwise: their own states are counted."""
    return tallies if _every_item_seen(access) else None


def counted_visible(access: Access, **of_plans):
    """The states of the plans chosen by `of_plans` (e.g. plan=…, plan__in=…) the person may
    see, and their tallies when the person sees them all (else None): what the dashboards,
    the league table and the weekly summary count."""
    from duban.supervision.models import ItemState, StateTally

    states = states_visible(access, ItemState.objects.filter(**of_plans))
    return states, tallies_visible(access, StateTally.objects.filter(**of_plans))


def can_see_plans(access: Access) -> bool:
    return bool(access.grants) and not access.is_admin


def can_manage(access: Access) -> bool:
    """Create and edit plans and items, review reports, issue notices: the office."""
    return access.has(Role.OFFICE)


def can_see_item(access: Access, item) -> bool:
    return items_visible(access, type(item).objects.filter(pk=item.pk)).exists()


def _leads(access: Access, item, *roles) -> bool:
    return access.covers(item.lead_unit_id, *roles)


def can_fill_report(access: Access, item) -> bool:
    return _leads(access, item, Role.LIAISON, Role.UNIT_HEAD) or item.responsible_person_id == access.person.pk


def can_submit_report(access: Access, item) -> bool:
    return _leads(access, item, Role.UNIT_HEAD)


def can_review_report(access: Access, item) -> bool:
    return can_manage(access)


def can_request_deferral(access: Access, item) -> bool:
    return _leads(access, item, Role.UNIT_HEAD)


def can_decide_deferral(access: Access, item) -> bool:
    return can_manage(access) or (item.patron_leader_id is not None and item.patron_leader_id == access.person.pk)


def can_instruct(access: Access, item) -> bool:
    """Leaders write instructions on items they can see."""
    return access.has(Role.LEADER)

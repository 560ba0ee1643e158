"""Who may see and do what with leave and travel. Views, the API and the feed ask here."""

from django.db.models import Q

from duban.org.access import ALL, Access
from duban.org.models import Role

# Who sees the away calendar of a unit besides its own people.
CALENDAR_ALL = (Role.OFFICE, Role.LEADER, Role.DISCIPLINE)
UNIT_KEEPERS = (Role.UNIT_HEAD, Role.LIAISON)


def can_request(access: Access) -> bool:
    """Any active person who belongs to a unit may ask for leave or report travel."""
    person = access.person
    return person is not None and person.is_authenticated and person.is_active and person.unit_id is not None


def calendar_units(access: Access):
    """ALL, or the unit ids whose away calendar a person may see: their own unit, and the
    units they head, keep (liaison) or supervise (leader)."""
    if access.has(*CALENDAR_ALL) and access.scope(*CALENDAR_ALL) == ALL:
        return ALL
    scope = access.scope(*UNIT_KEEPERS, Role.LEADER)
    if scope == ALL:
        return ALL
    units = set(scope)
    if access.person is not None and access.person.unit_id:
        units.add(access.person.unit_id)
    return units


def can_see_calendar(access: Access, unit_id: int) -> bool:
    units = calendar_units(access)
    return units == ALL or unit_id in units


def requests_visible(access: Access, queryset):
    """A person sees their own requests, those they have a step on (or act on by delegation),
    and those of people in units they head or supervise."""
    person = access.person
    if person is None or not person.is_authenticated:
        return queryset.none()
    from duban.leave.services.delegation import delegators_of

    actors = [person.pk, *delegators_of(person)]
    condition = Q(person=person) | Q(steps__assignees__in=actors)
    scope = access.scope(Role.UNIT_HEAD, Role.LEADER)
    if scope == ALL:
        return queryset
    if scope:
        condition |= Q(unit_id__in=scope)
    return queryset.filter(pk__in=queryset.model.objects.filter(condition).values("pk"))


def can_see_request(access: Access, request) -> bool:
    return requests_visible(access, type(request).objects.filter(pk=request.pk)).exists()


def can_see_details(access: Access, request) -> bool:
    """The reason and contact of a request: the requester and those on its chain. Others
    who may see the calendar see only the type and the dates."""
    person = access.person
    if person is None:
        return False
    if request.person_id == person.pk:
        return True
    from duban.leave.services.delegation import delegators_of

    actors = [person.pk, *delegators_of(person)]
    return request.steps.filter(assignees__in=actors).exists()


def can_configure(access: Access) -> bool:
    """Types, approval rules, departments, holidays: the system administrator."""
    return access.has(Role.SYS_ADMIN)


def can_manage_balances(access: Access) -> bool:
    """Annual-leave entitlements: the head and liaisons of the HR department (人事部门)."""
    from duban.leave.models import LeaveSettings

    hr = LeaveSettings.current().hr_unit_id
    return hr is not None and any(g.role in UNIT_KEEPERS and g.unit_id == hr for g in access.grants)

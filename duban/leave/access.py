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

    keeps = {g.unit_id for g in access.grants if g.role in UNIT_KEEPERS}
    if not keeps:
        return False
    return LeaveSettings.current().hr_unit_id in keeps


def details_visible(access: Access, requests) -> set[int]:
    """The ids among `requests` whose reason and destination the person may see (the rule of
    can_see_details, for a whole list in one query)."""
    person = access.person
    if person is None or not person.is_authenticated:
        return set()
    from duban.leave.models import RequestStep
    from duban.leave.services.delegation import delegators_of

    own = {r.pk for r in requests if r.person_id == person.pk}
    others = [r.pk for r in requests if r.person_id != person.pk]
    if not others:
        return own
    actors = [person.pk, *delegators_of(person)]
    on_chain = RequestStep.objects.filter(request_id__in=others, assignees__in=actors).values_list(
        "request_id", flat=True
    )
    return own | set(on_chain)


def can_record_return(access: Access, absence) -> bool:
    """销假 is recorded by the requester, or by the head of the unit the request was made in."""
    person = access.person
    if person is None or not person.is_authenticated:
        return False
    return absence.person_id == person.pk or access.covers(absence.unit_id, Role.UNIT_HEAD)


def step_principal(access: Access, step, assignee_ids=None, delegator_ids=None) -> int | None:
    """Whom the person would act for on a step: themselves when they are an assignee, else an
    assignee who delegated to them today; None when they may not act. Nobody acts on their
    own request, not even as a delegate."""
    person = access.person
    if person is None or not person.is_authenticated or not person.is_active:
        return None
    if step.request.person_id == person.pk:
        return None
    if assignee_ids is None:
        assignee_ids = {p.pk for p in step.assignees.all()}
    if person.pk in assignee_ids:
        return person.pk
    if delegator_ids is None:
        from duban.leave.services.delegation import delegators_of

        delegator_ids = delegators_of(person)
    for pk in delegator_ids:
        if pk in assignee_ids:
            return pk
    return None

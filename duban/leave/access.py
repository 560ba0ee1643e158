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
    units they head, keep (liaison), supervise (leader) or oversee (office, discipline)."""
    scope = access.scope(*CALENDAR_ALL, *UNIT_KEEPERS)
    if scope == ALL:
        return ALL
    units = set(scope)
    if access.person is not None and access.person.unit_id:
        units.add(access.person.unit_id)
    return units


def can_see_calendars(access: Access) -> bool:
    """Whether the away calendar opens at all (navigation; no unit tree is loaded)."""
    return can_request(access) or access.has(*CALENDAR_ALL, *UNIT_KEEPERS)


def can_approve(access: Access) -> bool:
    """待我办理 and 审批委托: anyone who may be on a chain (a role holder) or be a delegate
    (a person of a unit). No query."""
    return _active(access) and (bool(access.grants) or access.person.unit_id is not None)


def can_subscribe(access: Access) -> bool:
    """The iCalendar feed (日历订阅): every active signed-in person."""
    return _active(access)


def _active(access: Access) -> bool:
    person = access.person
    return person is not None and person.is_authenticated and person.is_active


def delegators(access: Access) -> list[int]:
    """Ids of the people who delegated to the person today, read once per Access (per request)."""
    cached = getattr(access, "_leave_delegators", None)
    if cached is None:
        from duban.leave.services.delegation import delegators_of

        cached = delegators_of(access.person) if _active(access) else []
        access._leave_delegators = cached
    return cached


def can_see_calendar(access: Access, unit_id: int) -> bool:
    units = calendar_units(access)
    return units == ALL or unit_id in units


def requests_visible(access: Access, queryset):
    """A person sees their own requests, those they have a step on (or act on by delegation),
    and those of people in units they head or supervise."""
    person = access.person
    if person is None or not person.is_authenticated:
        return queryset.none()
    actors = [person.pk, *delegators(access)]
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
    return request.pk in details_visible(access, [request])


def can_manage_balances(access: Access) -> bool:
    """Annual-leave entitlements: the head and liaisons of the HR department (人事部门). The
    HR unit is read at most once per Access (per request), and only for unit keepers."""
    keeps = {g.unit_id for g in access.grants if g.role in UNIT_KEEPERS}
    if not keeps:
        return False
    if not hasattr(access, "_leave_hr_unit_id"):
        from duban.leave.models import LeaveSettings

        access._leave_hr_unit_id = LeaveSettings.objects.filter(pk=1).values_list("hr_unit_id", flat=True).first()
    return access._leave_hr_unit_id in keeps


def details_visible(access: Access, requests) -> set[int]:
    """The ids among `requests` whose reason and destination the person may see (the rule of
    can_see_details, for a whole list in one query)."""
    person = access.person
    if person is None or not person.is_authenticated:
        return set()
    from duban.leave.models import RequestStep

    own = {r.pk for r in requests if r.person_id == person.pk}
    others = [r.pk for r in requests if r.person_id != person.pk]
    if not others:
        return own
    actors = [person.pk, *delegators(access)]
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

        delegator_ids = delegators_of(person)  # fresh: acting must not trust a cached value
    for pk in delegator_ids:
        if pk in assignee_ids:
            return pk
    return None


def can_withdraw(access: Access, absence) -> bool:
    """Only the requester, and only while the request is being approved."""
    from duban.leave.models import AbsenceStatus

    return _active(access) and absence.person_id == access.person.pk and absence.status == AbsenceStatus.PENDING

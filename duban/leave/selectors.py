"""Reads of leave and travel: who is away (谁不在岗) over a date range and the leaders out
of office, the steps waiting for a person, and what a person's absence may clash with
(their meetings and the items they answer for). Each is one bounded query."""

import datetime

from django.db.models import F, Q

from duban.leave.models import LIVE, AbsenceRequest, AbsenceStatus, RequestStep, StepStatus
from duban.org.access import ALL
from duban.org.models import Role, RoleGrant

# The roles that answer for the items of a unit they lead (deadline warnings, the feed).
ANSWERING_ROLES = (Role.UNIT_HEAD, Role.LIAISON)


def _overlapping(start: datetime.date, end: datetime.date):
    """Live requests overlapping [start, end] up to their last day (AbsenceRequest.last_day:
    the day before an early return, 销假), in SQL."""
    returned_in_time = Q(returned_on__gt=start) & Q(returned_on__gt=F("starts_on"))
    return AbsenceRequest.objects.filter(status__in=LIVE, starts_on__lte=end, ends_on__gte=start).filter(
        Q(returned_on__isnull=True) | returned_in_time
    )


def away(units, start: datetime.date, end: datetime.date) -> list:
    """Live requests (approved or pending) of people of `units` (ids or ALL) overlapping
    [start, end], with person, type and unit, ordered by unit, person and start."""
    rows = _overlapping(start, end)
    if units != ALL:
        rows = rows.filter(unit_id__in=list(units))
    rows = rows.select_related("person", "absence_type", "unit").order_by(
        "unit__order", "unit_id", "person__name", "person_id", "starts_on", "id"
    )
    return list(rows)


def leaders_away(start: datetime.date, end: datetime.date) -> list:
    """校领导外出: requests of people holding a 校领导 role overlapping [start, end]."""
    leaders = RoleGrant.objects.filter(role=Role.LEADER).values("person_id")
    rows = (
        _overlapping(start, end)
        .filter(person_id__in=leaders)
        .select_related("person", "absence_type")
        .order_by("starts_on", "person__name", "id")
    )
    return list(rows)


def pending_steps(person, delegator_ids=None):
    """Steps waiting for the person or for those who delegated to them today (`delegator_ids`
    when already known), never on their own request; with the request, its person, unit and
    type, and the assignees."""
    if delegator_ids is None:
        from duban.leave.services.delegation import delegators_of

        delegator_ids = delegators_of(person)
    actors = [person.pk, *delegator_ids]
    ids = RequestStep.objects.filter(
        status=StepStatus.PENDING, request__status=AbsenceStatus.PENDING, assignees__in=actors
    ).values("pk")
    return (
        RequestStep.objects.filter(pk__in=ids)
        .exclude(request__person=person)
        .select_related("request__person__unit", "request__absence_type")
        .prefetch_related("assignees")
        .order_by("request__submitted_at", "pk")
    )


def invitations_of(person):
    """The person's invitations to meetings that are announced or held (not drafts, not cancelled)."""
    from duban.meetings.models import Invitation, MeetingStatus

    return (
        Invitation.objects.filter(person=person)
        .exclude(meeting__status__in=[MeetingStatus.CANCELLED, MeetingStatus.DRAFT])
        .select_related("meeting")
    )


def answering_items(person):
    """Open items the person answers for: those they are responsible for, and those led by a
    unit they head or keep (liaison)."""
    from duban.supervision.models import Item

    units = RoleGrant.objects.filter(person=person, role__in=ANSWERING_ROLES, unit__isnull=False).values("unit_id")
    return Item.objects.filter(Q(responsible_person=person) | Q(lead_unit_id__in=units), completed_on__isnull=True)

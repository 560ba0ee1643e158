"""Make AbsenceRequest rows directly (independent of the request services)."""

import datetime

from duban.leave.models import AbsenceRequest, AbsenceStatus, AbsenceType
from duban.leave.workdays import working_days


def kind(code):
    return AbsenceType.objects.get(code=code)


def absence(person, code, start, end, status=AbsenceStatus.APPROVED, reason="家中有事", **extra):
    start = start if isinstance(start, datetime.date) else datetime.date.fromisoformat(start)
    end = end if isinstance(end, datetime.date) else datetime.date.fromisoformat(end)
    return AbsenceRequest.objects.create(
        person=person,
        unit=extra.pop("unit", person.unit),
        absence_type=kind(code),
        starts_on=start,
        ends_on=end,
        days=working_days(start, end),
        reason=reason,
        status=status,
        **extra,
    )

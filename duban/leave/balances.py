"""Annual-leave balance arithmetic (年休假余额), in one place.

available = entitled + carried − used − pending, per person per year, where
- entitled is the LeaveBalance row of that year, or LeaveSettings.default_annual_days without one;
- used counts approved annual leave (a type with `uses_balance`) in working days inside that year,
  up to the request's last day (AbsenceRequest.last_day: the day before an early return, 销假);
- pending counts requests still being approved, the same way.
A request across New Year counts in each year for its own working days.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from duban.leave.models import LIVE, AbsenceRequest, AbsenceStatus, LeaveBalance, LeaveSettings
from duban.leave.workdays import Workdays


@dataclass
class Balance:
    person_id: int
    year: int
    entitled: Decimal
    carried: Decimal = Decimal(0)
    used: Decimal = Decimal(0)
    pending: Decimal = Decimal(0)
    has_row: bool = False

    @property
    def total(self) -> Decimal:
        return self.entitled + self.carried

    @property
    def available(self) -> Decimal:
        return self.total - self.used - self.pending


def year_days(absences, year: int) -> dict[int, int]:
    """The working days each request takes from the balance of `year`: inside that year, up to
    its last day (AbsenceRequest.last_day). Holidays are read once."""
    days = Workdays(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    return {absence.pk: days.count(absence.starts_on, absence.last_day) for absence in absences}


def balances(year: int, person_ids) -> dict[int, Balance]:
    """Balances of many people for one year, in three queries."""
    person_ids = list(person_ids)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    default = LeaveSettings.current().default_annual_days
    result = {pid: Balance(pid, year, default) for pid in person_ids}
    for row in LeaveBalance.objects.filter(year=year, person_id__in=person_ids):
        result[row.person_id] = Balance(row.person_id, year, row.entitled_days, row.carried_days, has_row=True)
    requests = AbsenceRequest.objects.filter(
        person_id__in=person_ids,
        absence_type__uses_balance=True,
        status__in=LIVE,
        starts_on__lte=last,
        ends_on__gte=first,
    ).only("person_id", "status", "starts_on", "ends_on", "returned_on")
    requests = list(requests)
    counted = year_days(requests, year)
    for absence in requests:
        taken = Decimal(counted[absence.pk])
        balance = result[absence.person_id]
        if absence.status == AbsenceStatus.APPROVED:
            balance.used += taken
        else:
            balance.pending += taken
    return result


def balance(person, year: int) -> Balance:
    return balances(year, [person.pk])[person.pk]

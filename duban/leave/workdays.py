"""Working days: Monday to Friday, except public holidays, plus weekend make-up days
(调休上班), both kept as CalendarDay rows."""

import datetime

from duban.leave.models import CalendarDay


class Workdays:
    """The working days of a date range, and the names of its holidays, read with one query."""

    def __init__(self, start: datetime.date, end: datetime.date):
        self.start, self.end = start, end
        rows = CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday", "name")
        self.overrides, self.names = {}, {}
        for day, is_workday, name in rows:
            self.overrides[day] = is_workday
            self.names[day] = name

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return day.weekday() < 5

    def count(self, start: datetime.date | None = None, end: datetime.date | None = None) -> int:
        """Working days in [start, end] (inclusive), clipped to the range this was read for."""
        start = max(start or self.start, self.start)
        end = min(end or self.end, self.end)
        days = 0
        day = start
        while day <= end:
            days += self.is_workday(day)
            day += datetime.timedelta(days=1)
        return days


def working_days(start: datetime.date, end: datetime.date) -> int:
    if end < start:
        return 0
    return Workdays(start, end).count()

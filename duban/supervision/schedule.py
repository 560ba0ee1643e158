"""Dates: report slots from a cadence, and reverse scheduling (倒排工期) of time nodes.

Pure functions of dates; the services turn their results into rows.
"""

import calendar
import datetime
from dataclasses import dataclass

from duban.supervision.models.items import Cadence


@dataclass(frozen=True)
class Slot:
    period_start: datetime.date
    period_end: datetime.date
    due_date: datetime.date


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# The longest custom interval, so the longest report period: a report covering a day starts
# at most this many days - 1 before it (lists of a week's reports bound their index scans by it).
MAX_INTERVAL_DAYS = 366


def slot_for(cadence: str, cadence_day: int, start: datetime.date, day: datetime.date) -> Slot | None:
    """The report slot that contains `day` for an item starting on `start`."""
    if day < start or cadence == Cadence.NONE:
        return None
    if cadence == Cadence.WEEKLY:
        monday = _monday(day)
        weekday = min(max(cadence_day, 1), 7)
        return Slot(monday, monday + datetime.timedelta(days=6), monday + datetime.timedelta(days=weekday - 1))
    if cadence == Cadence.MONTHLY:
        first = day.replace(day=1)
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return Slot(first, last, first.replace(day=min(max(cadence_day, 1), last.day)))
    interval = min(max(cadence_day, 1), MAX_INTERVAL_DAYS)
    index = (day - start).days // interval
    period_start = start + datetime.timedelta(days=index * interval)
    period_end = period_start + datetime.timedelta(days=interval - 1)
    return Slot(period_start, period_end, period_end)


def slots_between(cadence: str, cadence_day: int, start: datetime.date, first: datetime.date, last: datetime.date):
    """Every slot overlapping [first, last], oldest first."""
    day = max(first, start)
    seen = set()
    while day <= last:
        slot = slot_for(cadence, cadence_day, start, day)
        if slot is None:
            return
        if slot.period_start not in seen:
            seen.add(slot.period_start)
            yield slot
        day = slot.period_end + datetime.timedelta(days=1)


def reverse_schedule(due: datetime.date, steps: list[str], *, every: str = "week", start: datetime.date | None = None):
    """倒排工期: place the steps backwards from the due date, the last step on the due
    date and each earlier one a day (or a week) before the next. Returns (title, date)
    pairs in order; steps that would fall before `start` are placed on `start`."""
    gap = datetime.timedelta(days=7 if every == "week" else 1)
    dates = [due - gap * (len(steps) - 1 - i) for i in range(len(steps))]
    if start is not None:
        dates = [max(d, start) for d in dates]
    return list(zip(steps, dates, strict=True))

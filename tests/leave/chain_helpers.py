"""Shared by the request, approval and chain tests: time frozen on Monday 2026-11-02 09:00
(Beijing time), the default leave types by code, and short date helpers."""

import datetime

import pytest
import time_machine

from duban.leave.models import AbsenceType
from duban.leave.services import requests as services

NOW = datetime.datetime(2026, 11, 2, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Beijing, a Monday
TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def kind(code: str) -> AbsenceType:
    return AbsenceType.objects.get(code=code)


def day(month: int, dd: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, dd)


def ask(person, code="travel", start=(11, 16), end=(11, 18), **extra):
    """Submit a request with sensible defaults (dates as (month, day))."""
    extra.setdefault("reason", "参加全国教学工作会议")
    extra.setdefault("destination", "北京" if kind(code).needs_destination else "")
    return services.submit(person, kind(code), day(*start), day(*end), **extra)

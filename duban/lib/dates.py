"""Dates as Chinese offices write them."""

import datetime

from django.utils import timezone


def cn_date(value, *, today: datetime.date | None = None, full: bool = False) -> str:
    """2026年11月22日, or 11月22日 within the current year (unless `full`)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    today = today or timezone.localdate()
    if not full and value.year == today.year:
        return f"{value.month}月{value.day}日"
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value, *, today: datetime.date | None = None) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{cn_date(value, today=today)} {value:%H:%M}"

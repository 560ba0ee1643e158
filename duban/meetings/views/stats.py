"""Attendance statistics (参会统计) per unit and per person over a period."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from duban.meetings import access as rules
from duban.meetings.forms import StatsForm
from duban.meetings.services.attendance import attendance_stats as stats_for
from duban.org.access import access_for


def period(request, units) -> tuple[StatsForm, datetime.date, datetime.date, object]:
    """The chosen period and units (default: this year, every unit one may see)."""
    today = timezone.localdate()
    initial = {"start": today.replace(month=1, day=1), "end": today.replace(month=12, day=31)}
    data = {**{k: v.isoformat() for k, v in initial.items()}, **request.GET.dict()}
    form = StatsForm(data, units=units)
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        return form, form.cleaned_data["start"], form.cleaned_data["end"], ({unit.pk} if unit else units)
    return form, initial["start"], initial["end"], units


@login_required
def attendance_stats(request):
    access = access_for(request.user)
    if not rules.can_see_stats(access):
        raise PermissionDenied
    units = rules.stats_units(access)
    form, start, end, chosen = period(request, units)
    context = {"form": form, "start": start, "end": end, "stats": stats_for(chosen, start, end)}
    return render(request, "meetings/stats.html", context)

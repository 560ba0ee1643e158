"""Attendance statistics (参会统计) per unit and per person over a period."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.meetings import access as rules
from duban.meetings.services.attendance import attendance_stats as stats_for
from duban.org.access import ALL, access_for
from duban.org.models import Unit

DATE = {"type": "date", "class": "form-control form-control-sm"}


class StatsForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d"))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(DATE, format="%Y-%m-%d"))
    unit = forms.ModelChoiceField(
        label=_("单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("全部单位"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Unit.objects.filter(is_active=True)
        self.fields["unit"].queryset = queryset if units == ALL else queryset.filter(pk__in=units)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("结束日期不能早于开始日期。"))
        return data


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

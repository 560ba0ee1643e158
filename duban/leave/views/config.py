"""Leave configuration (请销假设置): departments and default days, types with their approval
rules, holidays; and the annual-leave entitlements kept by the HR department."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from duban.leave import access as rules
from duban.leave.balances import balances as balances_of
from duban.leave.forms_config import (
    BalanceForm,
    HolidayForm,
    HolidayPasteForm,
    SettingsForm,
    TypeForm,
    chain_words,
    rule_formsets,
)
from duban.leave.models import AbsenceType, CalendarDay, ChainRule, ChainStep, LeaveSettings, StepAction
from duban.leave.services import configure as services
from duban.lib.listing import paginate
from duban.org.access import access_for, require
from duban.org.models import Person, Unit
from duban.supervision.views.common import form_error

PER_PAGE = 50


def _id(raw) -> int:
    """A posted row id; anything but a positive whole number is a 404 (never a server error)."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdecimal() or len(raw) > 12:
        raise Http404("没有找到该记录。")
    return int(raw)


@require("can_configure")
def leave_settings(request):
    form = SettingsForm(request.POST or None, instance=LeaveSettings.current())
    if request.method == "POST" and form.is_valid():
        services.settings_save(acting_user=request.user, settings_row=form.save(commit=False))
        messages.success(request, "请销假设置已保存。")
        return redirect("leave:settings")
    steps = ChainStep.objects.select_related("unit").order_by("order", "id")
    types = AbsenceType.objects.prefetch_related(
        Prefetch("rules", queryset=ChainRule.objects.prefetch_related(Prefetch("steps", queryset=steps)))
    )
    rows = [(t, chain_words(t)) for t in types]
    return render(request, "leave/settings.html", {"form": form, "types": rows})


def chain_from(formset) -> list[dict] | None:
    """The rules and steps of a valid formset, in order (blank rules and steps dropped)."""
    chain = []
    for form in formset.forms:
        if not form.steps.is_valid():
            return None
        if form.cleaned_data.get("DELETE"):
            continue
        steps = [
            {
                "approver": s.cleaned_data["approver"],
                "unit": s.cleaned_data.get("unit"),
                "action": s.cleaned_data.get("action") or StepAction.APPROVE,
            }
            for s in form.steps.forms
            if s.cleaned_data.get("approver")
        ]
        ranks, note = form.cleaned_data.get("ranks") or [], form.cleaned_data.get("note", "")
        if not steps and not ranks and not note and form not in formset.initial_forms:
            continue  # an untouched blank rule
        chain.append({"ranks": ranks, "note": note, "steps": steps})
    return chain


@require("can_configure")
def type_edit(request, tid):
    absence_type = get_object_or_404(AbsenceType, pk=tid)
    form = TypeForm(request.POST or None, instance=absence_type)
    formset = rule_formsets(absence_type, request.POST or None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        chain = chain_from(formset)
        if chain is not None:
            try:
                services.type_save(acting_user=request.user, absence_type=form.save(commit=False), chain=chain)
            except ValidationError as error:
                form_error(form, error)
            else:
                messages.success(request, f"“{absence_type.name}”的审批规则已保存。")
                return redirect("leave:settings")
        else:
            form.add_error(None, "请检查标红的步骤。")
    return render(request, "leave/type_form.html", {"form": form, "formset": formset, "type": absence_type})


@require("can_configure")
def holidays(request):
    today = timezone.localdate()
    year = balance_year(request)
    one = HolidayForm(prefix="one")
    paste = HolidayPasteForm(prefix="paste")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            day = get_object_or_404(CalendarDay, pk=_id(request.POST.get("day")))
            services.holiday_delete(acting_user=request.user, day=day)
            messages.success(request, f"已删除 {day.date:%Y-%m-%d}。")
            return redirect(f"{request.path}?year={day.date.year}")
        if action == "paste":
            paste = HolidayPasteForm(request.POST, prefix="paste")
            if paste.is_valid():
                try:
                    days = services.holidays_parse(paste.cleaned_data["lines"])
                    count = services.holidays_add(acting_user=request.user, days=days)
                except ValidationError as error:
                    form_error(paste, error)
                else:
                    messages.success(request, f"已导入 {count} 天。")
                    return redirect(f"{request.path}?year={days[0][0].year}")
        else:
            one = HolidayForm(request.POST, prefix="one")
            if one.is_valid():
                data = one.cleaned_data
                services.holidays_add(acting_user=request.user, days=[(data["date"], data["is_workday"], data["name"])])
                messages.success(request, f"已添加 {data['date']:%Y-%m-%d}。")
                return redirect(f"{request.path}?year={data['date'].year}")
    rows = CalendarDay.objects.filter(date__year=year)
    context = {"rows": rows, "year": year, "years": range(today.year - 2, today.year + 3), "one": one, "paste": paste}
    return render(request, "leave/holidays.html", context)


# --- Annual-leave entitlements ------------------------------------------------------------


def balance_keeper(request):
    access = access_for(request.user)
    if not rules.can_manage_balances(access):
        raise PermissionDenied
    return access


def balance_year(request) -> int:
    """The year asked for (2000–2100), else this year."""
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def balance_people(request):
    people = Person.objects.filter(is_active=True, unit__isnull=False).select_related("unit")
    unit = request.GET.get("unit", "")
    if unit.isdecimal():
        people = people.filter(unit_id=int(unit))
    return people.order_by("unit__order", "unit_id", "name", "id"), unit


def balance_save(request, year):
    """Save one row; an HTMX post gets the row back, a plain form post a redirect."""
    person = get_object_or_404(Person, pk=_id(request.POST.get("person")), is_active=True)
    form = BalanceForm(request.POST)
    if form.is_valid():
        services.balance_set(
            acting_user=request.user,
            person=person,
            year=year,
            entitled=form.cleaned_data["entitled_days"],
            carried=form.cleaned_data["carried_days"],
        )
    if request.headers.get("HX-Request"):
        balance = balances_of(year, [person.pk])[person.pk]
        row = {"person": person, "balance": balance, "form": form, "saved": form.is_valid()}
        return render(request, "leave/balance_row.html", {"row": row, "year": year})
    if form.is_valid():
        messages.success(request, f"{person.name} 的 {year} 年额度已保存。")
    else:
        messages.error(request, f"{person.name} 的额度未保存：天数须为不小于 0 的数字（最多一位小数）。")
    return redirect(request.get_full_path())


@login_required
def balances(request):
    balance_keeper(request)
    year = balance_year(request)
    people, unit = balance_people(request)
    if request.method == "POST":
        if request.POST.get("action") == "generate":
            count = services.balances_generate(acting_user=request.user, year=year, people=people)
            messages.success(request, f"已按默认天数为 {count} 人生成 {year} 年额度。")
            return redirect(f"{request.path}?year={year}&unit={unit}")
        return balance_save(request, year)
    page = paginate(request, people, PER_PAGE)
    found = balances_of(year, [p.pk for p in page])
    rows = []
    for person in page:
        balance = found[person.pk]
        initial = {"entitled_days": balance.entitled, "carried_days": balance.carried}
        rows.append({"person": person, "balance": balance, "form": BalanceForm(initial=initial)})
    this = timezone.localdate().year
    context = {
        "rows": rows,
        "page_obj": page,
        "year": year,
        "years": range(this - 2, this + 2),
        "unit": unit,
        "units": Unit.objects.filter(is_active=True, people__isnull=False).distinct(),
        "default": LeaveSettings.current().default_annual_days,
    }
    return render(request, "leave/balances.html", context)

"""Forms of meetings: the meeting itself (date and times as a clerk types them), invitees,
answers, cancellation, the agenda slots, meeting leave, minutes and decisions, and the
statistics period. The rules are the services'."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.assessment.forms import person_label
from duban.assessment.forms_periods import PeopleField
from duban.lib.forms import StyledFormMixin
from duban.meetings.access import host_units
from duban.meetings.models import InviteScope, Meeting
from duban.meetings.services.leave import substitutes_for
from duban.meetings.services.meetings import ERR_ENDS, ERR_PLAN_KIND, PLAN_KINDS
from duban.org.access import ALL
from duban.org.forms import TreeUnitField
from duban.org.models import Person, Unit
from duban.supervision.models import Plan, PlanStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
SMALL_DATE = {"type": "date", "class": "form-control-sm"}
DEFAULT_DUE_TIME = datetime.time(17, 0)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


def _people():
    return Person.objects.filter(is_active=True).select_related("unit").order_by("unit__order", "name")


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class MeetingForm(StyledFormMixin, forms.ModelForm):
    day = forms.DateField(label=_("会议日期"), widget=DATE)
    start = forms.TimeField(label=_("开始时间"), widget=TIME)
    end = forms.TimeField(label=_("结束时间"), widget=TIME)
    end_day = forms.DateField(label=_("结束日期"), widget=DATE, required=False, help_text=_("跨天的会议才需要填写。"))
    host_unit = TreeUnitField(label=_("主办单位"))
    organiser = PersonField(
        label=_("会务联系人"), queryset=Person.objects.none(), help_text=_("负责审批会议请假、组织签到。")
    )
    plan = forms.ModelChoiceField(
        label=_("调度计划"),
        required=False,
        queryset=Plan.objects.none(),
        empty_label=_("（不关联计划）"),
        help_text=_("仅调度会、推进会：各牵头单位按此计划汇报工作进展。"),
    )
    due_day = forms.DateField(label=_("材料报送截止日期"), widget=DATE, required=False)
    due_time = forms.TimeField(label=_("截止时间"), widget=TIME, required=False, help_text=_("不填默认为 17:00。"))

    class Meta:
        model = Meeting
        fields = ["kind", "title", "place", "host_unit", "organiser", "chair", "plan", "agenda"]
        fields += ["allows_substitute", "late_after_minutes", "version"]
        widgets = {
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "version": forms.HiddenInput,
        }
        help_texts = {"agenda": _("每行一项，例如：各牵头单位汇报工作进展。调度会的汇报单位可在“议程材料”中生成。")}

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        units = host_units(access)
        host = self.fields["host_unit"]
        if units != ALL:
            keep = set(units) | ({self.instance.host_unit_id} if self.instance.pk else set())
            host.queryset = Unit.objects.filter(pk__in=keep)
        host.set_tree(access.tree, blank=_("请选择主办单位"))
        if units != ALL:
            host.choices = [c for c in host.choices if c[0] == "" or c[0] in keep]
        self.fields["organiser"].queryset = _people()
        plans = Plan.objects.exclude(status=PlanStatus.CLOSED)
        if self.instance.plan_id:
            plans = Plan.objects.filter(Q(pk=self.instance.plan_id) | Q(pk__in=plans.values("pk")))
        self.fields["plan"].queryset = plans.order_by("-year", "title")
        self.fields["late_after_minutes"].widget.attrs.update({"min": 0, "max": 120})
        self.fields["version"].required = False
        meeting = self.instance
        if meeting.pk:
            start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
            self.initial.update(day=start.date(), start=start.time(), end=end.time())
            if end.date() != start.date():
                self.initial["end_day"] = end.date()
            if meeting.reports_due_at:
                due = timezone.localtime(meeting.reports_due_at)
                self.initial.update(due_day=due.date(), due_time=due.time())

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            starts_at = _aware(day, start)
            ends_at = _aware(cleaned.get("end_day") or day, end)
            if ends_at <= starts_at:
                self.add_error("end", ERR_ENDS)
            self.instance.starts_at, self.instance.ends_at = starts_at, ends_at
        due_day = cleaned.get("due_day")
        self.instance.reports_due_at = _aware(due_day, cleaned.get("due_time") or DEFAULT_DUE_TIME) if due_day else None
        if cleaned.get("plan") and cleaned.get("kind") not in PLAN_KINDS:
            self.add_error("plan", ERR_PLAN_KIND)
        if cleaned.get("version") is None:
            cleaned["version"] = self.instance.version
        return cleaned


class UnitInviteForm(StyledFormMixin, forms.Form):
    unit = TreeUnitField(label=_("参会单位"))
    scope = forms.ChoiceField(label=_("参会范围"), choices=InviteScope.choices, initial=InviteScope.HEADS)

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_tree(tree, blank=_("请选择单位"))


class PeopleInviteForm(StyledFormMixin, forms.Form):
    people = PeopleField(
        label=_("参会人员"),
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("可在上方输入姓名或单位筛选；按住 Ctrl（Mac 上为 ⌘）可多选。"),
        error_messages={"required": _("请选择要邀请的人员。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = _people()


class RespondForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("说明（可不填）"), max_length=200, required=False)


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("取消原因"), max_length=300, error_messages={"required": _("请填写取消会议的原因。")}
    )


class SlotForm(StyledFormMixin, forms.Form):
    progress = forms.CharField(label=_("工作进展"), widget=forms.Textarea(attrs={"rows": 8}), max_length=8000)
    problems = forms.CharField(
        label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000, required=False
    )
    next_steps = forms.CharField(
        label=_("下一步计划"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class SlotAddForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("议题"), max_length=200)
    unit = TreeUnitField(label=_("汇报单位"), required=False)

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_tree(tree, blank=_("（无）"))


class LeaveForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("请假事由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明不能参会的原因，例如：赴京参加教育部会议。"),
    )
    substitute = forms.ModelChoiceField(
        label=_("委托代为参会人"), queryset=Person.objects.none(), required=False, empty_label=_("不委托")
    )

    def __init__(self, *args, meeting, person, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting.allows_substitute:
            self.fields["substitute"].queryset = substitutes_for(meeting, person)
            self.fields["substitute"].help_text = _("本单位人员。准假后由其代为参会。")
        else:
            del self.fields["substitute"]


# --- Minutes and decisions ---------------------------------------------------------------


class MinutesForm(StyledFormMixin, forms.Form):
    minutes = forms.CharField(
        label=_("会议纪要"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("会议的主要内容。决定事项逐条填在下面，便于转为督办事项。"),
    )


class DecisionRowForm(StyledFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(label=_("决定事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"), queryset=Unit.objects.filter(is_active=True), required=False, empty_label=_("（未定）")
    )
    due_date = forms.DateField(label=_("完成时限"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = bool(self.initial.get("item"))
        if self.locked:
            for name in ("text", "lead_unit", "due_date"):
                self.fields[name].disabled = True


DecisionFormSet = forms.formset_factory(DecisionRowForm, extra=3, can_delete=True)


def decision_initial(decisions) -> list[dict]:
    """The formset's initial rows: one per stored decision."""
    return [
        {"id": d.pk, "text": d.text, "lead_unit": d.lead_unit_id, "due_date": d.due_date, "item": d.item_id}
        for d in decisions
    ]


class ToItemsForm(StyledFormMixin, forms.Form):
    decisions = forms.MultipleChoiceField(
        label=_("决定事项"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择要转为督办事项的决定事项。")},
    )
    plan = forms.ModelChoiceField(label=_("加入督办计划"), queryset=Plan.objects.exclude(status=PlanStatus.CLOSED))
    start_date = forms.DateField(label=_("开始日期"), widget=DATE)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decisions"].choices = choices


# --- Statistics ----------------------------------------------------------------------------


class StatsForm(StyledFormMixin, forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=forms.DateInput(SMALL_DATE, format="%Y-%m-%d"))
    end = forms.DateField(label=_("结束日期"), widget=forms.DateInput(SMALL_DATE, format="%Y-%m-%d"))
    unit = forms.ModelChoiceField(
        label=_("单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("全部单位"),
        widget=forms.Select(attrs={"class": "form-select-sm"}),
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

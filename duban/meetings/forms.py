"""Forms of meetings: the meeting itself (date and times as a clerk types them), invitees,
answers, cancellation and the agenda slots. The rules are the services'."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.assessment.forms import person_label
from duban.lib.forms import StyledFormMixin
from duban.meetings.models import InviteScope, Meeting
from duban.meetings.services.meetings import ERR_ENDS, ERR_PLAN_KIND, PLAN_KINDS
from duban.org.access import ALL
from duban.org.forms import TreeUnitField
from duban.org.models import Person, Unit
from duban.supervision.models import Plan, PlanStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DEFAULT_DUE_TIME = datetime.time(17, 0)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class PeopleField(forms.ModelMultipleChoiceField):
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
        from duban.meetings.access import host_units

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

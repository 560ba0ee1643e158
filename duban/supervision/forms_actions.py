"""Forms of the supervision actions: 催办, 督办单 and its answer, 告诫提醒, 问责, 批示, 通报.

The forms only shape input; the rules (who, which state, which dates) are the services'.
"""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.lib.dates import cn_date
from duban.lib.forms import StyledFormMixin
from duban.org.forms import TreeUnitField
from duban.org.models import Person, Unit, UnitKind
from duban.org.tree import UnitTree
from duban.supervision.models import AccountabilityKind, Item, ItemState, NoticeStatus, Plan
from duban.supervision.services import Refused
from duban.supervision.services.actions import (
    ERR_DECIDED_FUTURE,
    ERR_RESPOND_BY_PAST,
    FILE_SIGNATURES,
    LaggingUnit,
    attachment_check,
    notice_default_title,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RESPOND_WITHIN_DAYS = 7


def _text(label, rows=5, **kwargs):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), max_length=4000, **kwargs)


def _state(item: Item) -> ItemState | None:
    return ItemState.objects.filter(item=item).first()


def _person_label(person: Person) -> str:
    unit = person.unit.name if person.unit_id else _("无单位")
    return f"{person.name}（{unit}）"


def _people_of(item: Item):
    """People of the units that own the item, and its responsible person."""
    units = [item.lead_unit_id, *item.co_units.values_list("pk", flat=True)]
    return (
        Person.objects.filter(Q(unit_id__in=units) | Q(pk=item.responsible_person_id), is_active=True)
        .select_related("unit")
        .order_by("unit__order", "name")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _person_label(obj)


class UrgeForm(StyledFormMixin, forms.Form):
    text = _text(_("催办内容"), help_text=_("发送给事项责任人和牵头单位的负责人、联络员。"))

    def __init__(self, *args, item: Item, **kwargs):
        super().__init__(*args, **kwargs)
        state = _state(item)
        status = f"当前状态为“{state.get_status_display()}”，" if state else ""
        due = f"完成时限为{cn_date(item.due_date, full=True)}，" if item.due_date else ""
        self.fields[
            "text"
        ].initial = f"“{item.title}”{due}{status}请抓紧推进，按时报送进展；如有困难请及时向督查办反映。"


class NoticeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    addressee_unit = TreeUnitField(label=_("主送单位"), help_text=_("默认为事项的牵头单位。"))
    requirement = _text(_("督办要求"), rows=6, help_text=_("每行一段，将原样写入督办单。"))
    respond_by = forms.DateField(label=_("回复时限"), widget=DATE, help_text=_("不早于今天。"))

    def __init__(self, *args, item: Item, tree: UnitTree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addressee_unit"].set_tree(tree, blank=None)
        self.fields["title"].initial = notice_default_title(item)
        self.fields["addressee_unit"].initial = item.lead_unit_id
        self.fields["respond_by"].initial = timezone.localdate() + datetime.timedelta(days=RESPOND_WITHIN_DAYS)

    def clean_respond_by(self):
        # The service enforces this too; checking here shows it with the other field errors at once.
        respond_by = self.cleaned_data["respond_by"]
        if respond_by < timezone.localdate():
            raise forms.ValidationError(ERR_RESPOND_BY_PAST)
        return respond_by


class NoticeAnswerForm(StyledFormMixin, forms.Form):
    response = _text(_("办理情况"), rows=6, help_text=_("说明已采取的措施、取得的进展和下一步安排。"))


class NoticeCloseForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("办结意见"), max_length=300, required=False)


class NoticeFilterForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *NoticeStatus.choices])
    plan = forms.ModelChoiceField(
        label=_("计划"), required=False, queryset=Plan.objects.none(), empty_label=_("全部计划")
    )

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        for field in self.fields.values():
            field.widget.attrs.update({"data-autosubmit": "", "class": "form-select form-select-sm"})


class WarningForm(StyledFormMixin, forms.Form):
    unit = TreeUnitField(label=_("告诫单位"), help_text=_("默认为事项的牵头单位；单位负责人会收到提醒。"))
    person = PersonChoiceField(
        label=_("告诫人员"), required=False, queryset=Person.objects.none(), empty_label=_("（不针对个人）")
    )
    text = _text(_("告诫内容"))

    def __init__(self, *args, item: Item, tree: UnitTree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_tree(tree, blank=None)
        self.fields["unit"].initial = item.lead_unit_id
        self.fields["person"].queryset = _people_of(item)
        self.fields["person"].initial = item.responsible_person_id


class AccountabilityForm(StyledFormMixin, forms.Form):
    unit = TreeUnitField(label=_("问责单位"))
    person = PersonChoiceField(
        label=_("问责人员"), required=False, queryset=Person.objects.none(), empty_label=_("（仅问责单位）")
    )
    kind = forms.ChoiceField(label=_("问责方式"), choices=AccountabilityKind.choices)
    reason = _text(_("问责事由"))
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    decision_title = forms.CharField(label=_("决定文件标题"), max_length=200, required=False)
    decision_number = forms.CharField(label=_("决定文号"), max_length=60, required=False)
    decision_file = forms.FileField(
        label=_("决定文件附件"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ",".join(FILE_SIGNATURES)}),
    )

    def __init__(self, *args, item: Item, tree: UnitTree, max_mb: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_tree(tree, blank=None)
        self.fields["unit"].initial = item.lead_unit_id
        self.fields["person"].queryset = _people_of(item)
        self.fields["decided_on"].initial = timezone.localdate()
        self.fields["decision_file"].help_text = _("PDF、Word 或 JPG/PNG 图片，不超过 %(mb)s MB。") % {"mb": max_mb}

    def clean_decided_on(self):
        decided_on = self.cleaned_data["decided_on"]
        if decided_on > timezone.localdate():
            raise forms.ValidationError(ERR_DECIDED_FUTURE)
        return decided_on

    def clean_decision_file(self):
        upload = self.cleaned_data.get("decision_file")
        if upload:
            try:
                attachment_check(upload)
            except Refused as error:
                raise forms.ValidationError(error.messages)
        return upload


class InstructionForm(StyledFormMixin, forms.Form):
    text = _text(_("批示内容"), help_text=_("事项责任人、牵头单位负责人和联络员、督查办会收到批示。"))


def circular_default_body(plan: Plan, lagging: list[LaggingUnit], today: datetime.date) -> str:
    overdue = sum(lag.overdue for lag in lagging)
    behind = sum(lag.behind for lag in lagging)
    if not lagging:
        return f"截至{cn_date(today, full=True)}，“{plan.title}”各事项总体按计划推进。现将有关情况通报如下："
    lines = [
        f"截至{cn_date(today, full=True)}，“{plan.title}”共有{overdue}个事项逾期、{behind}个事项进度滞后。"
        "现将有关情况通报如下：",
    ]
    lines += [f"{lag.unit.name}：逾期{lag.overdue}项，滞后{lag.behind}项。" for lag in lagging]
    lines.append("请上述单位认真分析原因，制定有力措施，加快工作进度，并于一周内将整改情况报督查办。")
    return "\n".join(lines)


class CircularForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    number = forms.CharField(label=_("文号"), max_length=40, required=False, help_text=_("可留空。"))
    body = _text(_("正文"), rows=10, help_text=_("每行一段。"))
    units = forms.ModelMultipleChoiceField(
        label=_("通报单位"),
        required=False,
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("已预先勾选有逾期或滞后事项的单位（按严重程度排列）；这些单位的负责人会收到通报。"),
    )

    def __init__(self, *args, plan: Plan, lagging: list[LaggingUnit], tree: UnitTree, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        labels = {lag.unit.pk: f"{lag.unit.name}（逾期 {lag.overdue}，滞后 {lag.behind}）" for lag in lagging}
        order = [lag.unit.pk for lag in lagging]
        order += [
            node.id
            for node, _depth in tree.walk()
            if node.is_active and node.kind != UnitKind.GRID_GROUP and node.id not in labels
        ]
        field = self.fields["units"]
        field.queryset = Unit.objects.filter(pk__in=order)
        position = {pk: index for index, pk in enumerate(order)}
        units = sorted(field.queryset, key=lambda u: position[u.pk])
        field.choices = [(u.pk, labels.get(u.pk, u.name)) for u in units]
        field.initial = [lag.unit.pk for lag in lagging]
        self.fields["title"].initial = f"关于“{plan.title}”推进情况的通报"[:200]
        self.fields["body"].initial = circular_default_body(plan, lagging, today)

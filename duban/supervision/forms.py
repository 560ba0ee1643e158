"""Forms of the supervision core pages (plans, items, nodes, reports, deferrals)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.lib.forms import StyledFormMixin
from duban.lib.numbers import plain as plain_number
from duban.org.forms import TreeUnitField, unit_choices
from duban.org.models import Person, Role
from duban.supervision.models import Indicator, Item, Plan, PlanPhase
from duban.supervision.schedule import MAX_INTERVAL_DAYS
from duban.supervision.status import SEVERITY, Colour, Status

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(StyledFormMixin, forms.ModelForm):
    owner_unit = TreeUnitField(label=_("牵头督办单位"), required=False)

    class Meta:
        model = Plan
        fields = [
            "title",
            "kind",
            "year",
            "start_date",
            "end_date",
            "owner_unit",
            "status",
            "description",
            "due_soon_days",
            "pace_tolerance",
            "report_grace_days",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].set_tree(tree, blank=_("（未指定）"))
        # One colour per status: the plan's colour rules, editable as data.
        current = self.instance.policy().colours
        for status in SEVERITY:
            name = f"colour_{status}"
            self.fields[name] = forms.ChoiceField(
                label=_("“%(s)s”的颜色") % {"s": Status(status).label},
                choices=Colour.choices,
                required=False,  # left out (e.g. by the API): the current colour stays
                initial=current.get(status),
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return cleaned

    def save(self, commit=True):
        plan = super().save(commit=False)
        colours = dict(plan.policy().colours)
        for status in SEVERITY:
            if self.cleaned_data.get(f"colour_{status}"):
                colours[str(status)] = self.cleaned_data[f"colour_{status}"]
        plan.colours = {str(k): str(v) for k, v in colours.items()}
        if commit:
            plan.save()
        return plan


def _person_label(person: Person) -> str:
    unit = person.unit.name if person.unit_id else "无单位"
    return f"{person.name}（{unit}{'，' + person.position if person.position else ''}）"


class ItemForm(StyledFormMixin, forms.ModelForm):
    lead_unit = TreeUnitField(label=_("牵头单位"))
    co_units = forms.MultipleChoiceField(
        label=_("责任单位（协办）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # The version the editor loaded: a save over someone else's change is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Item
        fields = [
            "parent",
            "ordinal",
            "title",
            "description",
            "lead_unit",
            "co_units",
            "patron_leader",
            "responsible_person",
            "phase",
            "start_date",
            "due_date",
            "cadence",
            "cadence_day",
            "remarks",
        ]
        widgets = {
            "start_date": DATE,
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, plan: Plan, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["lead_unit"].set_tree(tree, blank=_("请选择牵头单位"))
        self.fields["co_units"].choices = unit_choices(tree)
        if self.instance.pk:
            self.initial["co_units"] = [u.pk for u in self.instance.co_units.all()]
            self.initial.setdefault("version", self.instance.version)
        parents = Item.objects.filter(plan=plan, parent__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = False
        self.fields["phase"].queryset = plan.phases.all()
        if not plan.phases.exists():
            del self.fields["phase"]
        leaders = Person.objects.filter(is_active=True, grants__role=Role.LEADER).distinct().select_related("unit")
        self.fields["patron_leader"].queryset = leaders
        self.fields["patron_leader"].label_from_instance = _person_label
        # The responsible person is picked among the lead unit's people (HTMX reloads
        # the options when the lead unit changes).
        unit_id = (
            self.data.get(self.add_prefix("lead_unit"))
            or self.initial.get("lead_unit")
            or (self.instance.lead_unit_id if self.instance.pk else None)
        )
        people = Person.objects.filter(is_active=True).select_related("unit")
        self.fields["responsible_person"].queryset = people.filter(unit_id=unit_id) if unit_id else people.none()
        self.fields["responsible_person"].label_from_instance = _person_label
        self.fields["responsible_person"].help_text = _("先选择牵头单位，这里列出该单位的人员。")
        self.fields["lead_unit"].widget.attrs.update(
            {"hx-get": "/supervision/people-options/", "hx-target": "#id_responsible_person", "hx-trigger": "change"}
        )

    def clean_co_units(self):
        from duban.org.models import Unit

        ids = [int(v) for v in self.cleaned_data.get("co_units") or []]
        return list(Unit.objects.filter(pk__in=ids))

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("完成时限不能早于开始日期。"))
        cadence, day = cleaned.get("cadence"), cleaned.get("cadence_day")
        if cadence == "weekly" and day is not None and not 1 <= day <= 7:
            self.add_error("cadence_day", _("每周填报时，填报日应为 1（周一）到 7（周日）。"))
        if cadence == "monthly" and day is not None and not 1 <= day <= 28:
            self.add_error("cadence_day", _("每月填报时，填报日应为 1 到 28 号。"))
        if cadence == "custom" and day is not None and not 1 <= day <= MAX_INTERVAL_DAYS:
            self.add_error("cadence_day", _("自定义间隔应为 1 到 %(max)d 天。") % {"max": MAX_INTERVAL_DAYS})
        return cleaned


class ReverseScheduleForm(StyledFormMixin, forms.Form):
    steps = forms.CharField(
        label=_("工作步骤（每行一项，按先后顺序）"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "完成方案论证\n完成招标采购\n完成建设施工\n完成验收"}),
    )
    every = forms.ChoiceField(label=_("间隔"), choices=[("week", _("每周一个节点")), ("day", _("每天一个节点"))])

    def step_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["steps"].splitlines() if line.strip()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the files themselves are checked by the service)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return single(data, initial)


class ReportForm(StyledFormMixin, forms.Form):
    progress_text = forms.CharField(label=_("工作进展"), widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(label=_("下一步计划"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可多选，每个不超过 20 MB：PDF、Word、Excel、PPT、OFD、图片、ZIP。"),
    )
    # The version the filler loaded: a save over someone else's change is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            label = f"{indicator.name}（目标 {plain_number(indicator.target)}{indicator.unit_of_measure}）"
            self.fields[f"ind_{indicator.pk}"] = forms.DecimalField(
                label=label, required=False, max_digits=14, decimal_places=2
            )
        # The mixin styled the fields declared on the class; style the added ones too.
        for name in self.fields:
            if name.startswith("ind_"):
                self.fields[name].widget.attrs["class"] = "form-control"

    def readings(self) -> dict:
        return {i.pk: self.cleaned_data.get(f"ind_{i.pk}") for i in self.indicators}


class ReviewForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[("accept", _("采纳")), ("return", _("退回修改"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=300, help_text=_("退回时必填。"))


class DeferralForm(StyledFormMixin, forms.Form):
    new_due_date = forms.DateField(label=_("申请延至"), widget=DATE)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"), choices=[("approve", _("同意延期")), ("refuse", _("不同意"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("审批意见"), required=False, max_length=300, help_text=_("不同意时必填。"))


class IndicatorForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit_of_measure", "baseline", "target", "direction"]
        help_texts = {"unit_of_measure": _("例如：人、项、万元、%。")}


class PhaseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PlanPhase
        fields = ["name", "start_date", "end_date", "order"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return cleaned

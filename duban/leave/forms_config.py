"""Forms of the leave configuration: departments and default days, a type with its rules
and steps (nested formsets), holidays, and one row of annual-leave entitlement."""

from django import forms
from django.forms import formset_factory

from duban.leave.forms import DATE
from duban.leave.models import AbsenceType, Approver, LeaveSettings, StepAction
from duban.leave.services.chains import label_for
from duban.lib.forms import StyledFormMixin
from duban.org.models import Rank, Unit, UnitKind

RANKS = dict(Rank.choices)


def units():
    return Unit.objects.filter(is_active=True).exclude(kind=UnitKind.GRID_GROUP)


class SettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = LeaveSettings
        fields = ["office_unit", "hr_unit", "political_unit", "default_annual_days"]
        help_texts = {
            "office_unit": "“办公室”环节发给该单位的负责人和联络员。",
            "hr_unit": "“人事部门”环节的办理单位；其负责人和联络员维护年休假额度。",
            "political_unit": "“政工部门”环节的备案单位。",
            "default_annual_days": "没有单独设置额度的人员按此天数计算。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("office_unit", "hr_unit", "political_unit"):
            self.fields[name].queryset = units()

    def clean_default_annual_days(self):
        days = self.cleaned_data["default_annual_days"]
        if days < 0:
            raise forms.ValidationError("天数不能为负数。")
        return days


class TypeForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AbsenceType
        fields = ["name", "order", "uses_balance", "needs_destination", "report_only", "is_active"]


class RuleForm(StyledFormMixin, forms.Form):
    ranks = forms.MultipleChoiceField(
        label="适用职级",
        choices=Rank.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不勾选：适用于前面规则未包括的所有职级。",
    )
    note = forms.CharField(label="依据", max_length=200, required=False)


class StepForm(StyledFormMixin, forms.Form):
    approver = forms.ChoiceField(label="办理人", choices=[("", "—")] + Approver.choices, required=False)
    unit = forms.ModelChoiceField(label="指定部门", queryset=Unit.objects.none(), required=False)
    action = forms.ChoiceField(label="动作", choices=StepAction.choices, initial=StepAction.APPROVE, required=False)

    def __init__(self, *args, unit_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = units()
        if unit_choices is not None:
            field.choices = unit_choices  # read once for the whole formset


def unit_choices() -> list:
    """The choices of the 指定部门 select, read once and shared by every step form."""
    return [("", "---------"), *((unit.pk, unit.name) for unit in units().only("pk", "name", "order"))]


RuleFormSet = formset_factory(RuleForm, extra=1, can_delete=True)
StepFormSet = formset_factory(StepForm, extra=0)
STEP_SLOTS = 4


def rule_formsets(absence_type, data=None):
    """The rules formset, each form carrying `.steps` (its own steps formset)."""
    rules = list(absence_type.rules.prefetch_related("steps"))
    initial = [{"ranks": r.ranks, "note": r.note} for r in rules]
    formset = RuleFormSet(data, prefix="rule", initial=initial)
    choices = unit_choices()
    for index, form in enumerate(formset.forms):
        steps = (
            [{"approver": s.approver, "unit": s.unit_id, "action": s.action} for s in rules[index].steps.all()]
            if index < len(rules)
            else []
        )
        form.steps = StepFormSet(
            data, prefix=f"rule-{index}-step", initial=steps, form_kwargs={"unit_choices": choices}
        )
        form.steps.extra = max(1, STEP_SLOTS - len(steps))
    return formset


def rule_words(rule, rank_words: str) -> str:
    steps = " → ".join(label_for(s) for s in rule.steps.all())
    return f"{rank_words}：{steps or '（未设置步骤）'}"


def chain_words(absence_type) -> str:
    """“校级、正处级：主管领导审批 → 办公室告知；其他职级：本单位负责人审批”."""
    rules = list(absence_type.rules.all())
    parts = []
    for rule in rules:
        if rule.ranks:
            ranks = "、".join(str(RANKS.get(r, r)) for r in rule.ranks)
        else:
            ranks = "其他职级" if len(rules) > 1 else "所有人员"
        parts.append(rule_words(rule, ranks))
    return "；".join(parts) or "未设置审批规则"


class HolidayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    name = forms.CharField(label="名称", max_length=40, required=False)
    is_workday = forms.BooleanField(label="调休上班（周末上班）", required=False)


class HolidayPasteForm(StyledFormMixin, forms.Form):
    lines = forms.CharField(
        label="批量粘贴",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "2026-10-01 国庆节\n2026-10-11 调休上班"}),
        help_text="每行一天：日期 名称。名称含“上班”的记为调休上班日，其余记为放假。",
    )


class BalanceForm(StyledFormMixin, forms.Form):
    entitled_days = forms.DecimalField(label="应休天数", max_digits=4, decimal_places=1, min_value=0)
    carried_days = forms.DecimalField(label="上年结转", max_digits=4, decimal_places=1, min_value=0)

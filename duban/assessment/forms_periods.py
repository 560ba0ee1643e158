"""Forms of unit assessment (考核评价): the period, its rules and bands, and the assessors'
score grid."""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from duban.assessment.forms import OrderedRowForm, person_label
from duban.assessment.models import AssessmentPeriod, Band, Metric, ScoringRule
from duban.assessment.models.units import RATE_METRICS
from duban.lib.forms import StyledFormMixin
from duban.lib.numbers import plain
from duban.org.models import Person, Unit, UnitKind
from duban.supervision.models import Plan

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ERR_END_BEFORE_START = "考核期结束日期不能早于开始日期。"
ERR_CAP_NEGATIVE = "上限请填正数；不限请留空。"
ERR_POINTS_POSITIVE = "比率类和人工评分的分值（满分）必须大于 0。"
ERR_POINTS_ZERO = "计数类的分值不能为 0：加分填正数，扣分填负数。"
ERR_BAND_TWICE = "等次“{label}”重复了。"
ERR_SCORE_CLEARED = "已打过的分不能清空；如需修改，请填写新的分数。"
# Units that are assessed: not the institution itself and not the office's liaison groups.
ASSESSED_KINDS = [k for k in UnitKind if k not in (UnitKind.INSTITUTION, UnitKind.GRID_GROUP)]
COUNT_METRICS = [m for m in Metric if m not in RATE_METRICS and m != Metric.MANUAL]


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class PlanField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title}（{obj.year}）" if obj.year else obj.title


class PeriodForm(StyledFormMixin, forms.ModelForm):
    """A period's own fields, its units, plans and assessors. Once the rules are published the
    dates, base score, units and plans are part of the rules and stay as they are; assessors
    may still change."""

    units = forms.ModelMultipleChoiceField(
        label=_("被考核单位"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个被考核单位。")},
    )
    plans = PlanField(
        label=_("纳入考核的计划"),
        required=False,
        queryset=Plan.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("留空则纳入全部计划中各单位牵头的事项。"),
    )
    assessors = PeopleField(
        label=_("评分人"),
        required=False,
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8, "data-filterable": ""}),
        help_text=_("为“人工评分”类规则打分的人员（如校领导、纪检人员）。按住 Ctrl（Mac 上为 ⌘）可多选。"),
    )
    LOCKED = ("start", "end", "base_score", "units", "plans")

    class Meta:
        model = AssessmentPeriod
        fields = ["title", "year", "start", "end", "base_score", "note"]
        widgets = {
            "start": DATE,
            "end": DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
            "base_score": forms.NumberInput(attrs={"step": "any"}),
        }

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = set(self.instance.units.values_list("pk", flat=True)) if self.instance.pk else set()
        order = [
            node.id
            for node, _depth in tree.walk()
            if (node.is_active and node.kind in ASSESSED_KINDS) or node.id in chosen
        ]
        self.kind_of = {node.id: node.kind for node, _depth in tree.walk()}
        units = {u.pk: u for u in Unit.objects.filter(pk__in=order)}
        self.fields["units"].queryset = Unit.objects.filter(pk__in=order)
        self.fields["units"].choices = [(pk, units[pk].name) for pk in order if pk in units]
        self.fields["plans"].queryset = Plan.objects.order_by("-year", "title")
        self.fields["assessors"].queryset = (
            Person.objects.filter(is_active=True).select_related("unit").order_by("unit__order", "name")
        )
        self.fields["year"].widget.attrs.update({"min": 2000, "max": 2100})
        if self.instance.pk:
            self.fields["units"].initial = list(chosen)
            self.fields["plans"].initial = list(self.instance.plans.values_list("pk", flat=True))
            self.fields["assessors"].initial = list(self.instance.assessors.values_list("pk", flat=True))
            if self.instance.state != "draft":
                for name in self.LOCKED:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("评分规则已公布，不能再修改。如需调整，请先撤回公布。")

    def unit_groups(self):
        """The unit checkboxes grouped by kind (职能部门, 教学单位, …), in tree order."""
        groups = {kind: [] for kind in ASSESSED_KINDS}
        for widget in self["units"]:
            groups.setdefault(UnitKind(self.kind_of[int(widget.data["value"])]), []).append(widget)
        return [(kind.value, kind.label, widgets) for kind, widgets in groups.items() if widgets]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", ERR_END_BEFORE_START)
        return cleaned


def metric_choices():
    """The metrics grouped as the help text explains them."""
    return [
        ("", "——"),
        (_("比率类（满分 × 比率）"), [(m.value, m.label) for m in Metric if m in RATE_METRICS]),
        (_("计数类（每次加减分，可设上限）"), [(m.value, m.label) for m in COUNT_METRICS]),
        (_("人工评分（评分人打分取平均）"), [(Metric.MANUAL.value, Metric.MANUAL.label)]),
    ]


class RuleForm(OrderedRowForm):
    class Meta:
        model = ScoringRule
        fields = ["metric", "label", "points", "cap", "description"]
        widgets = {
            "points": forms.NumberInput(attrs={"step": "any"}),
            "cap": forms.NumberInput(attrs={"step": "any", "min": 0}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()

    def clean(self):
        cleaned = super().clean()
        metric, points, cap = cleaned.get("metric"), cleaned.get("points"), cleaned.get("cap")
        if cap is not None and cap < 0:
            self.add_error("cap", ERR_CAP_NEGATIVE)
        if metric and points is not None:
            if (metric in RATE_METRICS or metric == Metric.MANUAL) and points <= 0:
                self.add_error("points", ERR_POINTS_POSITIVE)
            elif metric not in RATE_METRICS and metric != Metric.MANUAL and points == 0:
                self.add_error("points", ERR_POINTS_ZERO)
        return cleaned


class BandForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Band
        fields = ["label", "min_score"]
        widgets = {"min_score": forms.NumberInput(attrs={"step": "any"})}


class BandFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if form in self.deleted_forms or not getattr(form, "cleaned_data", None):
                continue
            label = (form.cleaned_data.get("label") or "").strip()
            if label in seen:
                form.add_error("label", ERR_BAND_TWICE.format(label=label))
            seen.add(label)


def rule_formset(period, data=None):
    factory = forms.modelformset_factory(ScoringRule, form=RuleForm, extra=2, can_delete=True)
    return factory(data, queryset=period.rules.order_by("order", "id"), prefix="rule")


def band_formset(period, data=None):
    factory = forms.modelformset_factory(Band, form=BandForm, formset=BandFormSet, extra=2, can_delete=True)
    return factory(data, queryset=period.bands.order_by("-min_score"), prefix="band")


# --- The assessors' grid ---------------------------------------------------------------


@dataclass
class Cell:
    rule: ScoringRule
    unit: Unit
    score: str = ""
    note: str = ""
    saved: bool = False  # the assessor scored this cell before
    errors: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.rule.pk}-{self.unit.pk}"


@dataclass
class GridRow:
    unit: Unit
    cells: list


class ScoreGrid:
    """Units × manual rules for one assessor, prefilled with their own scores; posted values
    replace the prefill so the assessor's input is kept when something is wrong."""

    def __init__(self, period, assessor, data=None):
        from duban.assessment.models import ManualScore

        self.rules = [r for r in period.rules.order_by("order", "id") if r.is_manual]
        self.units = list(period.units.order_by("order", "name"))
        mine = {(s.rule_id, s.unit_id): s for s in ManualScore.objects.filter(rule__period=period, assessor=assessor)}
        self.rows = []
        for unit in self.units:
            cells = []
            for rule in self.rules:
                saved = mine.get((rule.pk, unit.pk))
                cell = Cell(rule, unit, saved=saved is not None)
                if saved is not None:
                    cell.score, cell.note = plain(saved.score), saved.note
                if data is not None:
                    cell.score = (data.get(f"s-{cell.key}") or "").strip()
                    cell.note = (data.get(f"n-{cell.key}") or "").strip()[:200]
                cells.append(cell)
            self.rows.append(GridRow(unit, cells))

    @property
    def cells(self):
        return [cell for row in self.rows for cell in row.cells]

    @property
    def errors(self):
        return [(cell, message) for cell in self.cells for message in cell.errors]

    def save(self, acting_user) -> int:
        """Every filled cell through the service; returns the number saved. The caller wraps
        this in a transaction and rolls back when any cell has an error."""
        from duban.assessment.services.periods import manual_score_set

        saved = 0
        for cell in self.cells:
            if cell.score == "":
                if cell.saved:
                    cell.errors.append(ERR_SCORE_CLEARED)
                continue
            try:
                manual_score_set(
                    acting_user=acting_user, rule=cell.rule, unit=cell.unit, score=cell.score, note=cell.note
                )
            except ValidationError as error:
                cell.errors.extend(error.messages)
            else:
                saved += 1
        return saved

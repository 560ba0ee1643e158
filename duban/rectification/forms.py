"""Forms of the rectification ledger pages: plans, findings, measures, closure, re-checks
and the evidence checklist. They validate input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.lib.forms import StyledFormMixin
from duban.org.forms import TreeUnitField, unit_choices
from duban.org.models import Unit
from duban.rectification.models import (
    EvidenceKind,
    Finding,
    MeasureType,
    RectificationPlan,
)
from duban.rectification.services import Refused
from duban.rectification.services.plans import parse_recheck_days
from duban.supervision.forms import DATE, ItemForm
from duban.supervision.models import Plan


class RectPlanForm(StyledFormMixin, forms.ModelForm):
    """The supervision side of a rectification plan (its kind is fixed by the service)."""

    owner_unit = TreeUnitField(label=_("牵头督办单位"), required=False)

    class Meta:
        model = Plan
        fields = ["title", "year", "start_date", "end_date", "owner_unit", "description"]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        labels = {"title": _("方案名称")}

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].set_tree(tree, blank=_("（未指定）"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return cleaned


class RectProfileForm(StyledFormMixin, forms.ModelForm):
    """Where the problems came from and the relapse-watch schedule."""

    recheck_text = forms.CharField(
        label=_("销号后复查（天）"),
        initial="30,90,180",
        help_text=_("销号后第几天由联络组复查，防止反弹回潮。用逗号分隔，例如 30,90,180。"),
    )

    class Meta:
        model = RectificationPlan
        fields = ["source", "reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["recheck_text"] = ",".join(str(d) for d in self.instance.schedule())

    def clean_recheck_text(self):
        try:
            days = parse_recheck_days(self.cleaned_data["recheck_text"])
        except Refused as error:
            raise forms.ValidationError(error.messages)
        if not days:
            raise forms.ValidationError(_("请至少填写一个复查天数，例如 30。"))
        return days

    def save(self, commit=True):
        profile = super().save(commit=False)
        profile.recheck_days = self.cleaned_data["recheck_text"]
        return profile


class FindingForm(StyledFormMixin, forms.ModelForm):
    units = forms.MultipleChoiceField(label=_("涉及单位"), required=False, widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Finding
        fields = [
            "ordinal",
            "reference",
            "category",
            "severity",
            "description",
            "units",
            "public_summary",
            "disclosed",
            "internal_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "internal_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"ordinal": _("留空则自动编为下一个序号。")}

    def __init__(self, *args, plan, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["ordinal"].required = bool(self.instance.pk)
        self.fields["units"].choices = unit_choices(tree)
        if self.instance.pk:
            # The ModelForm's initial holds the Unit objects, which match no checkbox (their values
            # are ids): the page showed none ticked, and saving it unchanged removed them all.
            self.initial["units"] = [u.pk for u in self.instance.units.all()]
            self.initial.setdefault("version", self.instance.version)

    def clean_ordinal(self):
        ordinal = self.cleaned_data.get("ordinal")
        if ordinal:
            taken = Finding.objects.filter(plan=self.plan, ordinal=ordinal).exclude(pk=self.instance.pk)
            if taken.exists():
                raise forms.ValidationError(_("序号 %(n)d 已被本方案的其他问题使用。") % {"n": ordinal})
        return ordinal

    def clean_units(self):
        ids = [int(v) for v in self.cleaned_data.get("units") or []]
        return list(Unit.objects.filter(pk__in=ids))


class MeasureForm(ItemForm):
    """An item's fields for a measure, with its type; parent, phase and remarks do not
    apply to measures (the finding is their parent)."""

    type = forms.ChoiceField(
        label=_("措施类型"),
        choices=MeasureType.choices,
        help_text=_("长期坚持的措施没有完成时限，按月填报；其他类型必须填写整改时限。"),
    )

    def __init__(self, *args, measure_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("parent", "ordinal", "phase", "remarks"):
            self.fields.pop(name, None)
        self.fields["type"].widget.attrs["class"] = "form-select"
        if measure_type:
            self.initial["type"] = measure_type
        self.fields["due_date"].label = _("整改时限")
        self.fields["patron_leader"].label = _("责任领导")
        self.fields["responsible_person"].label = _("责任人")
        self.fields["title"].label = _("整改措施")
        self.order_fields(["type", "title", "description"])

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("type")
        if kind and kind != MeasureType.ONGOING and not cleaned.get("due_date") and "due_date" not in self.errors:
            self.add_error("due_date", _("“%(t)s”措施必须填写整改时限。") % {"t": MeasureType(kind).label})
        return cleaned


class DocumentForm(StyledFormMixin, forms.Form):
    """The document a 建章立制 measure produced."""

    title = forms.CharField(label=_("制度文件标题"), max_length=200)
    number = forms.CharField(label=_("文号"), max_length=60, help_text=_("例如：党委发〔2026〕12号"))
    issued_on = forms.DateField(label=_("印发日期"), widget=DATE)
    file = forms.FileField(label=_("制度文件"), required=False, help_text=_("PDF、Word 或 OFD；已上传的可不再上传。"))


class ClosureRequestForm(StyledFormMixin, forms.Form):
    """The unit's request: a statement and one field per checklist line (a document
    line is satisfied by the measure's recorded document, not by this form)."""

    statement = forms.CharField(
        label=_("申请销号理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("一两句话概括，例如：已按期完成全部整改任务，建立了长效机制。下面逐项提供销号材料。"),
    )

    def __init__(self, *args, checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in checklist if line.kind != EvidenceKind.DOCUMENT]
        for line in self.lines:
            name = f"ev_{line.key}"
            if line.kind == EvidenceKind.FILE:
                field = forms.FileField(label=line.label, required=line.required)
                field.widget.attrs["class"] = "form-control"
            else:
                field = forms.CharField(
                    label=line.label, required=line.required, widget=forms.Textarea(attrs={"rows": 3})
                )
                field.widget.attrs["class"] = "form-control"
            self.fields[name] = field

    def evidence(self) -> dict:
        return {line.key: self.cleaned_data.get(f"ev_{line.key}") for line in self.lines}


class DecisionForm(StyledFormMixin, forms.Form):
    """Pass/approve or send back, with a reason when sending back."""

    decision = forms.ChoiceField(choices=[("pass", "pass"), ("return", "return")])
    remark = forms.CharField(label=_("意见"), required=False, max_length=300)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("remark") or "").strip():
            self.add_error("remark", _("退回必须填写理由。"))
        return cleaned


class RecheckForm(StyledFormMixin, forms.Form):
    verdict = forms.ChoiceField(
        label=_("复查结论"),
        choices=[("held", _("巩固良好")), ("relapsed", _("出现反弹"))],
        widget=forms.RadioSelect,
    )
    remark = forms.CharField(
        label=_("复查情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("出现反弹时必须写明具体情况；措施将重新打开，并通知责任单位。"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verdict") == "relapsed" and not (cleaned.get("remark") or "").strip():
            self.add_error("remark", _("请写明反弹的具体情况。"))
        return cleaned


class ChecklistLineForm(StyledFormMixin, forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    # Blank rows (the spare ones) are left out by the view, so a label is not required here.
    label = forms.CharField(label=_("要求"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("形式"), choices=EvidenceKind.choices)
    required = forms.BooleanField(label=_("必须提供"), required=False)
    order = forms.IntegerField(label=_("排序"), min_value=1, max_value=99, required=False)


ChecklistFormSet = forms.formset_factory(ChecklistLineForm, extra=2, can_delete=True, max_num=20, validate_max=True)

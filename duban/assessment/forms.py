"""Forms of the office's pages of a review session (述职评议 + 民主测评)."""

import re
import uuid
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duban.assessment.models import Dimension, Grade, ReportMode, ReviewSession, Subject, VoterGroup
from duban.assessment.services.codes import MAX_BATCH
from duban.lib.dates import cn_date
from duban.lib.forms import StyledFormMixin
from duban.lib.uploads import ZIP, UploadRejected, check_evidence
from duban.org.forms import TreeUnitField
from duban.org.models import Person

SCALE_CHOICES = [
    ("hao", _("好 / 较好 / 一般 / 差")),
    ("youxiu", _("优秀 / 称职 / 基本称职 / 不称职")),
]
# The written report: a PDF or a Word document, checked by its content, not its name.
REPORT_SIGNATURES = {".pdf": (b"%PDF-",), ".docx": (ZIP,)}
ERR_REPORT_TYPE = "述职报告只能是 PDF 或 Word（.docx）文件。"
ERR_NAME_OR_PERSON = "请从人员名单中选择，或填写姓名。"
ERR_PERSON_TWICE = "{name}已在被测评人名单中。"
ERR_NO_NAMES = "请粘贴被测评人姓名，每行一个。"
ERR_MIN_GRADES = "评价等次至少需要两个。"
ERR_GRADE_TWICE = "等次“{label}”重复了。"
ERR_DIMENSION_TWICE = "测评维度“{name}”重复了。"
ERR_GROUP_TWICE = "测评人类别“{name}”重复了。"
ERR_MIN_RATED_NEEDED = "不要求全部评价时，请填写最少评价人数。"


def report_max_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024)


def person_label(person: Person) -> str:
    unit = person.unit.name if person.unit_id else _("无单位")
    return f"{person.name}（{unit}{'，' + person.position if person.position else ''}）"


class SessionForm(StyledFormMixin, forms.ModelForm):
    """The session's own fields. The scale preset is offered only when creating; once voting
    has begun, the rules of the ballot are shown but cannot change."""

    organiser = TreeUnitField(label=_("组织单位"))
    scale = forms.ChoiceField(
        label=_("评价等次"),
        choices=SCALE_CHOICES,
        initial="hao",
        widget=forms.RadioSelect,
        help_text=_("创建后可在“评价等次”页调整等次、分值和计入好评率的等次，并可增加测评维度。"),
    )
    RULES = ("top_quota_percent", "require_all", "min_rated")
    field_order = ["title", "year", "organiser", "meeting", "held_on", "place", "instructions", "scale"]

    class Meta:
        model = ReviewSession
        fields = [
            "title",
            "year",
            "organiser",
            "meeting",
            "held_on",
            "place",
            "instructions",
            "top_quota_percent",
            "require_all",
            "min_rated",
            "show_receipts",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "instructions": forms.Textarea(attrs={"rows": 4}),
            "top_quota_percent": forms.NumberInput(attrs={"min": 1, "max": 100, "placeholder": "30"}),
            "min_rated": forms.NumberInput(attrs={"min": 1}),
        }
        help_texts = {
            "show_receipts": _("投票人提交后得到一个回执码，可凭它自行核对选票已计入结果（不显示选票内容）。"),
        }

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].set_tree(tree, blank=_("请选择单位"))
        self.fields["year"].widget.attrs.update({"min": 2000, "max": 2100})
        self._meeting_field()
        if self.instance.pk:
            del self.fields["scale"]
            if not self.instance.is_draft:
                for name in self.RULES:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("测评已开始，选票规则不能再修改。")

    def _meeting_field(self):
        """述职评议会 held on the platform: choosing one fills the date and place."""
        from duban.meetings.models import Meeting, MeetingKind, MeetingStatus

        field = self.fields["meeting"]
        field.queryset = Meeting.objects.filter(kind=MeetingKind.REVIEW).exclude(status=MeetingStatus.CANCELLED)
        field.label_from_instance = lambda m: f"{m.title}（{cn_date(m.starts_at, full=True)}，{m.place}）"
        field.empty_label = _("（不关联）")
        field.help_text = _("关联在本平台通知的述职评议会后，未填写的会议日期和地点取自该会议。")
        # Offered only when there is such a meeting (the template asks this, not the database).
        self.offers_meeting = field.queryset.exists()

    def clean_top_quota_percent(self):
        value = self.cleaned_data.get("top_quota_percent")
        if value is not None and not 1 <= value <= 100:
            raise ValidationError(_("比例上限应在 1 到 100 之间；不限制请留空。"))
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("require_all") and not cleaned.get("min_rated") and "min_rated" not in self.errors:
            self.add_error("min_rated", ERR_MIN_RATED_NEEDED)
        if cleaned.get("require_all"):
            cleaned["min_rated"] = None
        meeting = cleaned.get("meeting")
        if meeting is not None:
            # What the clerk typed wins; blanks come from the meeting.
            if not cleaned.get("held_on"):
                cleaned["held_on"] = timezone.localtime(meeting.starts_at).date()
            if not cleaned.get("place"):
                cleaned["place"] = meeting.place[:100]
        return cleaned


class ReportField(forms.FileField):
    """A written report: .pdf or .docx, checked by content, within the upload limit."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload is not initial and hasattr(upload, "size"):
            try:
                name = check_evidence(upload, report_max_bytes(), REPORT_SIGNATURES)
            except UploadRejected as exc:
                message = str(exc)
                if "类型不允许" in message:
                    message = ERR_REPORT_TYPE
                raise ValidationError(message) from None
            upload.original_name = name
        return upload


def attach_report(subject: Subject, upload) -> None:
    """Put an uploaded report on a subject under a random storage name; the name the clerk
    gave it is kept for the download."""
    subject.report_name = upload.original_name
    upload.name = f"{uuid.uuid4().hex}{PurePath(upload.original_name).suffix.lower()}"
    subject.report = upload


class SubjectForm(StyledFormMixin, forms.ModelForm):
    """One subject: picked from the registry (name, unit and position filled from it), or typed."""

    person = forms.ModelChoiceField(
        label=_("从人员名单选择"),
        required=False,
        queryset=Person.objects.filter(is_active=True).select_related("unit").order_by("unit__order", "name"),
        help_text=_("选择后，姓名、单位和职务按人员名单填写；名单中没有的人可直接填写姓名。"),
    )
    unit = TreeUnitField(label=_("单位"), required=False)
    report_file = ReportField(
        label=_("述职报告"),
        required=False,
        help_text=_("PDF 或 Word（.docx）文件，投票人可在选票上阅读。"),
    )

    class Meta:
        model = Subject
        fields = ["order", "person", "name", "unit", "position", "report_mode"]
        widgets = {"report_mode": forms.RadioSelect, "order": forms.NumberInput(attrs={"min": 1})}

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].label_from_instance = person_label
        self.fields["unit"].set_tree(tree, blank="——")
        self.fields["name"].required = False
        self.fields["name"].help_text = _("选择了人员时可留空。")
        if self.instance.report:
            self.fields["report_file"].help_text = _("已上传：%(name)s。重新上传将替换原文件。") % {
                "name": self.instance.report_name
            }

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        if person is not None:
            cleaned["name"] = cleaned.get("name") or person.name
            if not cleaned.get("unit"):
                cleaned["unit"] = person.unit
            if not cleaned.get("position"):
                cleaned["position"] = person.position
            taken = Subject.objects.filter(session_id=self.instance.session_id, person=person)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("person", ERR_PERSON_TWICE.format(name=person.name))
        elif not cleaned.get("name"):
            self.add_error("name", ERR_NAME_OR_PERSON)
        return cleaned

    def save(self, commit=False):
        subject = super().save(commit=False)
        upload = self.cleaned_data.get("report_file")
        if upload:
            attach_report(subject, upload)
        return subject


# Numbering a clerk may paste with the names: "1.", "1、", "（1）", "(1)", "一、".
_NUMBERING = re.compile(r"^\s*(?:[（(]?\d+[)）.、．]?|[一二三四五六七八九十]+、)\s*")
_SEPARATORS = re.compile(r"[、，,；;\t]+")


def parse_names(text: str) -> list[str]:
    """Names pasted one a line (or separated by 、 or commas), numbering stripped, in order,
    each once."""
    names = []
    for line in (text or "").splitlines():
        line = _NUMBERING.sub("", line)
        for part in _SEPARATORS.split(line):
            name = part.strip().strip("。.")[:40]
            if name and not name.isdigit() and name not in names:
                names.append(name)
    return names


class BulkSubjectsForm(StyledFormMixin, forms.Form):
    names = forms.CharField(
        label=_("被测评人姓名"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "陈晓明\n林文静\n黄海涛"}),
        help_text=_("每行一个姓名（也可用顿号分隔）。姓名在人员名单中唯一时，自动带出单位和职务。"),
    )
    report_mode = forms.ChoiceField(
        label=_("述职方式"),
        choices=ReportMode.choices,
        initial=ReportMode.WRITTEN,
        widget=forms.RadioSelect,
        help_text=_("添加后可在名单中勾选现场述职的人。"),
    )

    def clean_names(self):
        names = parse_names(self.cleaned_data.get("names"))
        if not names:
            raise ValidationError(ERR_NO_NAMES)
        return names


def match_people(names: list[str]) -> dict[str, Person]:
    """Each name that belongs to exactly one active person in the registry, with that person."""
    found: dict[str, list[Person]] = {}
    for person in Person.objects.filter(is_active=True, name__in=names).select_related("unit"):
        found.setdefault(person.name, []).append(person)
    return {name: people[0] for name, people in found.items() if len(people) == 1}


class OrderedRowForm(StyledFormMixin, forms.ModelForm):
    """A row of a formset whose order is a plain number, renumbered 1, 2, 3… on save (so two
    rows may swap places without tripping a unique order)."""

    position = forms.IntegerField(
        label=_("顺序"), required=False, min_value=1, widget=forms.NumberInput(attrs={"min": 1})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["position"].initial = self.instance.order


def ordered_rows(formset) -> tuple[list, list]:
    """(instances to delete, forms to keep in the clerk's order) of a formset of OrderedRowForm:
    blank new rows are skipped; rows without a position keep their place after numbered ones."""
    deleted, kept = [], []
    for index, form in enumerate(formset.forms):
        if form in formset.deleted_forms:
            if form.instance.pk:
                deleted.append(form.instance)
            continue
        if not form.instance.pk and not form.has_changed():
            continue
        kept.append((form.cleaned_data.get("position") or 10_000, index, form))
    kept.sort(key=lambda row: row[:2])
    return deleted, [form for _position, _index, form in kept]


class GradeForm(OrderedRowForm):
    class Meta:
        model = Grade
        fields = ["label", "score", "positive"]
        widgets = {"score": forms.NumberInput(attrs={"step": "any"})}


class DimensionForm(OrderedRowForm):
    class Meta:
        model = Dimension
        fields = ["name", "weight"]
        widgets = {"weight": forms.NumberInput(attrs={"step": "any", "min": 0})}


class GroupForm(OrderedRowForm):
    class Meta:
        model = VoterGroup
        fields = ["name", "weight", "ballots"]
        widgets = {
            "weight": forms.NumberInput(attrs={"step": "any", "min": 0}),
            "ballots": forms.NumberInput(attrs={"min": 1}),
        }


class _UniqueFormSet(forms.BaseModelFormSet):
    """Rows kept (not deleted, not empty) must differ in `unique_field`."""

    unique_field = ""
    message = ""
    minimum = 0
    minimum_message = ""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        kept = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form in self.deleted_forms:
                continue
            value = form.cleaned_data.get(self.unique_field)
            if not value:
                continue
            kept += 1
            if value in seen:
                raise ValidationError(self.message.format(**{self.unique_field: value}))
            seen.add(value)
        if kept < self.minimum:
            raise ValidationError(self.minimum_message)


class GradeFormSet(_UniqueFormSet):
    unique_field = "label"
    message = ERR_GRADE_TWICE
    minimum = 2
    minimum_message = ERR_MIN_GRADES


class DimensionFormSet(_UniqueFormSet):
    unique_field = "name"
    message = ERR_DIMENSION_TWICE


class GroupFormSet(_UniqueFormSet):
    unique_field = "name"
    message = ERR_GROUP_TWICE


def grade_formset(session, data=None):
    factory = forms.modelformset_factory(Grade, form=GradeForm, formset=GradeFormSet, extra=1, can_delete=True)
    return factory(data, queryset=session.grades.order_by("order"), prefix="grade")


def dimension_formset(session, data=None):
    factory = forms.modelformset_factory(
        Dimension, form=DimensionForm, formset=DimensionFormSet, extra=2, can_delete=True
    )
    return factory(data, queryset=session.dimensions.order_by("order", "id"), prefix="dim")


def group_formset(session, data=None):
    """While draft every field; while open only the number of ballots (someone arrived late)."""
    draft = session.is_draft
    extra = (1 if session.groups.exists() else 3) if draft else 0
    factory = forms.modelformset_factory(
        VoterGroup, form=GroupForm, formset=GroupFormSet, extra=extra, can_delete=draft
    )
    formset = factory(data, queryset=session.groups.order_by("order", "id"), prefix="group")
    if not draft:
        for form in formset.forms:
            for name in ("position", "name", "weight"):
                form.fields[name].disabled = True
            form.fields["ballots"].disabled = session.is_closed
    return formset


class GenerateCodesForm(StyledFormMixin, forms.Form):
    group = forms.ModelChoiceField(label=_("测评人类别"), queryset=VoterGroup.objects.none(), empty_label=None)
    count = forms.IntegerField(
        label=_("数量"),
        min_value=1,
        max_value=MAX_BATCH,
        help_text=_("一次生成的投票码只出现在这份文件里，系统不保存明文，请妥善打印、裁切后随机发放。"),
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = session.groups.order_by("order", "id")


class ScreenForm(StyledFormMixin, forms.Form):
    group = forms.ModelChoiceField(label=_("测评人类别"), queryset=VoterGroup.objects.none(), empty_label=None)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = session.groups.order_by("order", "id")


class ReopenForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("重新开放的理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("理由记入评议记录。重新开放后，已锁定的结果撤回，再次结束时重新计票。"),
    )

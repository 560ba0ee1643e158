"""Forms of the minutes pages: the report to read, and the review of its proposed items."""

from pathlib import PurePath

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from duban.lib.dates import cn_date
from duban.lib.forms import StyledFormMixin
from duban.lib.uploads import safe_name
from duban.minutes.reading import Unreadable, has_chinese, looks_binary, read_bytes
from duban.minutes.services import Row
from duban.org.forms import unit_choices
from duban.org.models import Unit
from duban.supervision.models import Plan, PlanKind, PlanStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("日期格式应为 年-月-日，例如 2020-10-08。")}
MAX_UPLOAD = 5 * 1024 * 1024
MAX_CHARS = 100_000  # a long report is ~10,000 characters

ERR_NOTHING = _("请粘贴会议纪要或新闻稿的文字，或上传一个 .txt / .docx 文件。")
ERR_BOTH = _("请只用一种方式：粘贴文字，或上传文件。")
ERR_TYPE = _("只能上传 .txt 或 .docx 文件（Word 请另存为 .docx）。")
ERR_TOO_LARGE = _("文件超过 5 MB，不像是一篇会议纪要。")
ERR_TOO_LONG = _("文字超过 10 万字，请只粘贴这次会议的报道或纪要。")
ERR_PASTE_BINARY = _("粘贴的内容不是正常文字，请从网页或 Word 中复制正文后再粘贴。")
ERR_PASTE_NO_CHINESE = _("粘贴的内容中没有中文，请粘贴会议纪要或新闻稿的正文。")


def recent_meetings():
    """Meetings held in the last half year (not cancelled), newest first."""
    import datetime

    from django.utils import timezone

    from duban.meetings.models import Meeting, MeetingStatus

    since = timezone.now() - datetime.timedelta(days=183)
    return Meeting.objects.filter(starts_at__gte=since, starts_at__lte=timezone.now()).exclude(
        status=MeetingStatus.CANCELLED
    )


class MinutesInputForm(StyledFormMixin, forms.Form):
    title = forms.CharField(
        label=_("标题（会议名称）"),
        max_length=200,
        required=False,
        help_text=_("例如“重点工作攻坚突破项目推进调度会”。留空时取文中的标题。"),
    )
    text = forms.CharField(
        label=_("粘贴文字"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "placeholder": _("把会议纪要或学校新闻网上的会议报道全文粘贴在这里")}),
    )
    upload = forms.FileField(
        label=_("或上传文件"),
        required=False,
        help_text=_(".txt（UTF-8 或 GBK 编码）或 .docx，不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx"}),
    )
    meeting = forms.ModelChoiceField(
        label=_("对应会议"),
        queryset=None,
        required=False,
        empty_label=_("（不关联）"),
        help_text=_("在本平台通知的会议：关联后，核对页链接到这次会议，由此建立的督办事项备注来源会议。"),
    )
    published = forms.DateField(
        label=_("发布日期"),
        required=False,
        widget=DATE,
        error_messages=DATE_ERRORS,
        help_text=_("文中只写“10月8日”而没写年份时，按发布日期推算年份。留空时取文中的发布时间。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        field.queryset = recent_meetings()
        field.label_from_instance = lambda m: f"{m.title}（{cn_date(m.starts_at, full=True)}）"
        # Offered only when there is a meeting to choose (the template asks this, not the database).
        self.offers_meeting = field.queryset.exists()

    def clean(self):
        cleaned = super().clean()
        cleaned = self._read(cleaned)
        if "content" in cleaned:
            # Browsers send CRLF; one newline convention keeps the highlight offsets exact.
            cleaned["content"] = cleaned["content"].replace("\r\n", "\n").replace("\r", "\n")
        return cleaned

    def _read(self, cleaned):
        text, upload = cleaned.get("text") or "", cleaned.get("upload")
        if upload and text.strip():
            raise forms.ValidationError(ERR_BOTH)
        if upload:
            cleaned["source_name"] = name = safe_name(upload.name)
            if PurePath(name).suffix.lower() not in (".txt", ".docx"):
                self.add_error("upload", ERR_TYPE)
                return cleaned
            if upload.size > MAX_UPLOAD:
                self.add_error("upload", ERR_TOO_LARGE)
                return cleaned
            try:
                cleaned["content"] = read_bytes(upload.read(), name=name, docx=PurePath(name).suffix.lower() == ".docx")
            except Unreadable as error:
                self.add_error("upload", str(error))
            return cleaned
        if not text.strip():
            self.add_error("text", ERR_NOTHING)
        elif len(text) > MAX_CHARS:
            self.add_error("text", ERR_TOO_LONG)
        elif looks_binary(text):
            self.add_error("text", ERR_PASTE_BINARY)
        elif not has_chinese(text):
            self.add_error("text", ERR_PASTE_NO_CHINESE)
        else:
            cleaned["content"] = text
            cleaned["source_name"] = ""
        return cleaned


class RowForm(StyledFormMixin, forms.Form):
    """One proposed requirement. Completeness (a title, a lead unit) is checked by the
    service so that its refusal can name the item; here only the shapes."""

    number = forms.IntegerField(widget=forms.HiddenInput)
    keep = forms.BooleanField(label=_("保留"), required=False)
    merge = forms.BooleanField(label=_("并入上一条"), required=False)
    headline = forms.CharField(label=_("事项名称"), max_length=200, required=False)
    text = forms.CharField(label=_("工作内容与要求"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    speaker = forms.CharField(label=_("讲话人"), max_length=40, required=False)
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    lead_unit = forms.TypedChoiceField(label=_("牵头单位"), required=False, coerce=int, empty_value=None)
    co_units = forms.TypedMultipleChoiceField(
        label=_("协办单位"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, unit_options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].choices = [("", _("请选择牵头单位"))] + list(unit_options)
        self.fields["co_units"].choices = list(unit_options)
        self.fields["text"].widget.attrs["data-row-text"] = ""
        self.fields["keep"].widget.attrs["data-row-keep"] = ""
        self.fields["merge"].widget.attrs["data-row-merge"] = ""

    def row(self, units: dict) -> Row:
        data = self.cleaned_data
        return Row(
            number=data["number"],
            keep=data["keep"],
            merge=data["merge"],
            headline=data["headline"].strip(),
            text=data["text"].strip(),
            speaker=data["speaker"].strip(),
            deadline=data["deadline"],
            lead_unit=units.get(data["lead_unit"]),
            co_units=[units[i] for i in data["co_units"] if i in units],
        )


class BaseRowFormSet(forms.BaseFormSet):
    def __init__(self, *args, unit_options=(), **kwargs):
        self.unit_options = unit_options
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"unit_options": self.unit_options}

    def rows(self, spans: dict) -> list[Row]:
        ids = {f.cleaned_data["lead_unit"] for f in self.forms} | {
            i for f in self.forms for i in f.cleaned_data["co_units"]
        }
        units = Unit.objects.in_bulk([i for i in ids if i])
        rows = []
        for form in self.forms:
            row = form.row(units)
            row.span = spans.get(row.number)
            rows.append(row)
        return rows


RowFormSet = forms.formset_factory(RowForm, formset=BaseRowFormSet, extra=0, max_num=200, validate_max=True)


def plans_to_choose():
    """Plans items may be added to: open plans, 会议决定事项 first."""
    return (
        Plan.objects.exclude(status=PlanStatus.CLOSED)
        .annotate(
            meeting=Case(When(kind=PlanKind.MEETING, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("meeting", "-year", "-id")
    )


class CreateForm(StyledFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label=_("加入督办计划"), queryset=Plan.objects.none(), required=False)
    start_date = forms.DateField(label=_("开始日期"), required=False, widget=DATE, error_messages=DATE_ERRORS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans_to_choose()
        self.fields["plan"].empty_label = _("请选择计划")
        self.fields["plan"].label_from_instance = lambda p: f"{p.title}（{p.get_kind_display()}）"


def unit_options(tree):
    return [(int(v), label) for v, label in unit_choices(tree)]

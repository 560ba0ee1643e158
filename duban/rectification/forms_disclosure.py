"""Forms of disclosure to staff and of staff feedback."""

from django import forms
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from duban.lib.forms import StyledFormMixin
from duban.org.forms import unit_choices
from duban.org.models import Unit, UnitKind
from duban.rectification.models import Finding, RectificationPlan
from duban.rectification.services import Refused
from duban.rectification.services.disclosure import check_summary


class DisclosureSettingsForm(StyledFormMixin, forms.ModelForm):
    feedback_daily_limit = forms.IntegerField(
        label=_("每人每天意见上限"),
        min_value=1,
        max_value=50,
        error_messages={
            "min_value": _("每人每天意见上限至少为 1 条。"),
            "max_value": _("每人每天意见上限最多为 50 条。"),
            "required": _("请填写每人每天意见上限。"),
            "invalid": _("每人每天意见上限应为整数。"),
        },
    )

    class Meta:
        model = RectificationPlan
        fields = [
            "disclosed",
            "show_counts",
            "show_percent",
            "show_findings",
            "show_units",
            "show_monthly",
            "public_page",
            "feedback_open",
            "feedback_anonymous",
            "feedback_daily_limit",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("public_page") and not cleaned.get("disclosed"):
            self.add_error("public_page", _("开放免登录公开页前，请先勾选“向职工公开”。"))
        return cleaned


def finding_rows(data, findings) -> tuple[dict[int, tuple[bool, str]], dict[int, str]]:
    """Read the per-finding table of the settings page: `disclosed-<pk>` (checkbox) and
    `summary-<pk>` for each finding. Returns ({pk: (disclosed, summary)}, {pk: error})."""
    values, errors = {}, {}
    for finding in findings:
        disclosed = data.get(f"disclosed-{finding.pk}") == "on"
        summary = (data.get(f"summary-{finding.pk}") or "").strip()
        try:
            summary = check_summary(summary, number=finding.ordinal)
        except Refused as error:
            errors[finding.pk] = error.messages[0]
        values[finding.pk] = (disclosed, summary)
    return values, errors


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html in Python."""
    return mark_safe(  # noqa: S308 — joined from format_html pieces
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class QuickSelect(forms.Select):
    """A select rendered in Python, to the same HTML as Django's templates, without a
    template render or an option dict per option: the feedback form lists every disclosed
    finding (300 at a prefecture city). Grouped choices fall back to Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = [("" if v is None else v, label) for v, label in self.choices]
        if self.allow_multiple_selected or any(isinstance(label, (list, tuple)) for _v, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        options, chosen = [], False
        for option_value, label in choices:
            selected = not chosen and str(option_value) in wanted
            chosen |= selected
            options.append(
                f'\n  <option value="{escape(str(option_value))}"{" selected" if selected else ""}>'
                f"{conditional_escape(label)}</option>"
            )
        attributes = _attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308 (every value and label escaped)
            f'<select name="{escape(name)}"{attributes}>{"".join(options)}\n</select>'
        )


class FeedbackForm(StyledFormMixin, forms.Form):
    finding = forms.TypedChoiceField(label=_("针对"), coerce=int, empty_value=None, required=False, widget=QuickSelect)
    text = forms.CharField(
        label=_("意见内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写意见内容。"), "max_length": _("意见内容请控制在 2000 字以内。")},
    )
    anonymous = forms.BooleanField(
        label=_("匿名提交"),
        required=False,
        help_text=_("匿名提交后，督查办看不到您的姓名；您仍可在“我的意见”中查看答复。"),
    )

    def __init__(self, *args, targets: list[tuple[int, str]], allow_anonymous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].choices = [("", _("整体意见（不针对具体问题）"))] + list(targets)
        self.allow_anonymous = allow_anonymous
        if not allow_anonymous:
            # Kept (hidden) rather than removed: a page loaded before the office
            # switched anonymity off must not silently send the comment with a name.
            self.fields["anonymous"].widget = forms.HiddenInput()

    def clean_anonymous(self):
        anonymous = self.cleaned_data.get("anonymous", False)
        if anonymous and not self.allow_anonymous:
            raise forms.ValidationError(_("该整改方案不接受匿名意见，请取消匿名后再提交。"))
        return anonymous


class ReplyForm(StyledFormMixin, forms.Form):
    reply = forms.CharField(
        label=_("答复内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写答复内容。")},
        help_text=_("答复会显示给提意见的职工。"),
    )


class DismissForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("不予采纳的理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写不予采纳的理由。")},
        help_text=_("理由会显示给提意见的职工。"),
    )


class ConvertForm(StyledFormMixin, forms.ModelForm):
    """A new finding made from a piece of feedback."""

    units = forms.MultipleChoiceField(label=_("涉及单位"), required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Finding
        fields = ["category", "severity", "description", "units", "public_summary", "disclosed"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        # Liaison groups are reviewers, not units a problem concerns.
        self.fields["units"].choices = unit_choices(tree, kinds=set(UnitKind.values) - {UnitKind.GRID_GROUP})
        # StyledFormMixin takes CheckboxSelectMultiple for a RadioSelect (its parent
        # class) and marks the whole list as one checkbox.
        self.fields["units"].widget.attrs.pop("class", None)
        self.fields["category"].error_messages["required"] = _("请填写问题类别。")
        self.fields["description"].error_messages["required"] = _("请填写问题描述。")

    def clean_units(self):
        ids = [int(v) for v in self.cleaned_data.get("units") or []]
        return list(Unit.objects.filter(pk__in=ids))

    def clean_public_summary(self):
        try:
            return check_summary(self.cleaned_data.get("public_summary"))
        except Refused as error:
            raise forms.ValidationError(error.messages[0])

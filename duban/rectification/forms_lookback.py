"""Forms of the look-back pages (回头看)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from duban.lib.forms import StyledFormMixin
from duban.org.forms import unit_choices
from duban.org.models import Unit
from duban.rectification.models import Finding, LookbackTemplate, ReviewVerdict
from duban.rectification.services.lookback import ANSWERS, parse_points

POINTS_HELP = _("每行一条检查要点，将逐条用于每项整改措施的检查。")


def points_text(points) -> str:
    return "\n".join(p["label"] for p in points or [])


class PointsField(forms.CharField):
    """A textarea, one checklist point per line, cleaned into [{"key", "label"}]."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("检查要点"))
        kwargs.setdefault("help_text", POINTS_HELP)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        kwargs.setdefault("error_messages", {"required": _("检查要点至少需要一条。")})
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not (value or "").strip() and not self.required:
            return []
        try:
            return parse_points(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class RoundOpenForm(StyledFormMixin, forms.Form):
    title = forms.CharField(
        label=_("名称"),
        max_length=120,
        required=False,
        help_text=_("留空则命名为“第N轮整改落实‘回头看’”。"),
    )
    template = forms.ModelChoiceField(
        label=_("从模板载入"),
        queryset=LookbackTemplate.objects.all(),
        required=False,
        empty_label=_("（不使用模板，按下方检查要点）"),
        help_text=_("选择模板后，以模板的检查要点为准，下方文本框的内容不再使用。"),
    )
    points = PointsField(required=False)

    def clean(self):
        cleaned = super().clean()
        template = cleaned.get("template")
        if template is not None:
            cleaned["points"] = [dict(p) for p in template.points]
        elif "points" in cleaned and not cleaned["points"]:
            self.add_error("points", _("检查要点至少需要一条。"))
        return cleaned


class ChecklistForm(StyledFormMixin, forms.Form):
    points = PointsField()


class ReviewForm(StyledFormMixin, forms.Form):
    """One 是/部分/否 radio per checklist point, the verdict and remarks."""

    verdict = forms.ChoiceField(label=_("检查结论"), choices=ReviewVerdict.choices, widget=forms.RadioSelect)
    remarks = forms.CharField(
        label=_("检查意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("判定为“出现反弹”时必须写明具体情况，该措施将重新打开整改并通知牵头单位。"),
    )

    def __init__(self, *args, checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = []
        for index, point in enumerate(checklist, start=1):
            name = f"point_{point['key']}"
            self.fields[name] = forms.ChoiceField(
                label=f"{index}. {point['label']}",
                choices=list(ANSWERS.items()),
                widget=forms.RadioSelect,
                error_messages={"required": _("请选择是、部分或否。")},
            )
            self.points.append((point["key"], name))
        # The points first, then the verdict and remarks.
        self.order_fields([name for _, name in self.points] + ["verdict", "remarks"])
        # Django puts a RadioSelect's class on the list's wrapper too: a wrapper styled as
        # one radio collapses the choices, so the radios keep the browser's look.
        for name, form_field in self.fields.items():
            if name != "remarks":
                form_field.widget.attrs.pop("class", None)

    def answers(self) -> dict:
        return {key: self.cleaned_data.get(name) for key, name in self.points}


class RoundFindingForm(StyledFormMixin, forms.ModelForm):
    units = forms.ModelMultipleChoiceField(
        label=_("涉及单位"), queryset=Unit.objects.all(), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    class Meta:
        model = Finding
        fields = ["reference", "category", "severity", "description", "units", "public_summary"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = unit_choices(tree)
        self.fields["units"].help_text = _("按住 Ctrl（Mac 上为 ⌘）可多选。")


class RoundCloseForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("总结"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("本轮回头看的总体情况、发现的主要问题和下一步要求，将写入对比报告。"),
        error_messages={"required": _("请填写本轮回头看的总结。")},
    )


class TemplateForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("模板名称"), max_length=60)
    points = PointsField()
    is_default = forms.BooleanField(label=_("设为默认模板（开展回头看时预先填入）"), required=False)

    def __init__(self, *args, template: LookbackTemplate | None = None, **kwargs):
        if template is not None and template.pk and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": template.name,
                "points": points_text(template.points),
                "is_default": template.is_default,
            }
        super().__init__(*args, **kwargs)

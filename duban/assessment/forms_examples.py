"""Forms of typical examples (正反面典型)."""

import uuid
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duban.assessment.forms_periods import PeopleField
from duban.assessment.models import Example, ExampleKind
from duban.lib.forms import StyledFormMixin
from duban.lib.uploads import UploadRejected, check_evidence
from duban.org.forms import TreeUnitField
from duban.org.models import Person
from duban.supervision.models import Item

ERR_BAD_NEEDS_PUBLIC_TEXT = "公开反面典型时，请填写公开内容（可隐去人名）。"


def evidence_max_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024)


class EvidenceField(forms.FileField):
    """Evidence: a document, image or archive within the upload limit, checked by content."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload is not initial and hasattr(upload, "size"):
            try:
                upload.original_name = check_evidence(upload, evidence_max_bytes())
            except UploadRejected as exc:
                raise ValidationError(str(exc)) from None
        return upload


class ItemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.ordinal}. {obj.title}（{obj.lead_unit.name}）"


class ExampleForm(StyledFormMixin, forms.ModelForm):
    unit = TreeUnitField(label=_("单位"), required=False)
    people = PeopleField(
        label=_("相关人员"),
        required=False,
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6, "data-filterable": ""}),
        help_text=_("反面典型的相关人员只有督查办、校领导和纪检人员能看到。按住 Ctrl（Mac 上为 ⌘）可多选。"),
    )
    items = ItemsField(
        label=_("相关督办事项"),
        required=False,
        queryset=Item.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    evidence_file = EvidenceField(
        label=_("佐证材料"),
        required=False,
        help_text=_("PDF、Word、Excel、图片或压缩包，不超过 %(mb)s MB。"),
    )
    remove_evidence = forms.BooleanField(label=_("删除已上传的佐证材料"), required=False)

    class Meta:
        model = Example
        fields = [
            "kind",
            "title",
            "summary",
            "unit",
            "people",
            "items",
            "recognised_on",
            "source",
            "published",
            "published_summary",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "published_summary": forms.Textarea(attrs={"rows": 4}),
            "recognised_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ExampleKind.choices
        self.fields["unit"].set_tree(tree, blank=_("（不针对单位）"))
        # Someone who has left since stays linked.
        linked = list(self.instance.people.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["people"].queryset = (
            Person.objects.filter(Q(is_active=True) | Q(pk__in=linked))
            .select_related("unit")
            .order_by("unit__order", "name")
        )
        items = Item.objects.select_related("plan", "lead_unit").order_by("-plan__year", "plan__title", "ordinal")
        self.fields["items"].queryset = items
        grouped: dict = {}
        for item in items:
            grouped.setdefault(item.plan.title, []).append((item.pk, self.fields["items"].label_from_instance(item)))
        self.fields["items"].choices = list(grouped.items())
        self.fields["evidence_file"].help_text = self.fields["evidence_file"].help_text % {
            "mb": evidence_max_bytes() // (1024 * 1024)
        }
        if self.instance.evidence:
            self.fields["evidence_file"].help_text = _("已上传：%(name)s。重新上传将替换原文件。") % {
                "name": self.instance.evidence_name
            }
        else:
            del self.fields["remove_evidence"]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("published")
            and cleaned.get("kind") == ExampleKind.BAD
            and not (cleaned.get("published_summary") or "").strip()
        ):
            self.add_error("published_summary", ERR_BAD_NEEDS_PUBLIC_TEXT)
        return cleaned

    def save(self, commit=False):
        example = super().save(commit=False)
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            example.evidence_name = upload.original_name
            upload.name = f"{uuid.uuid4().hex}{PurePath(upload.original_name).suffix.lower()}"
            example.evidence = upload
        elif self.cleaned_data.get("remove_evidence"):
            example.evidence = None
            example.evidence_name = ""
        return example


class ExampleFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *ExampleKind.choices])
    unit = TreeUnitField(label=_("单位"), required=False)
    published = forms.ChoiceField(
        label=_("公开"), required=False, choices=[("", _("全部")), ("1", _("已公开")), ("0", _("未公开"))]
    )

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].set_tree(tree, blank=_("全部单位"))
        for field in self.fields.values():
            field.widget.attrs.update({"data-autosubmit": "", "class": "form-select form-select-sm"})

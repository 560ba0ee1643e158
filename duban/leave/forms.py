"""Forms of the request, approval, return and delegation pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.leave.models import AbsenceType
from duban.lib.forms import StyledFormMixin
from duban.org.models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(StyledFormMixin, forms.Form):
    absence_type = forms.ModelChoiceField(
        label=_("类型"),
        queryset=AbsenceType.objects.filter(is_active=True),
        empty_label=None,
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    destination = forms.CharField(
        label=_("目的地"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("出差、外出报备须填写")}),
    )
    reason = forms.CharField(
        label=_("事由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact = forms.CharField(
        label=_("联系方式"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("请假期间的联系电话")}),
    )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        kind = data.get("absence_type")
        if kind and kind.needs_destination and not (data.get("destination") or "").strip():
            self.add_error("destination", _("%(type)s须填写目的地。") % {"type": kind.name})
        return data


class ActForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("同意")), ("refuse", _("不同意"))])
    note = forms.CharField(
        label=_("意见"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("不同意时必须填写")}),
    )


class ReturnForm(StyledFormMixin, forms.Form):
    returned_on = forms.DateField(
        label=_("返岗日期"), widget=DATE, help_text=_("回到工作岗位的那一天；实际请假天数算到前一天。")
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.name}（{person.unit.name}）" if person.unit_id else person.name


class DelegationForm(StyledFormMixin, forms.Form):
    delegate = PersonChoice(
        label=_("受托人"),
        queryset=Person.objects.none(),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = (
            Person.objects.filter(is_active=True, unit__isnull=False)
            .exclude(pk=getattr(person, "pk", None))
            .select_related("unit")
            .order_by("unit__order", "unit_id", "name")
        )

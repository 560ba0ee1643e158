from django import forms

from duban.lib.forms import StyledFormMixin
from duban.system.models import SiteSettings


class SiteSettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["institution_name", "system_name", "password_policy"]
        widgets = {"password_policy": forms.RadioSelect}

from django import forms
from django.utils.translation import gettext_lazy as _

from duban.lib.forms import StyledFormMixin
from duban.system.models import MailSettings, SiteSettings


class SiteSettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["institution_name", "system_name", "password_policy"]
        widgets = {"password_policy": forms.RadioSelect}


class MailSettingsForm(StyledFormMixin, forms.ModelForm):
    new_password = forms.CharField(
        label=_("口令"),
        required=False,
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("留空表示不修改。口令加密保存，保存后不再显示。"),
    )
    clear_password = forms.BooleanField(label=_("清除已保存的口令"), required=False)
    field_order = ["enabled", "host", "port", "security", "username", "new_password", "clear_password", "from_email"]

    class Meta:
        model = MailSettings
        fields = ["enabled", "host", "port", "security", "username", "from_email"]
        widgets = {"security": forms.RadioSelect}

    def clean_new_password(self):
        value = self.cleaned_data["new_password"]
        if not value.isascii():
            # smtplib sends AUTH in ASCII; a Chinese character would fail at every send.
            raise forms.ValidationError(_("邮件服务器口令只能包含英文字母、数字和符号。"))
        return value

    def clean_port(self):
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError(_("端口应在 1 到 65535 之间。"))
        return port

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not data.get("host"):
            self.add_error("host", _("启用时须填写 SMTP 服务器。"))
        if data.get("enabled") and not data.get("from_email"):
            self.add_error("from_email", _("启用时须填写发件人地址。"))
        if data.get("new_password") and data.get("clear_password"):
            self.add_error("clear_password", _("填写了新口令时不能同时清除口令。"))
        return data


class MailTestForm(StyledFormMixin, forms.Form):
    to = forms.EmailField(label=_("收件地址"))

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.lib.crypto import is_unreadable
from duban.notify.mail import mail_setup
from duban.org.access import require
from duban.system.forms import MailSettingsForm, MailTestForm, SiteSettingsForm
from duban.system.models import MailSettings, SiteSettings
from duban.system.services import mail_settings_update, site_settings_update


def _page(request, *, form=None, mail_form=None, test_form=None):
    mail = MailSettings.current()
    context = {
        "form": form or SiteSettingsForm(instance=SiteSettings.current()),
        "mail_form": mail_form or MailSettingsForm(instance=mail, prefix="mail"),
        "test_form": test_form or MailTestForm(prefix="test", initial={"to": request.user.email}),
        "mail": mail,
        "password_saved": bool(mail.password),
        "password_unreadable": is_unreadable(mail.password),
    }
    return render(request, "system/settings.html", context)


@require("can_configure")
def settings_edit(request):
    if request.method != "POST":
        return _page(request)
    form = SiteSettingsForm(request.POST, instance=SiteSettings.current())
    if not form.is_valid():
        return _page(request, form=form)
    site_settings_update(acting_user=request.user, values=form.cleaned_data, request=request)
    messages.success(request, _("系统设置已保存。"))
    return redirect("system:settings")


@require("can_configure")
@require_POST
def mail_edit(request):
    form = MailSettingsForm(request.POST, instance=MailSettings.current(), prefix="mail")
    if not form.is_valid():
        return _page(request, mail_form=form)
    data = form.cleaned_data
    try:
        mail_settings_update(
            acting_user=request.user,
            values={name: data[name] for name in form.Meta.fields},
            new_password=data["new_password"],
            clear_password=data["clear_password"],
            request=request,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, mail_form=form)
    messages.success(request, _("邮件服务器设置已保存。"))
    return redirect("system:settings")


@require("can_configure")
@require_POST
def mail_test(request):
    form = MailTestForm(request.POST, prefix="test")
    if not form.is_valid():
        return _page(request, test_form=form)
    address = form.cleaned_data["to"]
    try:
        connection, sender = mail_setup()
        send_mail(
            _("督办平台测试邮件"),
            _("这是一封测试邮件。收到它说明邮件服务器设置正确，督办提醒可以通过邮件送达。"),
            sender,
            [address],
            connection=connection,
        )
    except Exception as error:  # any transport or configuration error is shown, never raised
        messages.error(request, _("测试邮件发送失败：%(error)s") % {"error": str(error)[:300]})
    else:
        messages.success(request, _("测试邮件已发往 %(address)s，请查收。") % {"address": address})
    return redirect("system:settings")

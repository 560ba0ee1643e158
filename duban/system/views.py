from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from duban.org.access import require
from duban.system.forms import SiteSettingsForm
from duban.system.models import SiteSettings
from duban.system.services import site_settings_update


@require("can_configure")
def settings_edit(request):
    form = SiteSettingsForm(request.POST or None, instance=SiteSettings.current())
    if request.method == "POST" and form.is_valid():
        site_settings_update(acting_user=request.user, values=form.cleaned_data, request=request)
        messages.success(request, _("系统设置已保存。"))
        return redirect("system:settings")
    return render(request, "system/settings.html", {"form": form})

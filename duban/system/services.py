from django.core.exceptions import PermissionDenied
from django.db import transaction

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.org.access import access_for
from duban.system.models import SiteSettings

ERR_NOT_SYS_ADMIN = "只有系统管理员可以修改系统设置。"
FIELDS = ("institution_name", "system_name", "password_policy")


@transaction.atomic
def site_settings_update(*, acting_user, values: dict, request=None) -> SiteSettings:
    if not access_for(acting_user).can_configure():
        raise PermissionDenied(ERR_NOT_SYS_ADMIN)
    current = SiteSettings.objects.select_for_update().filter(id=1).first() or SiteSettings(id=1)
    changes = {}
    for name in FIELDS:
        if name in values and getattr(current, name) != values[name]:
            changes[name] = [getattr(current, name), values[name]]
            setattr(current, name, values[name])
    if changes:
        current.save()
        security_event_record(
            kind=EventKind.SETTINGS_CHANGED, actor=acting_user, target="系统设置", request=request, detail=changes
        )
    return current

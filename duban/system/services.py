from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.lib.crypto import is_unreadable
from duban.org.access import access_for
from duban.system.models import MailSettings, SiteSettings

ERR_NOT_SYS_ADMIN = "只有系统管理员可以修改系统设置。"
FIELDS = ("institution_name", "system_name", "password_policy")


def _locked_singleton(model, acting_user):
    if not access_for(acting_user).can_configure():
        raise PermissionDenied(ERR_NOT_SYS_ADMIN)
    return model.objects.select_for_update().filter(id=1).first() or model(id=1)


def _apply(current, values: dict, fields) -> dict:
    """Set the given fields; return {field: [old, new]} for those that changed."""
    changes = {}
    for name in fields:
        if name in values and getattr(current, name) != values[name]:
            changes[name] = [getattr(current, name), values[name]]
            setattr(current, name, values[name])
    return changes


@transaction.atomic
def site_settings_update(*, acting_user, values: dict, request=None) -> SiteSettings:
    current = _locked_singleton(SiteSettings, acting_user)
    changes = _apply(current, values, FIELDS)
    if changes:
        current.save()
        security_event_record(
            kind=EventKind.SETTINGS_CHANGED, actor=acting_user, target="系统设置", request=request, detail=changes
        )
    return current


MAIL_FIELDS = ("enabled", "host", "port", "security", "username", "from_email")
ERR_MAIL_INCOMPLETE = "启用邮件服务器时，SMTP 服务器和发件人地址都必须填写。"


@transaction.atomic
def mail_settings_update(
    *, acting_user, values: dict, new_password: str = "", clear_password: bool = False, request=None
) -> MailSettings:
    """Save the outgoing mail server. A blank `new_password` keeps the stored one; the
    security event names the fields changed and never the password itself."""
    current = _locked_singleton(MailSettings, acting_user)
    changes = _apply(current, values, MAIL_FIELDS)
    if new_password:
        current.password = new_password
        changes["password"] = "已更改"
    elif clear_password and (current.password or is_unreadable(current.password)):
        current.password = ""
        changes["password"] = "已清除"
    if current.enabled and not (current.host and current.from_email):
        raise ValidationError(ERR_MAIL_INCOMPLETE)
    if changes:
        current.changed_at = timezone.now()
        current.save()
        security_event_record(
            kind=EventKind.SETTINGS_CHANGED, actor=acting_user, target="邮件服务器", request=request, detail=changes
        )
    return current

"""Authentication events arrive as Django/axes signals; each becomes one security event."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from duban.audit.models import EventKind
from duban.audit.services import security_event_record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    security_event_record(kind=EventKind.LOGIN_SUCCESS, actor=user, target=user.get_username(), request=request)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=EventKind.LOGOUT, actor=user, target=user.get_username(), request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    security_event_record(kind=EventKind.LOGIN_FAILURE, actor_username=username, target=username, request=request)


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    security_event_record(kind=EventKind.LOCKOUT, actor_username=username or "", target=username or "", request=request)

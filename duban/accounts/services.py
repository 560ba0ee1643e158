"""Account changes: each checks its rule, writes, and records a security event."""

import secrets
import string

from axes.models import AccessFailureLog
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from duban.accounts.models import ApiToken, token_digest, token_generate
from duban.audit.models import EventKind
from duban.audit.services import client_ip, security_event_record
from duban.org.access import access_for

ERR_NOT_SEC_ADMIN = "只有安全管理员可以执行此操作。"
ERR_SELF_RESET = "不能重置自己的密码，请使用“修改密码”。"
ERR_TOKEN_NAME = "请填写令牌用途。"


def temporary_password(length: int = 12) -> str:
    """A random password satisfying the 3-of-4 character-class rule."""
    alphabet = string.ascii_letters + string.digits + "@#%+=?"
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(length))
        classes = [
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        ]
        if sum(classes) >= 3:
            return value


@transaction.atomic
def password_change(*, request, person, new_password: str) -> None:
    person.set_password(new_password)
    person.must_change_password = False
    person.save(update_fields=["password", "must_change_password"])
    update_session_auth_hash(request, person)
    security_event_record(kind=EventKind.PASSWORD_CHANGED, actor=person, target=person.username, request=request)


@transaction.atomic
def password_reset(*, request, acting_user, person) -> str:
    """The security administrator sets a temporary password; the person must change it."""
    if not access_for(acting_user).can_grant_roles():
        raise PermissionDenied(ERR_NOT_SEC_ADMIN)
    if acting_user.pk == person.pk:
        raise PermissionDenied(ERR_SELF_RESET)
    password = temporary_password()
    person.set_password(password)
    person.must_change_password = True
    person.save(update_fields=["password", "must_change_password"])
    security_event_record(kind=EventKind.PASSWORD_RESET, actor=acting_user, target=person.username, request=request)
    return password


@transaction.atomic
def account_unlock(*, request, acting_user, username: str) -> None:
    if not access_for(acting_user).can_grant_roles():
        raise PermissionDenied(ERR_NOT_SEC_ADMIN)
    axes_reset(username=username)
    security_event_record(kind=EventKind.ACCOUNT_UNLOCKED, actor=acting_user, target=username, request=request)


@transaction.atomic
def api_token_create(*, person, name: str, request=None) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValueError(ERR_TOKEN_NAME)
    raw = token_generate()
    token = ApiToken.objects.create(person=person, name=name[:60], digest=token_digest(raw), hint=raw[:10])
    security_event_record(
        kind=EventKind.TOKEN_CREATED,
        actor=person,
        target=person.username,
        request=request,
        detail={"token": token.hint},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, person, token_id: int, request=None) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token_id, person=person)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        security_event_record(
            kind=EventKind.TOKEN_REVOKED,
            actor=person,
            target=person.username,
            request=request,
            detail={"token": token.hint},
        )
    return token


# --- Failed logins per client address ------------------------------------------------------


def login_address_failures(request) -> int:
    """Failed logins from this request's address within settings.LOGIN_ADDRESS_WINDOW, as axes
    logged them (AXES_ENABLE_ACCESS_FAILURE_LOG)."""
    address = client_ip(request)
    if not address:
        return 0
    since = timezone.now() - settings.LOGIN_ADDRESS_WINDOW
    return AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()


def login_address_throttled(request) -> bool:
    return login_address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def login_address_failed(request) -> None:
    """After a failed login (axes has logged it): the failure that reaches the limit is recorded."""
    if login_address_failures(request) == settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        security_event_record(
            kind=EventKind.ADDRESS_THROTTLED,
            target=client_ip(request),
            request=request,
            detail={
                "limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
                "minutes": int(settings.LOGIN_ADDRESS_WINDOW.total_seconds() // 60),
            },
        )

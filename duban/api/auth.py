"""Who is calling the API: a personal token (`Authorization: Bearer dbn_…`) or the
browser's logged-in session (with CSRF checked on unsafe methods).

Both end in `check_person`, so the same people are refused either way: inactive
accounts, and accounts that must first change their initial password.
"""

from contextlib import contextmanager
from datetime import timedelta

from auditlog.context import set_actor
from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.utils import timezone
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from duban.accounts.models import TOKEN_PREFIX, ApiToken, token_digest

ERR_UNAUTHENTICATED = "未登录或令牌无效。"
ERR_MUST_CHANGE_PASSWORD = "请先登录网页修改初始密码，然后再使用接口。"
ERR_CSRF = "CSRF 校验失败，请刷新页面后重试。"

# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def check_person(person):
    """Refuse accounts that may not use the API; returns the person otherwise."""
    if person is None or not person.is_active:
        raise AuthenticationError(message=ERR_UNAUTHENTICATED)
    if person.must_change_password:
        raise AuthorizationError(message=ERR_MUST_CHANGE_PASSWORD)
    return person


def token_lookup(raw: str) -> ApiToken | None:
    """The live token with this raw value whose owner is active, or None."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    return (
        ApiToken.objects.select_related("person")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, person__is_active=True)
        .first()
    )


def token_touch(token: ApiToken) -> None:
    """Record the use, at most once per LAST_USED_RESOLUTION (one UPDATE, no signals)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`. A presented but unknown, revoked or foreign
    token is refused outright (401) rather than falling back to the session."""

    def authenticate(self, request, token):
        found = token_lookup(token)
        if found is None:
            raise AuthenticationError(message=ERR_UNAUTHENTICATED)
        person = check_person(found.person)
        token_touch(found)
        request.api_token = found
        return person


class SessionAuth(APIKeyCookie):
    """The logged-in session of the web pages. Unlike ninja's own SessionAuth, CSRF
    is only checked once a session user exists, so an anonymous call gets 401 (not
    a CSRF 403), and the refusal is in Chinese."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise AuthorizationError(message=ERR_CSRF)
        return check_person(user)


def api_user(request):
    """The authenticated person of an API request."""
    return getattr(request, "auth", None) or request.user


@contextmanager
def acting(request):
    """Attribute record history (django-auditlog) to the API caller: the audit
    middleware only knows the session user, not a token's owner."""
    with set_actor(
        api_user(request),
        remote_addr=AuditlogMiddleware._get_remote_addr(request),
        remote_port=AuditlogMiddleware._get_remote_port(request),
    ):
        yield

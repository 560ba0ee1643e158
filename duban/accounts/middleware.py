import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from duban.accounts import second_factor

# Pages a person who must change their password can still reach.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/api/", "/v/", "/ical/")


class ForcePasswordChangeMiddleware:
    """At first login (or after a reset) the only page open is the password change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            return redirect(reverse("accounts:password_change") + "?first=1")
        return self.get_response(request)


# When the session's login happened (seconds since the epoch), set at every login.
LOGIN_AT = "duban_login_at"


class SessionLifetimeMiddleware:
    """A login lasts at most SESSION_ABSOLUTE_HOURS, however active the person is (the idle
    limit is the session cookie's age). Afterwards the session is ended and the request goes
    on as anonymous: pages send to the login page, the API answers 401."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.get(LOGIN_AT)
            if started is None:
                request.session[LOGIN_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_HOURS
                messages.info(request, _("登录已超过 %(hours)s 小时，为了账号安全请重新登录。") % {"hours": hours})
        return self.get_response(request)


class SecondFactorMiddleware:
    """Whoever needs the second factor (an administrator, or anyone who turned it on) and has
    not passed it in this session reaches only the second-factor pages and logging out. To the
    API such a session is anonymous; personal tokens are not affected."""

    ALLOWED = ("/accounts/otp/", "/accounts/logout/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified() and second_factor.is_needed(request):
            if request.path.startswith("/api/"):
                request.user = AnonymousUser()
            elif not request.path.startswith(self.ALLOWED):
                has_device = request.session.get(second_factor.HAS_DEVICE)
                target = reverse("accounts:otp_verify" if has_device else "accounts:otp_setup")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

from django.shortcuts import redirect
from django.urls import reverse

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

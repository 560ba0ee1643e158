"""Stamp each login with its time, for the absolute session lifetime."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from duban.accounts.middleware import LOGIN_AT


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = time.time()

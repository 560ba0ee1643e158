"""At each login: stamp its time (for the absolute session lifetime) and note whether the person
has a second-factor device (so pages need not look it up)."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from duban.accounts import second_factor
from duban.accounts.middleware import LOGIN_AT


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = time.time()
        second_factor.note_device(request, user)

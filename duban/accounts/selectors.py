from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone


def locked_usernames() -> list[str]:
    """Usernames locked out right now (failure limit reached within the cool-off)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since)
        .order_by("-attempt_time")
        .values_list("username", flat=True)
    )
    return list(dict.fromkeys(name for name in rows if name))


def is_locked(username: str) -> bool:
    return username in locked_usernames()

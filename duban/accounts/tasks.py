"""Periodic housekeeping, run by the huey worker that `make run` starts."""

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_expired_sessions():
    """Expired sessions are already refused; this only removes their rows."""
    call_command("clearsessions")

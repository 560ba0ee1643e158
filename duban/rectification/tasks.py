"""Periodic rectification work, run by the huey worker that `make run` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from duban.rectification.services.watch import rechecks_sweep


@db_periodic_task(crontab(minute="15", hour="*"))
def rechecks_due():
    """Re-checks that fell due are sent to the liaison groups once (recorded on the re-check)."""
    return rechecks_sweep()

"""Periodic supervision work, run by the huey worker that `make run` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from duban.supervision.reminders import sweep


@db_periodic_task(crontab(minute="*/30"))
def reminders_sweep():
    """The reminder ladder; idempotent, so running it every half hour only catches up
    with the calendar and with rungs the office just added."""
    return sweep()

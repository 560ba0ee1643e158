"""The nightly retention run, by the huey worker that `make run` starts."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from duban.audit.retention import audit_prune


@db_periodic_task(crontab(hour="3", minute="23"))
def audit_retention():
    return audit_prune().total

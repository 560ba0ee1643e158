"""Database housekeeping, run by the huey worker that `make run` starts."""

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


def statistics_refresh() -> str:
    """Keep the query planner's statistics current as tables grow and after a migration adds
    an index (SQLite does not do it by itself; ~2 s at the bench's largest tier). PostgreSQL's
    autovacuum already does this."""
    if connection.vendor != "sqlite":
        return "skipped"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return "optimized"


@db_periodic_task(crontab(hour="3", minute="41"))
def database_statistics():
    return statistics_refresh()

"""Bulk inserts for the bench generator: plain parameterised INSERTs through Django's
connection (executemany), about five times faster than bulk_create for a million rows."""

import datetime
import json

from django.db import connection

CHUNK = 5000


def _adapter():
    if connection.vendor == "sqlite":

        def adapt(value):
            if isinstance(value, datetime.datetime):
                # Django keeps aware datetimes in SQLite as naive UTC text.
                return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
            if isinstance(value, datetime.date):
                return value.isoformat()
            if isinstance(value, dict | list):
                return json.dumps(value, ensure_ascii=False)
            return value

        return adapt

    from psycopg.types.json import Jsonb

    def adapt(value):
        return Jsonb(value) if isinstance(value, dict | list) else value

    return adapt


def insert(model, fields: list[str], rows) -> int:
    """INSERT `rows` (tuples in the order of `fields`, model field names) into `model`'s table."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(f).column) for f in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    adapt = _adapter()
    count = 0
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(adapt(v) for v in row))
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def reset_sequences(*models) -> None:
    """After inserting explicit ids: PostgreSQL's sequences must move past them."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)

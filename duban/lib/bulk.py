"""Bulk writing helpers."""

from django.db import connection

BATCH = 1000


def rows_insert(model, rows: list, constants: dict | None = None) -> None:
    """INSERT rows of `model` with one `executemany` per batch: no primary keys come back and
    no signals are sent, so it is for rows nothing else refers to, and much cheaper than
    `bulk_create`. A row is an unsaved instance, or a dict of attribute names to values
    (cheaper still: no model instance is built) in which a missing field takes its value
    from `constants` or else its default, either prepared once for the whole call."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if isinstance(rows[0], dict):
        constants = constants or {}
        fixed = {}
        for field in fields:
            if field.attname not in rows[0]:
                value = constants[field.attname] if field.attname in constants else field.get_default()
                fixed[field.attname] = field.get_db_prep_save(value, connection)

        def prepared(row, field):
            if field.attname in fixed:
                return fixed[field.attname]
            return field.get_db_prep_save(row[field.attname], connection)
    else:

        def prepared(row, field):
            return field.get_db_prep_save(field.pre_save(row, True), connection)

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    # Table and column names come from the model, quoted; values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.executemany(sql, [[prepared(row, f) for f in fields] for row in batch])

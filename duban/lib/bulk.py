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


def rows_update(model, objs: list, fields: list[str]) -> None:
    """UPDATE `fields` of saved instances with one `executemany` per batch, each row by its
    primary key. Django's `bulk_update` writes one statement whose every column is a CASE over
    all the batch's keys, which the database evaluates for each row: its cost grows with the
    square of the batch (30,000 cached states took minutes). No signals are sent."""
    if not objs:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    # Table and column names come from the model, quoted; values are parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            batch = objs[start : start + BATCH]
            cursor.executemany(
                sql,
                [
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
                    + [meta.pk.get_db_prep_save(obj.pk, connection)]
                    for obj in batch
                ],
            )

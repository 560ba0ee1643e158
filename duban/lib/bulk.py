"""Bulk writing helpers."""

from django.db import connections, router
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    CharField,
    ForeignKey,
    IntegerField,
    OneToOneField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SmallAutoField,
    SmallIntegerField,
    TextField,
)
from django.db.models.constants import OnConflict

BATCH = 1000

_TEXT = (CharField, TextField)
_INTEGER = (IntegerField, PositiveIntegerField, PositiveSmallIntegerField, SmallIntegerField, BigIntegerField)
_AUTO = (AutoField, BigAutoField, SmallAutoField)


def db_value(field, connection):
    """`field.get_db_prep_save(value, connection)` as a function of the value, taking a
    short cut for the plain values most columns hold, with exactly Django's result: a
    str in a text column is written as it is, an int in an integer column or a foreign
    key to an auto key goes through the backend's one adaptation. Everything else (and
    every other kind of field) goes the whole way."""
    full = field.get_db_prep_save
    kind = type(field)
    if kind in _TEXT:  # get_prep_value: to_python keeps a str as it is
        return lambda value: value if isinstance(value, str) else full(value, connection)
    if kind in _INTEGER:  # get_prep_value: int(value), then the backend's adaptation
        adapt, internal = connection.ops.adapt_integerfield_value, field.get_internal_type()
        return lambda value: adapt(value, internal) if type(value) is int else full(value, connection)
    if kind in (ForeignKey, OneToOneField) and type(field.target_field) in _AUTO:
        check = connection.ops.validate_autopk_value  # the auto key's get_db_prep_value
        return lambda value: check(value) if type(value) is int else full(value, connection)
    return lambda value: full(value, connection)


def rows_insert(model, rows: list, constants: dict | None = None, *, ignore_conflicts: bool = False) -> None:
    """INSERT rows of `model` with one `executemany` per batch: no primary keys come back and
    no signals are sent, so it is for rows nothing else refers to, and much cheaper than
    `bulk_create`. A row is an unsaved instance, or a dict of attribute names to values
    (cheaper still: no model instance is built) in which a missing field takes its value
    from `constants` or else its default, either prepared once for the whole call. An
    auto primary key is left to the database; any other is written like a column.
    `ignore_conflicts` skips rows that break a unique constraint, as `bulk_create` does."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    if isinstance(rows[0], dict):
        constants = constants or {}
        fixed = {}
        for field in fields:
            if field.attname not in rows[0]:
                value = constants[field.attname] if field.attname in constants else field.get_default()
                fixed[field.attname] = field.get_db_prep_save(value, connection)
        # (attname, converter) per column, or (None, value) for a column fixed for the call.
        columns = [
            (None, fixed[f.attname]) if f.attname in fixed else (f.attname, db_value(f, connection)) for f in fields
        ]

        def values(row):
            return [value if name is None else value(row[name]) for name, value in columns]
    else:
        columns = [(f, db_value(f, connection)) for f in fields]

        def values(row):
            return [convert(field.pre_save(row, True)) for field, convert in columns]

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    insert = connection.ops.insert_statement(on_conflict=on_conflict)
    suffix = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    # Table and column names come from the model, quoted; values are parameters.
    sql = f"{insert} {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))}) {suffix}".rstrip()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [values(row) for row in rows[start : start + BATCH]])


def rows_create(model, objs: list) -> None:
    """INSERT unsaved instances of `model` (with an auto primary key) in multi-row statements
    that return their new keys, and set them on the instances, as `bulk_create` does; but each
    value is prepared as `rows_insert` prepares it, instead of through Django's SQL compiler
    (a 5,000-row ledger import spent about a second there). No signals are sent. Falls back to
    `bulk_create` where the database cannot return the keys of a multi-row insert, or a field
    has its own placeholder."""
    if not objs:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    if (
        meta.auto_field is None
        or not connection.features.can_return_rows_from_bulk_insert
        or any(hasattr(f, "get_placeholder") for f in fields)
    ):
        model.objects.bulk_create(objs)
        return
    for obj in objs:  # as bulk_create: a related object saved since it was set gives its key
        obj._prepare_related_fields_for_save(operation_name="rows_create")
    columns = [(f, db_value(f, connection)) for f in fields]
    quote = connection.ops.quote_name
    # Table and column names come from the model, quoted; values are parameters.
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "  # noqa: S608
    row = f"({', '.join(['%s'] * len(fields))})"
    size = max(1, min(BATCH, connection.ops.bulk_batch_size(fields, objs)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            params = [convert(field.pre_save(obj, True)) for obj in batch for field, convert in columns]
            # The keys come back in the order of the rows, as bulk_create relies on too.
            cursor.execute(f"{head}{', '.join([row] * len(batch))} RETURNING {quote(meta.pk.column)}", params)
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = alias


def rows_update(model, objs: list, fields: list[str]) -> None:
    """UPDATE `fields` of saved instances with one `executemany` per batch, each row by its
    primary key. Django's `bulk_update` writes one statement whose every column is a CASE over
    all the batch's keys, which the database evaluates for each row: its cost grows with the
    square of the batch (30,000 cached states took minutes). No signals are sent."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    columns = [(f.attname, db_value(f, connection)) for f in targets]
    key = db_value(meta.pk, connection)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in targets)
    # Table and column names come from the model, quoted; values are parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            batch = objs[start : start + BATCH]
            cursor.executemany(
                sql,
                [[convert(getattr(obj, name)) for name, convert in columns] + [key(obj.pk)] for obj in batch],
            )

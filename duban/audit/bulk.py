"""Record history for rows written in bulk (the ledger import): the LogEntry rows
django-auditlog would have saved had each row been saved one by one.

`HistoryBatch` builds them with auditlog's own value formatting (`get_field_value`),
the model's registration (included, excluded and masked fields) and the request's
context (the actor and address its `pre_save` receiver fills in), but without the
per-row costs that make auditlog slow in bulk: the field list and the "before" value
of a creation are worked out once per model, the context once per batch, and the rows
are inserted with one `executemany` per batch. A creation lists the row's own columns
only; auditlog's one-by-one diff also lists each reverse relation (“reports: None →
supervision.ProgressReport.None”), which the history page never shows.
"""

import datetime

from auditlog.cid import get_cid
from auditlog.diff import get_field_value, get_mask_function, is_primitive, track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import DateTimeField, JSONField
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str

from duban.lib.bulk import rows_insert


def _tracked(model) -> list:
    """The concrete fields auditlog tracks for `model`, as its registration filters them."""
    registered = auditlog.get_model_fields(model)
    fields = [f for f in model._meta.concrete_fields if track_field(f)]
    if registered["include_fields"]:
        fields = [f for f in fields if f.name in registered["include_fields"]]
    return [f for f in fields if f.name not in registered["exclude_fields"]]


_MISSING = object()
_STR = (int, bool, datetime.date, type(None))  # what smart_str turns into str(value)


def _reader(field, use_json: bool):
    """auditlog's `get_field_value(instance, field)` as a function of the instance, taking
    a short cut for the plain values most columns hold, with exactly auditlog's result: a
    foreign key's id (or None) as it is, a str as it is, a number, date or None as its
    str() (what `smart_str` does with them). Anything else (and date-times, JSON, JSON
    changes, FK string representations) goes the whole way."""

    def full(instance):
        return get_field_value(instance, field, use_json)

    if use_json or isinstance(field, (DateTimeField, JSONField)):
        return full
    attname = field.attname
    if (field.one_to_one or field.many_to_one) and hasattr(field, "rel_class"):
        if settings.AUDITLOG_USE_FK_STRING_REPRESENTATION:
            return full

        def key(instance):  # smart_str(id, strings_only=True)
            value = instance.__dict__.get(attname, _MISSING)
            return value if value is None or type(value) is int else full(instance)

        return key

    if field.descriptor_class is not DeferredAttribute:  # e.g. a file: the descriptor wraps the value
        return full

    def plain(instance):  # smart_str(value): a str as it is, else str(value)
        value = instance.__dict__.get(attname, _MISSING)
        if isinstance(value, str):
            return value
        return str(value) if type(value) in _STR else full(instance)

    return plain


class HistoryBatch:
    """Entries collected with `created` / `changed` and saved by `save`."""

    def __init__(self):
        self.json = settings.AUDITLOG_STORE_JSON_CHANGES
        self.entries: list[dict] = []
        self._models: dict = {}
        # What the auditlog context's pre_save receiver sets on an entry (actor, address…),
        # worked out on a blank entry once.
        probe, blank = LogEntry(), LogEntry()
        pre_save.send(
            sender=LogEntry, instance=probe, raw=False, using=router.db_for_write(LogEntry), update_fields=None
        )
        self._context = {
            f.attname: getattr(probe, f.attname)
            for f in LogEntry._meta.concrete_fields
            if getattr(probe, f.attname) != getattr(blank, f.attname)
        }
        self._cid = get_cid()

    def _model(self, model):
        if model not in self._models:
            registered = auditlog.get_model_fields(model)
            mask = get_mask_function(registered.get("mask_callable")) if registered["mask_fields"] else None
            fields = [
                (field.name, _reader(field, self.json), get_field_value(None, field, self.json), masked)
                for field in _tracked(model)
                for masked in [field.name in registered["mask_fields"]]
            ]
            serialize = auditlog.get_serialize_options(model)["serialize_data"]
            self._models[model] = (ContentType.objects.get_for_model(model), fields, mask, serialize)
        return self._models[model]

    def _value(self, old, new, masked, mask):
        if masked:
            return [mask(smart_str(old)), mask(smart_str(new))]
        if not self.json:
            return [smart_str(old), new if isinstance(new, str) else smart_str(new)]
        return [old if is_primitive(old) else smart_str(old), new if is_primitive(new) else smart_str(new)]

    def created(self, instance) -> None:
        """The entry of a row just inserted: each tracked column that differs from nothing."""
        content_type, fields, mask, serialize = self._model(type(instance))
        changes = {}
        for name, read, old, masked in fields:
            new = read(instance)
            if old != new:
                changes[name] = self._value(old, new, masked, mask)
        if changes:
            self._add(instance, content_type, LogEntry.Action.CREATE, changes, serialize)

    def changed(self, instance, changes: dict) -> None:
        """An UPDATE entry with the given changes (e.g. the m2m entry of `co_units.set`)."""
        content_type, _fields, _mask, serialize = self._model(type(instance))
        self._add(instance, content_type, LogEntry.Action.UPDATE, changes, serialize)

    def _add(self, instance, content_type, action, changes, serialize) -> None:
        pk = instance.pk
        additional = getattr(instance, "get_additional_data", None)
        self.entries.append(
            {
                "content_type_id": content_type.pk,
                "object_pk": str(pk),
                "object_id": pk if isinstance(pk, int) else None,
                "object_repr": smart_str(instance),
                "action": action,
                "changes": changes,
                "serialized_data": LogEntry.objects._get_serialized_data_or_none(instance) if serialize else None,
                "additional_data": additional() if callable(additional) else None,
            }
        )

    def save(self) -> None:
        rows_insert(LogEntry, self.entries, {"cid": self._cid, **self._context})
        self.entries = []

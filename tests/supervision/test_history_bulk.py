"""History written in bulk (`duban.audit.bulk`) says what django-auditlog says when the
same rows are saved one by one; `rows_insert` writes what `bulk_create` writes."""

import datetime

from auditlog.context import set_actor
from auditlog.models import LogEntry

from duban.audit.bulk import HistoryBatch
from duban.audit.selectors import history_rows
from duban.lib.bulk import rows_insert
from duban.supervision.models import Item, ItemLog, LogKind, TimeNode
from tests.supervision.conftest import TODAY

SAVED = ("content_type_id", "object_pk", "object_id", "object_repr", "action", "actor_id", "remote_addr", "cid")


def _entry(obj):
    return LogEntry.objects.get_for_object(obj).order_by("pk").first()


def _as_saved(entry):
    return {name: getattr(entry, name) for name in SAVED}


def test_created_entries_match_auditlog_for_each_tracked_column(work, people):
    with set_actor(people.office, remote_addr="10.0.0.8"):
        saved_item = Item.objects.create(
            plan=work.plan, ordinal=90, title="逐条保存", lead_unit=work.labs.lead_unit, start_date=TODAY
        )
        saved_node = TimeNode.objects.create(item=saved_item, title="节点", due_date=TODAY, order=1)
        bulk_item = Item(plan=work.plan, ordinal=91, title="批量写入", lead_unit=work.labs.lead_unit, start_date=TODAY)
        Item.objects.bulk_create([bulk_item])
        bulk_node = TimeNode(item=bulk_item, title="节点", due_date=TODAY, order=1)
        TimeNode.objects.bulk_create([bulk_node])
        history = HistoryBatch()
        history.created(bulk_item)
        history.created(bulk_node)
        history.changed(bulk_item, {"co_units": {"type": "m2m", "operation": "add", "objects": ["人事处"]}})
        history.save()

    for saved, bulk in ((saved_item, bulk_item), (saved_node, bulk_node)):
        one, many = _entry(saved), _entry(bulk)
        assert {k: v for k, v in _as_saved(many).items() if k not in ("object_pk", "object_id", "object_repr")} == {
            k: v for k, v in _as_saved(one).items() if k not in ("object_pk", "object_id", "object_repr")
        }
        assert (many.object_pk, many.object_id, many.object_repr) == (str(bulk.pk), bulk.pk, str(bulk))
        assert many.actor == people.office and many.remote_addr == "10.0.0.8"
        # Every column auditlog records is there, with the same words; auditlog's own entry
        # also lists the reverse relations, which the history page leaves out.
        columns = {f.name for f in type(saved)._meta.concrete_fields}
        differing = {"id", "item", "title", "ordinal", "created_at"}
        expected = {k: v for k, v in one.changes_dict.items() if k in columns and k not in differing}
        assert {k: v for k, v in many.changes_dict.items() if k not in differing} == expected
        assert set(many.changes_dict) == {k for k in one.changes_dict if k in columns}
    shown = {row.entry.object_repr: [c.label for c in row.changes] for row in history_rows([_entry(bulk_item)])}
    assert shown == {
        str(bulk_item): [c.label for c in history_rows([_entry(saved_item)])[0].changes],
    }
    update = LogEntry.objects.get_for_object(bulk_item).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["co_units"]["objects"] == ["人事处"] and update.actor == people.office


def test_no_context_no_actor(work):
    history = HistoryBatch()
    history.created(work.teaching)
    history.save()
    entry = LogEntry.objects.get_for_object(work.teaching).order_by("-pk").first()
    assert entry.actor is None and entry.action == LogEntry.Action.CREATE


def test_rows_insert_writes_instances_and_dicts_like_bulk_create(work, people):
    at = datetime.datetime(2026, 11, 2, 1, 2, 3, tzinfo=datetime.UTC)
    rows_insert(ItemLog, [ItemLog(item=work.labs, kind=LogKind.UPDATED, actor=people.office, text="实例", at=at)])
    rows_insert(
        ItemLog,
        [{"item_id": work.labs.pk, "kind": LogKind.UPDATED, "text": "字典", "data": {"n": 1}}],
        {"actor_id": people.office.pk, "at": at},
    )
    ItemLog.objects.bulk_create(
        [ItemLog(item=work.labs, kind=LogKind.UPDATED, actor=people.office, text="批量", at=at)]
    )
    rows = {
        log.text: (log.item_id, log.kind, log.actor_id, log.at, log.report_id, log.data)
        for log in ItemLog.objects.filter(item=work.labs, at=at)
    }
    assert rows == {
        "实例": (work.labs.pk, LogKind.UPDATED, people.office.pk, at, None, {}),
        "字典": (work.labs.pk, LogKind.UPDATED, people.office.pk, at, None, {"n": 1}),
        "批量": (work.labs.pk, LogKind.UPDATED, people.office.pk, at, None, {}),
    }
    rows_insert(ItemLog, [])  # nothing to write, no query


def test_rows_create_writes_and_numbers_instances_like_bulk_create(work, people, monkeypatch):
    """rows_create gives each instance its new key, in the order of the list, across several
    statements, and stores what bulk_create stores (the import writes its items with it)."""
    from duban.lib import bulk

    monkeypatch.setattr(bulk, "BATCH", 3)  # 7 items: three statements

    def made(title, n):
        return Item(
            plan=work.plan, ordinal=n, title=title, lead_unit=work.labs.lead_unit, start_date=TODAY, due_date=TODAY
        )

    fast = [made(f"快{n}", 100 + n) for n in range(7)]
    bulk.rows_create(Item, fast)
    slow = [made(f"慢{n}", 200 + n) for n in range(7)]
    Item.objects.bulk_create(slow)
    assert all(not item._state.adding and item._state.db == "default" for item in fast)
    assert [Item.objects.get(pk=item.pk).title for item in fast] == [item.title for item in fast]

    def stored(item):
        row = Item.objects.filter(pk=item.pk).values().get()
        return {k: v for k, v in row.items() if k not in ("id", "title", "ordinal", "created_at")}

    assert [stored(item) for item in fast] == [stored(item) for item in slow]
    nodes = [TimeNode(item=item, title="节点", due_date=TODAY, order=1) for item in fast]
    bulk.rows_create(TimeNode, nodes)
    assert [node.item_id for node in TimeNode.objects.filter(pk__in=[n.pk for n in nodes]).order_by("pk")] == [
        item.pk for item in fast
    ]
    # A measure whose project was written after it was set on it takes the project's new key.
    project = made("项目", 300)
    measure = Item(
        plan=work.plan, parent=project, ordinal=1, title="措施", lead_unit=work.labs.lead_unit, start_date=TODAY
    )
    bulk.rows_create(Item, [project])
    bulk.rows_create(Item, [measure])
    assert Item.objects.get(pk=measure.pk).parent_id == project.pk
    bulk.rows_create(Item, [])  # nothing to write, no query


def test_short_cuts_give_django_and_auditlog_values(work, people):
    from auditlog.diff import get_field_value
    from django.db import connection

    from duban.audit.bulk import _reader
    from duban.lib.bulk import db_value
    from duban.supervision.models import ProgressReport

    TimeNode.objects.create(item=work.labs, title="节点", due_date=TODAY, order=1)
    item = Item(plan=work.plan, ordinal=7, title="新", lead_unit=work.labs.lead_unit, start_date=TODAY)
    instances = [work.labs, item, *work.labs.nodes.all(), *work.labs.reports.all()[:1], people.office]
    for instance in instances:
        for field in type(instance)._meta.concrete_fields:
            for use_json in (False, True):
                expected = get_field_value(instance, field, use_json)
                assert _reader(field, use_json)(instance) == expected, field
                assert type(_reader(field, use_json)(instance)) is type(expected), field
            value = getattr(instance, field.attname)
            assert db_value(field, connection)(value) == field.get_db_prep_save(value, connection), field
    for value in (None, 0, 5, True, "5", "文本"):
        for field in (ItemLog._meta.get_field("kind"), ProgressReport._meta.get_field("percent"), ItemLog.item.field):
            try:
                expected = field.get_db_prep_save(value, connection)
            except (TypeError, ValueError):
                continue
            assert db_value(field, connection)(value) == expected and type(db_value(field, connection)(value)) is type(
                expected
            )

"""The ledger (督办台账) as an .xlsx file, in the layout offices already use and the
ledger import reads back: 序号, 事项, 牵头单位, 责任单位, 帮包领导, 责任人, 时间节点,
完成时限, 进展情况, 状态, 备注.

A fixed number of queries whatever the number of rows (items as plain values with the
latest accepted progress as a subquery, then co-units, nodes and namesakes in one query
each), written by a write-only workbook: tens of thousands of rows in seconds.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.lib.dates import cn_date
from duban.org.access import access_for
from duban.org.models import Person
from duban.supervision.access import can_see_plans
from duban.supervision.exports.sheets import SheetColumn, StyledSheet, write_only_workbook
from duban.supervision.ledger_import.columns import COLUMNS, SHEET_LEDGER
from duban.supervision.ledger_import.values import due_text, nodes_text
from duban.supervision.models import Item, Plan, ProgressReport, ReportStatus, Status, TimeNode
from duban.supervision.summaries import ledger_numbers, number_key

FIELDS = (
    "pk",
    "title",
    "lead_unit__name",
    "patron_leader__name",
    "patron_leader__username",
    "responsible_person__name",
    "responsible_person__username",
    "due_date",
    "state__status",
    "remarks",
    "progress",
)
STATUS_WORDS = {value: str(label) for value, label in Status.choices}


def _person(name, username, namesakes: set[str]) -> str:
    """A name, with the login name where another active person has the same name (the
    import reads “王伟（wangwei）” back without ambiguity)."""
    if not name:
        return ""
    return f"{name}（{username}）" if name in namesakes else name


def ledger_rows(plan: Plan, items, order: list[str] | None = None):
    """The ledger's rows (lists of cell values) for the visible `items`: in ledger
    number order (each project followed by its measures), or by `order` fields."""
    ids = items.values("pk")
    numbers = ledger_numbers(plan)
    co_units = defaultdict(list)
    through = Item.co_units.through.objects.filter(item__in=ids).order_by("unit__order", "unit_id")
    for item_id, name in through.values_list("item_id", "unit__name"):
        co_units[item_id].append(name)
    nodes = defaultdict(list)
    node_rows = TimeNode.objects.filter(item__in=ids).order_by("due_date", "order", "pk")
    for item_id, due, title in node_rows.values_list("item_id", "due_date", "title"):
        nodes[item_id].append((due, title))
    namesakes = set(
        Person.objects.filter(is_active=True)
        .values("name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    latest = (
        ProgressReport.objects.filter(item=OuterRef("pk"), status=ReportStatus.ACCEPTED)
        .order_by("-period_start")
        .values("progress_text")[:1]
    )
    queryset = Item.objects.filter(pk__in=ids).annotate(progress=Subquery(latest))
    if order:
        queryset = queryset.order_by(*order)
    values = list(queryset.values_list(*FIELDS))
    if not order:
        values.sort(key=lambda v: (number_key(numbers.get(v[0], "")), v[0]))
    for pk, title, lead, patron, patron_login, person, person_login, due, status, remarks, progress in values:
        yield [
            numbers.get(pk, ""),
            title,
            lead,
            "、".join(co_units.get(pk, [])),
            _person(patron, patron_login, namesakes),
            _person(person, person_login, namesakes),
            nodes_text(nodes.get(pk, []), due),
            due_text(due),
            progress or "",
            STATUS_WORDS.get(status, ""),
            remarks,
        ]


def _number_cell(number: str):
    # Top-level numbers as numbers (Excel sorts them); "2.3" stays text, or Excel would read 2.3.
    return int(number) if number.isdecimal() else number


def ledger_workbook(plan: Plan, items, *, order=None, note: str = ""):
    """The workbook and its number of rows."""
    workbook = write_only_workbook()
    columns = [SheetColumn(column.label, column.width, column.kind) for column in COLUMNS]
    subtitle = f"导出日期：{cn_date(timezone.localdate(), full=True)}" + (f"　{note}" if note else "")
    sheet = StyledSheet(workbook, SHEET_LEDGER, columns, title=f"{plan.title}督办台账", subtitle=subtitle)
    count = 0
    for row in ledger_rows(plan, items, order):
        row[0] = _number_cell(row[0])
        sheet.row(row)
        count += 1
    sheet.finish()
    return workbook, count


def ledger_export(*, acting_user, plan: Plan, items, filters: dict | None = None, order=None, request=None):
    """The ledger of the items this person may see (already filtered), and a security
    event recording the export. Returns (workbook, rows)."""
    if not can_see_plans(access_for(acting_user)):
        raise PermissionDenied
    filters = {key: value for key, value in (filters or {}).items() if value}
    note = "筛选：" + "；".join(f"{k}：{v}" for k, v in filters.items()) if filters else ""
    workbook, count = ledger_workbook(plan, items, order=order, note=note)
    security_event_record(
        kind=EventKind.EXPORT,
        actor=acting_user,
        request=request,
        target=f"督办台账：{plan.title}"[:200],
        detail={"plan": plan.pk, "filters": filters, "rows": count},
    )
    return workbook, count

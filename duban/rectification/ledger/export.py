"""The 整改台账 as an .xlsx file, in the standard layout: a title row, a two-row merged
header (整改落实情况 over 整改进展, 完成情况, 销号情况), then one row per measure with
the finding's 序号 and 问题描述 merged over its measures.

A fixed number of queries whatever the size: findings, measures (with the latest
accepted progress as a subquery), co-units and namesakes, one query each.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.lib.dates import cn_date
from duban.lib.xlsx import HEADER_FILL, HEADER_FONT
from duban.org.access import access_for
from duban.org.models import Person
from duban.rectification import access as rules
from duban.rectification.ledger.columns import COLUMNS, SHEET_LEDGER, SUB_COLUMNS, SUB_HEADER_GROUP
from duban.rectification.ledger.values import deadline_text, person_text
from duban.rectification.models import ClosureState, Finding, Measure
from duban.supervision.models import Item, ProgressReport, ReportStatus, Status

HEADER_ROWS = (2, 3)
FIRST_DATA_ROW = 4
THIN = Side(style="thin", color="9AA5B1")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
CENTERED = {"ordinal", "leader", "person", "deadline", "completion", "closure"}
STATUS_WORDS = {value: str(label) for value, label in Status.choices}


@dataclass
class LedgerGroup:
    """A finding and the cell values of its measure rows (at least one row)."""

    ordinal: int
    description: str
    rows: list[list] = field(default_factory=list)


def completion_text(completed_on, status: str | None) -> str:
    if completed_on or status == Status.COMPLETED:
        return "已完成"
    word = STATUS_WORDS.get(status or "", "")
    return f"未完成（{word}）" if word else "未完成"


def closure_text(closure: str, closed_on, approver: str, relapses: int) -> str:
    if closure == ClosureState.CLOSED:
        text = f"已销号（{closed_on.isoformat()}，{approver}）" if approver else f"已销号（{closed_on.isoformat()}）"
    elif closure in (ClosureState.REQUESTED, ClosureState.REVIEWED):
        text = "待审核"
    else:
        text = "未销号"
    return f"{text}；反弹 {relapses} 次" if relapses else text


def ledger_groups(plan, *, findings, measures) -> list[LedgerGroup]:
    """The ledger's rows grouped by finding, for the visible `findings` and `measures`
    (querysets already restricted to what the person may see)."""
    latest = (
        ProgressReport.objects.filter(item=OuterRef("pk"), status=ReportStatus.ACCEPTED)
        .order_by("-period_start", "-pk")
        .values("progress_text")[:1]
    )
    rows = (
        measures.filter(finding__plan=plan)
        .annotate(progress=Subquery(latest))
        .order_by("finding__ordinal", "item__ordinal", "pk")
        .values_list(
            "pk",
            "finding_id",
            "type",
            "closure",
            "closed_on",
            "closed_by__name",
            "relapse_count",
            "item__title",
            "item__lead_unit__name",
            "item__patron_leader_id",
            "item__responsible_person_id",
            "item__due_date",
            "item__completed_on",
            "item__state__status",
            "item__remarks",
            "progress",
        )
    )
    rows = list(rows)
    ids = [row[0] for row in rows]
    co_units = defaultdict(list)
    through = Item.co_units.through.objects.filter(item_id__in=ids).order_by("unit__order", "unit_id")
    for item_id, name in through.values_list("item_id", "unit__name"):
        co_units[item_id].append(name)
    people = {pk for row in rows for pk in (row[9], row[10]) if pk}
    found = Person.objects.filter(pk__in=people).values_list("pk", "name", "username")
    names = {pk: (name, username) for pk, name, username in found}
    namesakes = set(
        Person.objects.filter(is_active=True, name__in={n for n, _ in names.values()})
        .values("name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    by_finding = defaultdict(list)
    for row in rows:
        pk, finding_id, kind, closure, closed_on, approver, relapses, title, lead = row[:9]
        patron, person, due, done, status, remarks, progress = row[9:]
        by_finding[finding_id].append(
            [
                title,
                person_text(patron, names, namesakes),
                "、".join([lead, *[u for u in co_units.get(pk, []) if u != lead]]),
                person_text(person, names, namesakes),
                deadline_text(kind, due),
                progress or "",
                completion_text(done, status),
                closure_text(closure, closed_on, approver or "", relapses),
                remarks,
            ]
        )
    groups = []
    heads = findings.filter(plan=plan).order_by("ordinal").values_list("pk", "ordinal", "description")
    for pk, ordinal, description in heads:
        groups.append(LedgerGroup(ordinal, description, by_finding.get(pk) or [[""] * 9]))
    return groups


def _header(sheet) -> None:
    top, bottom = HEADER_ROWS
    first_sub = None
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        for row in HEADER_ROWS:
            cell = sheet.cell(row=row, column=index)
            cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER
        if column.key in SUB_COLUMNS:
            first_sub = first_sub or index
            sheet.cell(row=bottom, column=index, value=column.label)
        else:
            sheet.cell(row=top, column=index, value=column.label)
            sheet.merge_cells(start_row=top, end_row=bottom, start_column=index, end_column=index)
    sheet.cell(row=top, column=first_sub, value=SUB_HEADER_GROUP)
    sheet.merge_cells(start_row=top, end_row=top, start_column=first_sub, end_column=first_sub + len(SUB_COLUMNS) - 1)
    sheet.row_dimensions[top].height = sheet.row_dimensions[bottom].height = 22


def ledger_workbook(title: str, groups: list[LedgerGroup], *, footer: str = "") -> tuple[Workbook, int]:
    """The styled workbook and its number of measure rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_LEDGER
    last = len(COLUMNS)
    cell = sheet.cell(row=1, column=1, value=title)
    cell.font, cell.alignment = Font(bold=True, size=16), Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(start_row=1, end_row=1, start_column=1, end_column=last)
    sheet.row_dimensions[1].height = 32
    _header(sheet)
    row = FIRST_DATA_ROW
    for group in groups:
        for offset, values in enumerate(group.rows):
            cells = [group.ordinal if offset == 0 else None, group.description if offset == 0 else None, *values]
            for index, (value, column) in enumerate(zip(cells, COLUMNS, strict=True), start=1):
                cell = sheet.cell(row=row + offset, column=index, value=value if value != "" else None)
                if cell.data_type == "f":  # text people typed is never a formula
                    cell.data_type = "s"
                cell.border = BORDER
                cell.alignment = CENTER if column.key in CENTERED else WRAP
        if len(group.rows) > 1:
            for index in (1, 2):
                end = row + len(group.rows) - 1
                sheet.merge_cells(start_row=row, end_row=end, start_column=index, end_column=index)
        row += len(group.rows)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.print_title_rows = f"{HEADER_ROWS[0]}:{HEADER_ROWS[1]}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    if footer:
        sheet.oddFooter.left.text = footer
    sheet.oddFooter.right.text = "第 &P 页，共 &N 页"
    return workbook, row - FIRST_DATA_ROW


def ledger_export(*, acting_user, plan, request=None) -> tuple[Workbook, int]:
    """The ledger of the findings and measures this person may see, and a security
    event recording the export."""
    access = access_for(acting_user)
    if not rules.can_see_ledger(access):
        raise PermissionDenied
    groups = ledger_groups(
        plan,
        findings=rules.findings_visible(access, Finding.objects.all()),
        measures=rules.measures_visible(access, Measure.objects.all()),
    )
    footer = f"导出日期：{cn_date(timezone.localdate(), full=True)}"
    workbook, count = ledger_workbook(f"{plan.title}整改台账", groups, footer=footer)
    security_event_record(
        kind=EventKind.EXPORT,
        actor=acting_user,
        request=request,
        target=f"整改台账：{plan.title}"[:200],
        detail={"plan": plan.pk, "findings": len(groups), "rows": count},
    )
    return workbook, count

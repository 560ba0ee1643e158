"""The battle map (挂图作战): a plan's items as a Gantt, children under their parents,
with time nodes, the original due date of deferred items and today's line.

A page of projects at a time (PER_PAGE top-level items, each with its measures): a plan
can hold 30,000 items, which neither a browser chart nor a reader takes in at once. Five
queries whatever the number of items: the two counts, the page's projects (read along
the item_plan_parent index), their rows, and their nodes.
"""

import datetime

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from duban.supervision.models import Item, Plan, TimeNode
from duban.supervision.selectors.palette import STATUS_LABELS, colour_hex, status_legend
from duban.supervision.status import Colour, Status
from duban.supervision.summaries import ledger_number

MARGIN_DAYS = 7
PER_PAGE = 30  # projects (top-level items) a page, each with its measures

ROW_FIELDS = (
    "id",
    "parent_id",
    "ordinal",
    "parent__ordinal",
    "title",
    "lead_unit__name",
    "start_date",
    "due_date",
    "original_due_date",
    "completed_on",
    "state__status",
    "state__colour",
    "state__reason",
    "state__progress",
    "state__expected",
)


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _chart_key(row: dict) -> tuple:
    """Depth-first by ordinal: each project, then its measures. Items nest one level (the
    item form and the ledger import only offer top-level items as parents)."""
    if row["parent_id"] is None:
        return (row["ordinal"], row["id"], 0, 0, 0)
    return (row["parent__ordinal"], row["parent_id"], 1, row["ordinal"], row["id"])


def pages(total: int, page, per_page: int = PER_PAGE):
    """The Django page `page` (a number or the raw URL value; out of range gives the
    first or the last, as on the ledger) of `total` projects."""
    return Paginator(range(total), per_page).get_page(page)


def battle_map(
    plan: Plan,
    items,
    today: datetime.date,
    *,
    lead_unit: int | None = None,
    status: str = "",
    page=1,
    per_page: int = PER_PAGE,
    everything: bool = False,
) -> dict:
    """The JSON the chart draws: one page of projects (those shown themselves or through
    one of their measures) with their shown measures. `items` is already restricted by
    items_visible; `everything` says it is every item of the plan (the office's view)."""
    if lead_unit:
        items = items.filter(lead_unit_id=lead_unit)
    if status:
        items = items.filter(state__status=status)
    projects = Item.objects.filter(plan=plan, parent__isnull=True).order_by("ordinal", "id")
    if lead_unit or status or not everything:
        # Two index probes a project; skipped when every item of the plan is shown.
        projects = projects.filter(
            Exists(items.filter(pk=OuterRef("pk"))) | Exists(items.filter(parent_id=OuterRef("pk")))
        )
    total = items.count()
    project_count = projects.count()
    page_obj = pages(project_count, page, per_page)
    number, count = page_obj.number, page_obj.paginator.num_pages
    ids = []
    if project_count:
        ids = list(projects.values_list("pk", flat=True)[page_obj.start_index() - 1 : page_obj.end_index()])
    rows = list(items.filter(Q(pk__in=ids) | Q(parent_id__in=ids)).order_by().values(*ROW_FIELDS)) if ids else []
    nodes = TimeNode.objects.filter(item_id__in=[r["id"] for r in rows])
    rows.sort(key=_chart_key)
    listed = {r["id"] for r in rows}
    nodes_by_item: dict[int, list] = {}
    for node in nodes.values("item_id", "title", "due_date", "done_on"):
        nodes_by_item.setdefault(node["item_id"], []).append(node)

    days = [today] + [d for r in rows for d in (r["start_date"], r["due_date"], r["original_due_date"]) if d]
    days += [n["due_date"] for ns in nodes_by_item.values() for n in ns]
    first = min(days + ([plan.start_date] if plan.start_date else [])) - datetime.timedelta(days=MARGIN_DAYS)
    last = max(days + ([plan.end_date] if plan.end_date else [])) + datetime.timedelta(days=MARGIN_DAYS)

    out_rows, out_nodes = [], []
    for index, row in enumerate(rows):
        status_value = row["state__status"] or Status.NOT_STARTED
        colour = row["state__colour"] or Colour.GREY
        due, original = row["due_date"], row["original_due_date"]
        out_rows.append(
            {
                "id": row["id"],
                "number": ledger_number(row["ordinal"], row["parent__ordinal"]),
                "title": row["title"],
                "depth": 1 if row["parent_id"] in listed else 0,
                "unit": row["lead_unit__name"],
                "start": _iso(row["start_date"]),
                "due": _iso(due),
                "original_due": _iso(original) if original and due and original != due else None,
                "completed_on": _iso(row["completed_on"]),
                "status": status_value,
                "status_label": STATUS_LABELS.get(status_value, ""),
                "colour": colour,
                "hex": colour_hex(colour),
                "reason": row["state__reason"] or "",
                "progress": row["state__progress"] or 0,
                "expected": row["state__expected"],
                "url": reverse("supervision:item_detail", args=[row["id"]]),
            }
        )
        for node in nodes_by_item.get(row["id"], []):
            done_on = node["done_on"]
            late = (done_on is None and node["due_date"] < today) or (
                done_on is not None and done_on > node["due_date"]
            )
            out_nodes.append(
                {
                    "row": index,
                    "title": node["title"],
                    "due": _iso(node["due_date"]),
                    "done_on": _iso(done_on),
                    "late": late,
                }
            )
    return {
        "plan": plan.title,
        "today": today.isoformat(),
        "min": first.isoformat(),
        "max": last.isoformat(),
        "total": total,
        "projects": project_count,
        "page": number,
        "pages": count,
        "rows": out_rows,
        "nodes": out_nodes,
        "legend": status_legend(plan.policy()),
    }

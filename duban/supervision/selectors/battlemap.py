"""The battle map (挂图作战): a plan's items as a Gantt, children under their parents,
with time nodes, the original due date of deferred items and today's line.

Three queries whatever the number of items: the rows, their nodes, and the plan's
ordinals (to number a child "2.3" even when its parent is filtered out).
"""

import datetime

from django.urls import reverse

from duban.supervision.models import Item, Plan, TimeNode
from duban.supervision.selectors.palette import STATUS_LABELS, colour_hex, status_legend
from duban.supervision.status import Colour, Status

MARGIN_DAYS = 7


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _ordered(rows: list[dict]) -> list[tuple[dict, int]]:
    """Depth-first by ordinal: each item followed by its (visible) children."""
    present = {r["id"] for r in rows}
    children: dict[int | None, list[dict]] = {}
    for row in rows:
        parent = row["parent_id"] if row["parent_id"] in present else None
        children.setdefault(parent, []).append(row)
    for siblings in children.values():
        siblings.sort(key=lambda r: (r["ordinal"], r["id"]))
    result: list[tuple[dict, int]] = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        result.append((row, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(row["id"], [])))
    return result


def _numbers(plan: Plan) -> dict[int, str]:
    """Each item's ledger number: "2", "2.3" for the third measure of project 2."""
    rows = {pk: (parent, ordinal) for pk, parent, ordinal in plan.items.values_list("pk", "parent_id", "ordinal")}

    def number(pk, seen=()):
        parent, ordinal = rows[pk]
        if parent in rows and parent not in seen:
            return f"{number(parent, (*seen, pk))}.{ordinal}"
        return str(ordinal)

    return {pk: number(pk) for pk in rows}


def battle_map(plan: Plan, items, today: datetime.date, *, lead_unit: int | None = None, status: str = "") -> dict:
    """The JSON the chart draws. `items` is already restricted by items_visible."""
    if lead_unit:
        items = items.filter(lead_unit_id=lead_unit)
    if status:
        items = items.filter(state__status=status)
    rows = list(
        Item.objects.filter(pk__in=items.values("pk")).values(
            "id",
            "parent_id",
            "ordinal",
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
    )
    nodes_by_item: dict[int, list] = {}
    for node in TimeNode.objects.filter(item__in=items.values("pk")).values("item_id", "title", "due_date", "done_on"):
        nodes_by_item.setdefault(node["item_id"], []).append(node)
    numbers = _numbers(plan) if rows else {}

    days = [today] + [d for r in rows for d in (r["start_date"], r["due_date"], r["original_due_date"]) if d]
    days += [n["due_date"] for ns in nodes_by_item.values() for n in ns]
    first = min(days + ([plan.start_date] if plan.start_date else [])) - datetime.timedelta(days=MARGIN_DAYS)
    last = max(days + ([plan.end_date] if plan.end_date else [])) + datetime.timedelta(days=MARGIN_DAYS)

    out_rows, out_nodes = [], []
    for index, (row, depth) in enumerate(_ordered(rows)):
        status_value = row["state__status"] or Status.NOT_STARTED
        colour = row["state__colour"] or Colour.GREY
        due, original = row["due_date"], row["original_due_date"]
        out_rows.append(
            {
                "id": row["id"],
                "number": numbers.get(row["id"], str(row["ordinal"])),
                "title": row["title"],
                "depth": depth,
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
        "rows": out_rows,
        "nodes": out_nodes,
        "legend": status_legend(plan.policy()),
    }

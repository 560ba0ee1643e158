"""Rectification statistics: completion and closure rates by lead unit, source,
finding category and measure type; overdue and relapse counts; closures and relapses
by month. Everything is scoped by `access.measures_visible` and computed in the
database with a fixed number of queries (eight) whatever the number of measures.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from duban.rectification import access as rules
from duban.rectification.models import (
    ClosureRequest,
    ClosureState,
    ClosureStatus,
    Measure,
    MeasureType,
    Relapse,
    Source,
)
from duban.supervision.models import Status

UNCATEGORISED = "未分类"


@dataclass
class StatRow:
    """One line of a statistics table."""

    label: str
    total: int = 0
    completed: int = 0
    closed: int = 0
    overdue: int = 0
    relapsed: int = 0
    key: object = None

    @staticmethod
    def _rate(part: int, whole: int) -> int:
        return round(part * 100 / whole) if whole else 0

    @property
    def completion_rate(self) -> int:
        return self._rate(self.completed, self.total)

    @property
    def closure_rate(self) -> int:
        return self._rate(self.closed, self.total)


@dataclass
class RectificationStats:
    totals: StatRow
    by_unit: list[StatRow]
    by_source: list[StatRow]
    by_category: list[StatRow]
    by_type: list[StatRow]
    months: list[str]  # "2026-11"
    closures_by_month: list[int]
    relapses_by_month: list[int]

    def chart(self) -> dict:
        """The closures-over-time chart's data (for json_script)."""
        labels = [f"{int(m[:4])}年{int(m[5:])}月" for m in self.months]
        return {"months": labels, "closures": self.closures_by_month, "relapses": self.relapses_by_month}


FIGURES = {
    "total": Count("pk"),
    "completed": Count("pk", filter=Q(item__completed_on__isnull=False)),
    "closed": Count("pk", filter=Q(closure=ClosureState.CLOSED)),
    "overdue": Count("pk", filter=Q(item__state__status=Status.OVERDUE)),
    "relapsed": Sum("relapse_count"),
}


def _rows(measures, fields: tuple[str, ...], label, order: tuple[str, ...] = ()) -> list[StatRow]:
    """One row per value of `fields` (the first is the key), largest first unless `order`."""
    queryset = measures.values(*fields).annotate(**FIGURES).order_by(*(order or fields))
    rows = [
        StatRow(label=label(values), key=values[fields[0]], **{name: values[name] or 0 for name in FIGURES})
        for values in queryset
    ]
    if not order:
        rows.sort(key=lambda r: (-r.total, r.label))
    return rows


def _month_keys(first: datetime.date, last: datetime.date) -> list[str]:
    keys, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _by_month(queryset, field: str) -> dict[str, int]:
    rows = queryset.annotate(month=TruncMonth(field)).values("month").annotate(n=Count("pk")).order_by("month")
    return {f"{row['month']:%Y-%m}": row["n"] for row in rows if row["month"] is not None}


def rectification_stats(access, *, plan=None) -> RectificationStats:
    """The statistics of one rectification plan, or of all of them, over the measures
    this person may see."""
    measures = Measure.objects.filter(finding__plan__rectification__isnull=False)
    if plan is not None:
        measures = measures.filter(finding__plan=plan)
    measures = rules.measures_visible(access, measures)

    totals = StatRow(label="合计", **{k: v or 0 for k, v in measures.aggregate(**FIGURES).items()})
    unit = ("item__lead_unit_id", "item__lead_unit__name", "item__lead_unit__order")
    by_unit = _rows(measures, unit, lambda v: v["item__lead_unit__name"], order=unit[2:] + unit[:1])
    # Relapses count against the unit that led the measure when it relapsed.
    index = {row.key: row for row in by_unit}
    for row in by_unit:
        row.relapsed = 0
    relapses = Relapse.objects.filter(measure__in=measures.values("pk"))
    for unit_id, unit_name, count in relapses.values_list("unit_id", "unit__name").annotate(n=Count("pk")):
        if unit_id not in index:
            index[unit_id] = StatRow(label=unit_name, key=unit_id)
            by_unit.append(index[unit_id])
        index[unit_id].relapsed += count
    sources = dict(Source.choices)
    source = "finding__plan__rectification__source"
    by_source = _rows(measures, (source,), lambda v: str(sources.get(v[source], v[source])))
    by_category = _rows(measures, ("finding__category",), lambda v: v["finding__category"] or UNCATEGORISED)
    types = dict(MeasureType.choices)
    by_type = _rows(measures, ("type",), lambda v: str(types.get(v["type"], v["type"])))
    order = {value: position for position, value in enumerate(MeasureType.values)}
    by_type.sort(key=lambda r: order.get(r.key, 99))

    closures = _by_month(
        ClosureRequest.objects.filter(status=ClosureStatus.APPROVED, measure__in=measures.values("pk")), "approved_at"
    )
    relapsed = _by_month(relapses, "found_on")
    months = sorted({*closures, *relapsed})
    if months:
        first = datetime.date.fromisoformat(months[0] + "-01")
        last = datetime.date.fromisoformat(months[-1] + "-01")
        months = _month_keys(first, last)
    return RectificationStats(
        totals=totals,
        by_unit=by_unit,
        by_source=by_source,
        by_category=by_category,
        by_type=by_type,
        months=months,
        closures_by_month=[closures.get(m, 0) for m in months],
        relapses_by_month=[relapsed.get(m, 0) for m in months],
    )

"""Indicator series (指标): each indicator of an item with its readings over time, for
the line charts on the item page. Only readings the office accepted count: those of
accepted reports, and those recorded directly (report=None)."""

from django.db.models import Q

from duban.supervision.models import Direction, IndicatorReading, Item, ReportStatus


def _number(value) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def indicator_series(item: Item) -> list[dict]:
    """[{id, name, unit, direction, direction_label, baseline, target, points, latest,
    latest_on, reached}] in the indicators' order (two queries)."""
    indicators = list(item.indicators.all())
    if not indicators:
        return []
    readings = (
        IndicatorReading.objects.filter(indicator__item=item)
        .filter(Q(report__isnull=True) | Q(report__status=ReportStatus.ACCEPTED))
        .order_by("indicator_id", "period_end", "recorded_at")
        .values_list("indicator_id", "period_end", "value")
    )
    points: dict[int, dict] = {}
    for indicator_id, period_end, value in readings:
        # Two readings for the same date: the later one recorded wins.
        points.setdefault(indicator_id, {})[period_end] = value
    series = []
    for indicator in indicators:
        by_date = points.get(indicator.pk, {})
        latest_on = max(by_date) if by_date else None
        latest = by_date[latest_on] if latest_on else None
        up = indicator.direction == Direction.UP
        reached = None if latest is None else (latest >= indicator.target if up else latest <= indicator.target)
        series.append(
            {
                "id": indicator.pk,
                "name": indicator.name,
                "unit": indicator.unit_of_measure,
                "direction": indicator.direction,
                "direction_label": indicator.get_direction_display(),
                "baseline": _number(indicator.baseline),
                "target": _number(indicator.target),
                "points": [[day.isoformat(), _number(value)] for day, value in sorted(by_date.items())],
                "latest": None if latest is None else _number(latest),
                "latest_on": latest_on,
                "reached": reached,
            }
        )
    return series

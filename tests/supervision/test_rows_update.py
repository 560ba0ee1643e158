"""duban.lib.bulk.rows_update: the same rows as saving each instance, one statement per batch."""

import datetime
from decimal import Decimal

from duban.lib import bulk
from duban.supervision.models import Indicator, ItemState


def test_rows_update_writes_each_row_by_its_key(work):
    states = list(ItemState.objects.filter(plan=work.plan).order_by("pk"))
    for n, state in enumerate(states):
        state.reason, state.days_left, state.week_start = f"说明{n}", -n, datetime.date(2026, 11, 16)
    bulk.rows_update(ItemState, states[:-1], ["reason", "days_left", "week_start"])
    stored = list(
        ItemState.objects.filter(plan=work.plan).order_by("pk").values_list("reason", "days_left", "week_start")
    )
    assert stored[:-1] == [(f"说明{n}", -n, datetime.date(2026, 11, 16)) for n in range(len(states) - 1)]
    assert stored[-1] != (f"说明{len(states) - 1}", -(len(states) - 1), datetime.date(2026, 11, 16))  # not given


def test_rows_update_takes_decimals_nulls_and_foreign_keys(work, org):
    indicator = work.indicator
    indicator.week_value, indicator.week_previous = Decimal("12.50"), None
    state = ItemState.objects.get(item=work.teaching)
    state.lead_unit_id = org.hr.pk
    bulk.rows_update(Indicator, [indicator], ["week_value", "week_previous"])
    bulk.rows_update(ItemState, [state], ["lead_unit_id"])
    indicator.refresh_from_db()
    assert (indicator.week_value, indicator.week_previous) == (Decimal("12.50"), None)
    assert ItemState.objects.get(item=work.teaching).lead_unit_id == org.hr.pk


def test_rows_update_of_nothing_writes_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk.rows_update(ItemState, [], ["reason"])

"""Report slots from a cadence, and reverse scheduling (倒排工期)."""

import datetime

from duban.supervision.models import Cadence
from duban.supervision.schedule import Slot, reverse_schedule, slot_for, slots_between

D = datetime.date


def test_weekly_slots_run_monday_to_sunday_due_on_the_cadence_day():
    assert slot_for(Cadence.WEEKLY, 5, D(2026, 9, 1), D(2026, 11, 22)) == Slot(
        D(2026, 11, 16), D(2026, 11, 22), D(2026, 11, 20)
    )
    assert slot_for(Cadence.WEEKLY, 9, D(2026, 9, 1), D(2026, 11, 22)).due_date == D(2026, 11, 22)  # clamped to Sunday


def test_monthly_slots_clamp_the_day_to_the_month():
    assert slot_for(Cadence.MONTHLY, 25, D(2026, 1, 1), D(2026, 2, 3)) == Slot(
        D(2026, 2, 1), D(2026, 2, 28), D(2026, 2, 25)
    )
    assert slot_for(Cadence.MONTHLY, 31, D(2026, 1, 1), D(2026, 2, 3)).due_date == D(2026, 2, 28)


def test_custom_interval_counts_from_the_start():
    assert slot_for(Cadence.CUSTOM, 10, D(2026, 1, 1), D(2026, 1, 15)) == Slot(
        D(2026, 1, 11), D(2026, 1, 20), D(2026, 1, 20)
    )


def test_no_slot_before_start_or_without_cadence():
    assert slot_for(Cadence.WEEKLY, 5, D(2026, 9, 1), D(2026, 8, 31)) is None
    assert slot_for(Cadence.NONE, 5, D(2026, 9, 1), D(2026, 9, 30)) is None


def test_slots_between_lists_each_period_once():
    slots = list(slots_between(Cadence.WEEKLY, 5, D(2026, 9, 2), D(2026, 9, 2), D(2026, 9, 30)))
    assert [s.period_start for s in slots] == [
        D(2026, 8, 31),
        D(2026, 9, 7),
        D(2026, 9, 14),
        D(2026, 9, 21),
        D(2026, 9, 28),
    ]


def test_reverse_schedule_by_week_and_by_day():
    assert reverse_schedule(D(2026, 12, 31), ["方案", "施工", "验收"]) == [
        ("方案", D(2026, 12, 17)),
        ("施工", D(2026, 12, 24)),
        ("验收", D(2026, 12, 31)),
    ]
    assert reverse_schedule(D(2026, 12, 31), ["a", "b"], every="day") == [
        ("a", D(2026, 12, 30)),
        ("b", D(2026, 12, 31)),
    ]
    # Nothing is placed before the item starts.
    assert reverse_schedule(D(2026, 12, 31), ["a", "b", "c"], start=D(2026, 12, 20))[0][1] == D(2026, 12, 20)


def test_custom_interval_is_capped_at_the_longest_period():
    """No report period is longer than MAX_INTERVAL_DAYS, whatever reached the database
    (the weekly summary bounds its scans by it)."""
    from duban.supervision.schedule import MAX_INTERVAL_DAYS

    start = datetime.date(2026, 1, 1)
    slot = slot_for("custom", 1000, start, datetime.date(2026, 6, 1))
    assert (slot.period_end - slot.period_start).days + 1 == MAX_INTERVAL_DAYS

"""`make bench` must keep working as the models change: build a tiny city with the bench's
generator and load every measured page through the full stack (no timing is asserted)."""

import pytest

from bench.generate import build, load_city
from bench.pages import measure, pages
from bench.tiers import Tier
from duban.leave.defaults import install_defaults
from duban.leave.models import AbsenceType, ChainRule, ChainStep
from duban.rectification.models import Finding, Measure
from duban.supervision.models import Item, ItemState, ProgressReport
from duban.supervision.state import states_refresh

TINY = Tier("T", units=9, people=40, items=24, findings=3, meetings=3, voters=6, subjects=4, leave_requests=12)


@pytest.fixture
def city(db):
    install_defaults(AbsenceType, ChainRule, ChainStep)  # a flushed test database lost the migration's rows
    city = build(TINY)
    states_refresh(Item.objects.all(), city.today)
    return city


def test_generator_makes_a_consistent_city(city):
    assert Item.objects.filter(plan_id=city.plan).count() == TINY.items
    assert Finding.objects.filter(plan_id=city.rect_plan).count() == TINY.findings
    # Every measure is an item of the rectification plan; every item has its cached state.
    assert Measure.objects.filter(item__plan_id=city.rect_plan).count() == city.counts["rect_measures"]
    assert ItemState.objects.count() == Item.objects.count()
    assert ProgressReport.objects.count() == city.counts["reports"]
    # Children follow their project in the ledger and share its plan.
    for child in Item.objects.filter(parent__isnull=False).select_related("parent"):
        assert child.parent.plan_id == child.plan_id


def test_every_measured_page_loads(city, settings):
    settings.ROOT_URLCONF = "duban.urls"  # the smoke test skips the admin yardstick
    figures = measure(city, runs=1, compare=False)
    assert set(figures) == {f"page_{name}_{k}" for name in pages(city) for k in ("median_ms", "p95_ms", "queries")}
    assert all(figures[f"page_{name}_queries"] > 0 for name in pages(city))


def test_the_city_can_be_found_again(city):
    found = load_city()
    assert (found.plan, found.rect_plan, found.session) == (city.plan, city.rect_plan, city.session)


def test_every_page_loads_one_at_a_time_for_the_paired_timing(city, settings):
    from bench.pages import page_loader

    settings.ROOT_URLCONF = "duban.urls"
    load = page_loader(city)
    assert all(load(name) > 0 for name in pages(city))


def test_paired_timing_takes_the_tiers_in_turn():
    """Every page at every tier in turn, the warm-up rounds left out: a machine slowing down
    half-way weighs on S and L alike."""
    from bench.run import paired

    calls = []

    class Fake:
        def __init__(self, tier, ms):
            self.tier, self.ms = tier, ms

        def load(self, name):
            calls.append((self.tier, name))
            return self.ms * (10 if len(calls) > 12 else 1)  # the machine slows down half-way

    figures = paired({"S": Fake("S", 2.0), "L": Fake("L", 3.0)}, ["a", "b"], rounds=3, warm=1)
    assert calls[:4] == [("S", "a"), ("L", "a"), ("S", "a"), ("L", "a")]
    assert len(calls) == 2 * 2 * 4
    assert figures["L"]["page_b_paired_ms"] / figures["S"]["page_b_paired_ms"] == 1.5
    assert figures["S"]["page_a_paired_ms"] == 2.0 and set(figures["S"]) == {"page_a_paired_ms", "page_b_paired_ms"}

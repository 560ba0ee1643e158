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

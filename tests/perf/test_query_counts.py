"""Recorded query counts of every list and dashboard page (issue 8's guard).

Each page is loaded twice by its usual persona on one institution holding a supervision plan, a
rectification plan, a review session, a meeting and some leave; the second (steady) load's query
count must equal the number recorded in query_counts.json for this database vendor. A change in
the count fails and prints every SQL statement of the load, so a new N+1 or a forgotten
select_related shows itself in review. After a deliberate change, record again:

    DUBAN_RECORD_QUERIES=1 .venv/bin/pytest -n 0 tests/perf/test_query_counts.py

and again with DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a fresh database> for PostgreSQL.

Timing is never asserted here; the benchmarks under bench/ measure time.
"""

import datetime
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from duban.leave.models import AbsenceType
from duban.leave.services.requests import submit
from tests.assessment.conftest import review  # noqa: F401
from tests.leave.conftest import away  # noqa: F401
from tests.meetings.conftest import meeting  # noqa: F401
from tests.rectification.conftest import rect  # noqa: F401
from tests.supervision.conftest import work  # noqa: F401

RECORD = Path(__file__).with_name("query_counts.json")
NOW = datetime.datetime(2026, 11, 2, 2, 0, tzinfo=datetime.UTC)  # Monday 10:00 in Beijing

# name → (persona, URL name, function of the data giving the URL's args)
PAGES = {
    "home_office": ("office", "workbench:home", None),
    "home_head": ("head", "workbench:home", None),
    "home_leader": ("leader", "workbench:home", None),
    "inbox": ("head", "notify:inbox", None),
    "people": ("office", "org:people", None),
    "unit_tree": ("office", "org:unit_tree", None),
    "plan_list": ("office", "supervision:plan_list", None),
    "plan_ledger": ("office", "supervision:plan_detail", lambda d: [d.work.plan.pk]),
    "plan_dashboard": ("office", "supervision:plan_dashboard", lambda d: [d.work.plan.pk]),
    "league_table": ("office", "supervision:league_table", lambda d: [d.work.plan.pk]),
    "league_all": ("office", "supervision:league_all", None),
    "battle_map_data": ("office", "supervision:battle_map_data", lambda d: [d.work.plan.pk]),
    "weekly_summary": ("office", "supervision:weekly_summary", lambda d: [d.work.plan.pk]),
    "item_detail": ("office", "supervision:item_detail", lambda d: [d.work.plan.items.order_by("pk")[0].pk]),
    "review_queue": ("office", "supervision:review_queue", None),
    "my_reports": ("liaison", "supervision:my_reports", None),
    "notice_list": ("office", "supervision:notice_list", None),
    "leader_view": ("leader", "supervision:leader_view", None),
    "rect_plan_list": ("office", "rectification:plan_list", None),
    "rect_ledger": ("office", "rectification:ledger", lambda d: [d.rect.plan.pk]),
    "rect_stats": ("office", "rectification:stats", None),
    "closure_queue": ("office", "rectification:closure_queue", None),
    "recheck_queue": ("taskforce", "rectification:recheck_queue", None),
    "disclosure_index": ("staff", "rectification:disclosure_index", None),
    "session_list": ("office", "assessment:session_list", None),
    "session_detail": ("office", "assessment:session_detail", lambda d: [d.review.session.pk]),
    "period_list": ("office", "assessment:period_list", None),
    "example_list": ("office", "assessment:example_list", None),
    "meeting_list": ("office", "meetings:meeting_list", None),
    "meeting_detail": ("office", "meetings:meeting_detail", lambda d: [d.meeting.meeting.pk]),
    "meeting_attendance": ("office", "meetings:attendance", lambda d: [d.meeting.meeting.pk]),
    "meeting_agenda": ("office", "meetings:agenda", lambda d: [d.meeting.meeting.pk]),
    "attendance_stats": ("office", "meetings:stats", None),
    "my_leave": ("deputy", "leave:my_requests", None),
    "leave_tasks": ("head", "leave:task_list", None),
    "away_calendar": ("head", "leave:calendar", None),
    "leave_balances": ("hr_clerk", "leave:balances", None),
}


class Data:
    pass


@pytest.fixture
def city(work, rect, review, meeting, away, people):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        travel = AbsenceType.objects.get(code="travel")
        submit(away.deputy, travel, datetime.date(2026, 11, 4), datetime.date(2026, 11, 6), "参加教学研讨会", "武汉")
    d = Data()
    d.work, d.rect, d.review, d.meeting, d.away, d.people = work, rect, review, meeting, away, people
    return d


def persona(d, name):
    return getattr(d.people, name, None) or getattr(d.away, name)


def recorded() -> dict:
    return json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_recorded_query_count(name, city, client_for):
    who, url_name, args = PAGES[name]
    client = client_for(persona(city, who))
    url = reverse(url_name, args=args(city) if args else None)
    with time_machine.travel(NOW, tick=False):
        first = client.get(url)
        assert first.status_code == 200, f"{name}: {first.status_code}"
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
    count, vendor = len(queries), connection.vendor
    if os.environ.get("DUBAN_RECORD_QUERIES"):
        counts = recorded()
        counts.setdefault(name, {})[vendor] = count
        RECORD.write_text(json.dumps(counts, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    expected = recorded().get(name, {}).get(vendor)
    sql = "\n".join(f"{i + 1:3d}. {q['sql']}" for i, q in enumerate(queries.captured_queries))
    assert expected is not None, f"{name}: no recorded query count for {vendor} ({count} now)\n{sql}"
    assert count == expected, f"{name}: {count} queries on {vendor}, recorded {expected}\n{sql}"


def test_every_recorded_page_still_exists():
    assert set(recorded()) == set(PAGES)

"""Time the main pages through the full Django stack (middleware, session, templates), count
their queries, and compare each with its floor (bench.floor) and its admin changelist
(bench.admin)."""

import functools
import statistics
import time

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import floor
from bench.generate import City
from duban.org.models import Person
from duban.supervision.models import Item


def pages(city: City) -> dict:
    """name → (persona, url, floor function name, admin url)."""
    plan, rect, session = city.plan, city.rect_plan, city.session
    item = Item.objects.filter(plan_id=plan, parent__isnull=True, completed_on__isnull=True).order_by("pk").first()
    items = f"/bench-admin/supervision/item/?plan__id__exact={plan}"
    # Page 100 of the ledger (50 rows a page); the smaller tiers have fewer pages: their last.
    deep = min(100, -(-Item.objects.filter(plan_id=plan).count() // 50))
    return {
        "home_office": ("office", reverse("workbench:home"), "home", "/bench-admin/notify/message/"),
        "home_head": ("head", reverse("workbench:home"), "home", "/bench-admin/notify/message/"),
        "plan_dashboard": ("office", reverse("supervision:plan_dashboard", args=[plan]), "dashboard", items),
        "ledger_page_1": ("office", reverse("supervision:plan_detail", args=[plan]), "ledger_1", items),
        "ledger_page_100": (
            "office",
            reverse("supervision:plan_detail", args=[plan]) + f"?page={deep}",
            "ledger_100",
            items + f"&p={deep}",
        ),
        "item_detail": (
            "office",
            reverse("supervision:item_detail", args=[item.pk]),
            "item_detail",
            f"/bench-admin/supervision/progressreport/?item__id__exact={item.pk}",
        ),
        "battle_map_data": ("office", reverse("supervision:battle_map_data", args=[plan]), "battle_map", items),
        "weekly_summary": ("office", reverse("supervision:weekly_summary", args=[plan]), "weekly", items),
        "league_table": ("office", reverse("supervision:league_table", args=[plan]), "league", items),
        "rect_ledger": (
            "office",
            reverse("rectification:ledger", args=[rect]),
            "rect_ledger",
            f"/bench-admin/rectification/finding/?plan__id__exact={rect}",
        ),
        "disclosure_page": (
            "staff",
            reverse("rectification:disclosure_page", args=[rect]),
            "disclosure",
            f"/bench-admin/rectification/finding/?plan__id__exact={rect}",
        ),
        "assessment_result": (
            "office",
            reverse("assessment:result", args=[session]),
            "result",
            f"/bench-admin/assessment/subject/?session__id__exact={session}",
        ),
    }


def _time(fn, runs: int, budget_s: float = 8.0) -> list[float]:
    """`runs` timings, or fewer (at least 3) when a slow page would blow the bench's 15 minutes."""
    samples = []
    began = time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        if len(samples) >= 3 and time.perf_counter() - began > budget_s:
            break
    return samples


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _clients(city: City) -> dict[str, Client]:
    clients = {}
    for persona in {"office", "head", "staff"}:
        clients[persona] = Client()
        clients[persona].force_login(Person.objects.get(username=city.personas[persona]))
    return clients


def _fetch(client: Client, url: str, name: str):
    """One load of a page; anything but 200 stops the measurement."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{name}: {url} answered {response.status_code}")
    return response


def page_loader(city: City):
    """load(name) -> milliseconds: one load of the page through the full stack, for the tiers'
    paired timing (bench/run.py asks each tier's process in turn for the same page)."""
    clients, urls = _clients(city), pages(city)

    def load(name: str) -> float:
        persona, url, *_ = urls[name]
        start = time.perf_counter()
        _fetch(clients[persona], url, name)
        return (time.perf_counter() - start) * 1000

    return load


def measure(city: City, runs: int = 15, only: set | None = None, compare: bool = True) -> dict[str, float]:
    """Figures of every page; `compare=False` skips the floor and the admin changelist (the
    smoke test, whose in-memory database a second driver cannot open)."""
    clients = _clients(city)
    admin = Client()
    superuser = Person.objects.get(username=city.personas["office"])
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    admin.force_login(superuser)
    raw = floor.connect() if compare else None
    figures = {}
    try:
        for name, (persona, url, floor_name, admin_url) in pages(city).items():
            if only and name not in only:
                continue
            get = functools.partial(_fetch, clients[persona], url, name)

            get()
            get()
            with CaptureQueriesContext(connection) as queries:
                get()
            count = len(queries)
            reset_queries()
            median, p95 = _stats(_time(get, runs))
            figures[f"page_{name}_median_ms"] = round(median, 2)
            figures[f"page_{name}_p95_ms"] = round(p95, 2)
            figures[f"page_{name}_queries"] = count
            if not compare:
                continue

            floor_fn = getattr(floor, floor_name)

            def load_floor(fn=floor_fn):
                return fn(raw, city)

            load_floor()
            floor_median, _ = _stats(_time(load_floor, runs))

            def load_admin(url=admin_url):
                response = admin.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"admin {url} answered {response.status_code}")

            load_admin()
            admin_median, _ = _stats(_time(load_admin, runs))
            figures[f"page_{name}_floor_ms"] = round(floor_median, 3)
            figures[f"page_{name}_ratio_to_floor"] = round(median / max(floor_median, 0.001), 2)
            figures[f"page_{name}_admin_ms"] = round(admin_median, 2)
            figures[f"page_{name}_ratio_to_admin"] = round(median / admin_median, 2)
    finally:
        if raw is not None:
            raw.close()
        superuser.is_superuser = False
        superuser.save(update_fields=["is_superuser"])
    return figures

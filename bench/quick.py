"""Measure some pages on a database kept from an earlier run (for working on one page):

    BENCH_KEEP=1 .venv/bin/python -m bench.run --tiers L --no-burst     # keeps var/bench/tier-L/db.sqlite3
    cp var/bench/tier-L/db.sqlite3 /tmp/mine/db.sqlite3
    DATABASE_URL=sqlite:////tmp/mine/db.sqlite3 DUBAN_VAR_DIR=/tmp/mine DJANGO_SETTINGS_MODULE=bench.settings \
        .venv/bin/python -m bench.quick ledger_page_1 league_table [--runs 10] [--profile [--sort tottime]]

Prints the figures of the named pages (all pages if none named); --profile prints the top of
a cProfile of one load of each page and its SQL with timings; --explain re-runs each of a
page's SELECTs that takes a millisecond or more (best of three) and prints its query plan.
"""

import argparse
import cProfile
import pstats
import sys
import time


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import pages
    from bench.generate import load_city

    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    city = load_city()
    chosen = set(args.names) or None
    if args.explain or args.profile:
        for name, url, client in _warmed(pages.pages(city), chosen):
            with CaptureQueriesContext(connection) as queries:
                total, profile = _load(client, url, profiled=args.profile)
            print(f"== {name} {url}: {total:.1f} ms, {len(queries)} queries")
            if args.explain:
                _explain(connection, [q["sql"] for q in queries.captured_queries])
            else:
                for q in queries.captured_queries:
                    print(f"  {q['time']}s  {q['sql'][:300]}")
                pstats.Stats(profile, stream=sys.stdout).sort_stats(args.sort).print_stats(40)
        return
    for name, value in pages.measure(city, runs=args.runs, only=chosen).items():
        print(f"{name}: {value}")


def _warmed(all_pages: dict, chosen):
    """(name, url, a client signed in as the page's persona that has loaded it once) for each
    chosen page."""
    from django.test import Client

    from duban.org.models import Person

    for name, (persona, url, _floor, _admin) in all_pages.items():
        if chosen and name not in chosen:
            continue
        client = Client()
        client.force_login(Person.objects.get(username=persona))
        client.get(url)
        yield name, url, client


def _load(client, url: str, *, profiled: bool):
    """Load the page once more: (milliseconds, its cProfile or None)."""
    profile = cProfile.Profile() if profiled else None
    start = time.perf_counter()
    if profile:
        profile.enable()
    client.get(url)
    if profile:
        profile.disable()
    return (time.perf_counter() - start) * 1000, profile


def _explain(connection, statements: list[str]) -> None:
    """Each slow SELECT again (its SQL as captured, values inlined), best of three, with its plan."""
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.startswith("SELECT") or "django_session" in sql:
                continue
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                cursor.execute(sql)
                rows = cursor.fetchall()
                best = min(best, time.perf_counter() - start)
            if best < 0.001:
                continue
            print(f"-- {best * 1000:.1f} ms, {len(rows)} rows\n{sql}")
            cursor.execute(prefix + sql)
            for row in cursor.fetchall():
                print("    ", row)


if __name__ == "__main__":
    main()

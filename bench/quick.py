"""Measure some pages on a database kept from an earlier run (for working on one page):

    BENCH_KEEP=1 .venv/bin/python -m bench.run --tiers L --no-burst     # keeps var/bench/tier-L/db.sqlite3
    cp var/bench/tier-L/db.sqlite3 /tmp/mine/db.sqlite3
    DATABASE_URL=sqlite:////tmp/mine/db.sqlite3 DUBAN_VAR_DIR=/tmp/mine DJANGO_SETTINGS_MODULE=bench.settings \
        .venv/bin/python -m bench.quick ledger_page_1 league_table [--runs 10] [--profile [--sort tottime]]

Prints the figures of the named pages (all pages if none named); --profile prints the top of
a cProfile of one load of each page and its SQL with timings.
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
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench import pages
    from bench.generate import load_city
    from duban.org.models import Person

    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="*")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime")
    args = parser.parse_args()
    city = load_city()
    chosen = set(args.names) or None
    if args.profile:
        for name, (persona, url, _floor, _admin) in pages.pages(city).items():
            if chosen and name not in chosen:
                continue
            client = Client()
            client.force_login(Person.objects.get(username=persona))
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                profile = cProfile.Profile()
                start = time.perf_counter()
                profile.enable()
                client.get(url)
                profile.disable()
                total = (time.perf_counter() - start) * 1000
            print(f"== {name} {url}: {total:.1f} ms, {len(queries)} queries")
            for q in queries.captured_queries:
                print(f"  {q['time']}s  {q['sql'][:300]}")
            pstats.Stats(profile, stream=sys.stdout).sort_stats(args.sort).print_stats(40)
        return
    for name, value in pages.measure(city, runs=args.runs, only=chosen).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()

"""One tier of `make bench`, in its own process and database (bench/run.py starts it):

    DATABASE_URL=... DJANGO_SETTINGS_MODULE=bench.settings python -m bench.tier L out.json

migrate, generate the city, compute item states, time the reminder sweep, time the pages,
and (at tier L) the Excel export and import. Writes its figures as JSON to out.json. With
--serve it then stays up and loads pages on request, so that run.py can time the same page at
every tier in turn (the "paired" timing of the L ÷ S ratio).
"""

import json
import os
import resource
import sys
import time


def main(tier_name: str, out: str, serve: bool = False) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import pages
    from bench.generate import build
    from bench.tiers import TIERS
    from duban.supervision.models import Item
    from duban.supervision.reminders import sweep
    from duban.supervision.state import states_refresh

    tier = TIERS[tier_name]
    figures: dict[str, float] = {}

    def timed(name, fn):
        start = time.perf_counter()
        value = fn()
        figures[name] = round(time.perf_counter() - start, 2)
        print(f"  [{tier_name}] {name}: {figures[name]}", file=sys.stderr, flush=True)
        return value

    timed("migrate_seconds", lambda: call_command("migrate", verbosity=0))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal", f"SQLite is not in WAL mode ({mode})"
    city = timed("generate_seconds", lambda: build(tier))
    timed("states_seconds", lambda: states_refresh(Item.objects.all(), city.today))
    if connection.vendor == "sqlite":
        timed("analyze_seconds", lambda: connection.cursor().execute("ANALYZE"))
    else:
        timed("analyze_seconds", lambda: connection.cursor().execute("VACUUM ANALYZE"))
    first = timed("sweep_first_seconds", lambda: sweep(city.today))
    timed("sweep_again_seconds", lambda: sweep(city.today))
    figures["sweep_items"] = first.items
    figures.update({f"rows_{k}": v for k, v in city.counts.items()})
    # The pages are measured serving, not beside the write-back of the gigabyte just written:
    # the WAL folded into the database and the dirty pages on disk first.
    timed("settle_seconds", lambda: _settle(connection))
    print(f"  [{tier_name}] pages…", file=sys.stderr, flush=True)
    figures["cpu_probe_before_pages_ms"] = cpu_probe_ms()
    figures.update(pages.measure(city))
    figures["cpu_probe_after_pages_ms"] = cpu_probe_ms()
    if tier_name == "L" and os.environ.get("BENCH_EXCEL", "1") == "1":
        try:
            from bench import excel
        except ImportError:
            excel = None
        if excel is not None:
            figures.update(excel.measure([city.plan]))
    figures["tier_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(figures, f, ensure_ascii=False, indent=1)
    if serve:
        _serve(pages.page_loader(city))


def cpu_probe_ms() -> float:
    """The same pure-Python work timed (best of five): how fast the machine is right now. Shared
    machines change speed during a run; a page slower at L than at S means little if the probe
    slowed down as much."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i % 7
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 2)


def _settle(connection) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.sync()


def _serve(load) -> None:
    """Answer bench/run.py's paired timing: read a page name a line, load it once, answer
    "BENCH <milliseconds>"; "quit" ends. (Other output on stdout is not prefixed.)"""
    print("BENCH ready", flush=True)
    for line in sys.stdin:
        name = line.strip()
        if name == "quit":
            break
        print(f"BENCH {load(name):.3f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], serve="--serve" in sys.argv[3:])

"""`make bench`: build tiers S, M and L in fresh databases, measure, check the targets of issue 8.

    .venv/bin/python -m bench.run [--tiers S,M,L] [--no-burst]

SQLite files under var/bench/ by default; BENCH_DATABASE_URL=postgres://user@host:port/anything
runs the same on PostgreSQL (a fresh database per tier, dropped afterwards). Prints one
`name: value` line per figure and writes them to var/bench/results-<vendor>.json, then the
targets with ✓ or ✗. Exit status 0 whether or not targets are met (it is a measurement);
`--strict` makes a missed target exit 1.

Each tier's process stays up after measuring its own figures; at the end every page is timed
at every tier in turn (`paired`), and the L ÷ S target divides those medians.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
PY = ROOT / ".venv" / "bin" / "python"

PAGES = [
    "home_office",
    "home_head",
    "plan_dashboard",
    "ledger_page_1",
    "ledger_page_100",
    "item_detail",
    "battle_map_data",
    "weekly_summary",
    "league_table",
    "rect_ledger",
    "disclosure_page",
    "assessment_result",
]


def _pg_database(base: str, name: str) -> tuple[str, callable]:
    parts = urllib.parse.urlsplit(base)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    import psycopg

    def run(sql):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    return url, lambda: run(f'DROP DATABASE IF EXISTS "{name}"')


class Tier:
    """One tier's process (bench.tier --serve): it builds and measures its city, then stays up
    to load pages on request until `close`, which also drops its database (unless BENCH_KEEP)."""

    def __init__(self, tier: str, pg: str | None):
        self.tier = tier
        self.var = OUT / f"tier-{tier}"
        shutil.rmtree(self.var, ignore_errors=True)
        self.var.mkdir(parents=True)
        self.pg = pg
        if pg:
            self.url, self.drop = _pg_database(pg, f"duban_bench_{tier.lower()}_{os.getpid()}")
        else:
            self.url, self.drop = f"sqlite:///{self.var / 'db.sqlite3'}", lambda: None
        self.env = dict(os.environ)
        self.env.update(
            {
                "DATABASE_URL": self.url,
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DUBAN_VAR_DIR": str(self.var),
                "DEBUG": "false",
                "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
                "PYTHONPATH": str(ROOT),
            }
        )
        self.env.pop("CI", None)
        self.process = None

    def start(self) -> dict:
        """Build and measure the tier; its figures once it is ready to serve pages."""
        out = self.var / "figures.json"
        subprocess.run([str(PY), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True)
        self.process = subprocess.Popen(
            [str(PY), "-m", "bench.tier", self.tier, str(out), "--serve"],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._answer()  # "ready"
        return json.loads(out.read_text(encoding="utf-8"))

    def _answer(self) -> str:
        for line in self.process.stdout:
            if line.startswith("BENCH "):
                return line[6:].strip()
            sys.stderr.write(line)
        raise RuntimeError(f"tier {self.tier} stopped (exit status {self.process.wait()})")

    def load(self, name: str) -> float:
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        return float(self._answer())

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
        if os.environ.get("BENCH_KEEP"):
            print(f"kept: {self.url}", file=sys.stderr)
        else:
            self.drop()
            if not self.pg:
                for f in self.var.glob("db.sqlite3*"):
                    f.unlink()


def paired(tiers: dict, names: list[str], rounds: int = 15, warm: int = 2) -> dict[str, dict[str, float]]:
    """Each page timed at every tier in turn (S, M, L, S, M, L, …), so that a machine slowing
    down or speeding up during the run weighs on every tier alike: the medians the L ÷ S
    ratio divides were measured in the same stretch of time. The first `warm` rounds are not
    counted."""
    samples = {tier: {name: [] for name in names} for tier in tiers}
    for name in names:
        for round_ in range(warm + rounds):
            for tier, process in tiers.items():
                elapsed = process.load(name)
                if round_ >= warm:
                    samples[tier][name].append(elapsed)
    return {
        tier: {f"page_{name}_paired_ms": round(statistics.median(values), 2) for name, values in by_name.items()}
        for tier, by_name in samples.items()
    }


def targets(results: dict, vendor: str) -> list[tuple[str, bool, str]]:
    checks = []
    s, l_ = results.get("S", {}), results.get("L", {})
    for page in PAGES:
        counts = {t: results[t].get(f"page_{page}_queries") for t in results if t in "SML"}
        checks.append((f"{page}: same query count at every tier", len(set(counts.values())) == 1, str(counts)))
        if s and l_:
            # The paired medians (every tier in turn), else the tiers' own.
            key = f"page_{page}_paired_ms" if f"page_{page}_paired_ms" in l_ else f"page_{page}_median_ms"
            ratio = l_[key] / s[key]
            checks.append((f"{page}: time L ÷ S ≤ 1.5", ratio <= 1.5, f"{ratio:.2f}"))
        if l_ and vendor == "sqlite":
            median = l_[f"page_{page}_median_ms"]
            checks.append((f"{page}: median ≤ 50 ms at L", median <= 50, f"{median} ms"))
    if l_:
        for page in ("ledger_page_1", "ledger_page_100"):
            admin = l_[f"page_{page}_ratio_to_admin"]
            floor = l_[f"page_{page}_ratio_to_floor"]
            checks.append((f"{page}: ≤ 0.3 × admin changelist at L", admin <= 0.3, f"{admin}"))
            checks.append((f"{page}: ≤ 30 × floor at L", floor <= 30, f"{floor}"))
        checks.append(("reminder sweep at L ≤ 30 s", l_["sweep_first_seconds"] <= 30, f"{l_['sweep_first_seconds']} s"))
        for name, limit in (("excel_export_30000_seconds", 5), ("excel_import_5000_seconds", 5)):
            if name in l_:
                checks.append((f"{name} ≤ {limit} s", l_[name] <= limit, f"{l_[name]} s"))
    burst = results.get("burst")
    if burst:
        ok = (
            burst["ballot_burst_errors"] == 0
            and burst["ballot_burst_lost"] == 0
            and burst["ballot_burst_duplicated"] == 0
        )
        checks.append(("ballot burst: 0 errors, 0 lost, 0 duplicated", ok, ""))
        p95 = burst["ballot_burst_p95_ms"]
        checks.append(("ballot burst p95 ≤ 300 ms", p95 <= 300, f"{p95} ms"))
    return checks


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tiers", default="S,M,L")
    parser.add_argument("--no-burst", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    pg = os.environ.get("BENCH_DATABASE_URL")
    vendor = "postgresql" if pg else "sqlite"
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results, tiers = {}, {}
    try:
        for tier in args.tiers.split(","):
            print(f"tier {tier}…", file=sys.stderr, flush=True)
            tiers[tier] = Tier(tier, pg)
            results[tier] = tiers[tier].start()
        print("pages, every tier in turn…", file=sys.stderr, flush=True)
        for tier, figures in paired(tiers, PAGES).items():
            results[tier].update(figures)
    finally:
        for process in tiers.values():
            process.close()
    if not args.no_burst:
        print("ballot burst…", file=sys.stderr, flush=True)
        sys.path.insert(0, str(ROOT))
        from bench import ballot_burst

        results["burst"] = ballot_burst.measure(ballots=1000, clients=50, subjects=60)
    results["machine"] = {
        "vendor": vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    for section, figures in results.items():
        for name, value in figures.items():
            print(f"{section}.{name}: {value}")
    checks = targets(results, vendor)
    results["targets"] = [{"target": t, "met": ok, "value": v} for t, ok, v in checks]
    (OUT / f"results-{vendor}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    missed = [c for c in checks if not c[1]]
    for target, ok, value in checks:
        print(f"{'✓' if ok else '✗'} {target}: {value}")
    print(f"targets met: {len(checks) - len(missed)}/{len(checks)}; total {results['machine']['total_seconds']} s")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Ballot burst: N ballots from C concurrent clients against the production server.

    .venv/bin/python bench/ballot_burst.py [--ballots 1000] [--clients 50] [--subjects 60]

Builds a fresh database (SQLite in a temporary folder, or a new database on the server of
BENCH_DATABASE_URL, dropped afterwards), opens a review session with one code per ballot and
starts the server with bin/serve, exactly as `make run` does (gunicorn with its options and
WEB_WORKERS / WEB_THREADS, and the huey worker beside it). Once every worker answers, the
clients post complete, valid ballots to /v/<code>/ (the form a phone submits after its
confirmation step). One in twenty codes is posted a second time and must be refused.
Afterwards it closes the session and checks that every acknowledged ballot is counted once
and none more.

Prints `name: value` lines and writes var/bench/ballot_burst.json. `measure()` returns the
same figures to `make bench` (bench/run.py). The latency of a ballot is the client's: from
sending the POST to the end of the answer, queueing in the server included.
"""

import argparse
import http.client
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
ACCEPTED = "投票成功"
REFUSED_AGAIN = "已经使用过"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django_env(database_url: str, var: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "duban.settings",
            "DUBAN_VAR_DIR": str(var),
            "DEBUG": "false",
            "SECRET_KEY": env.get("SECRET_KEY", "bench-" + "x" * 50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    env.pop("HUEY_IMMEDIATE", None)
    return env


def fresh_database(work: Path) -> tuple[str, callable]:
    """A SQLite file in `work`, or a new PostgreSQL database beside BENCH_DATABASE_URL's."""
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{work / 'bench.sqlite3'}", lambda: None
    import psycopg

    parts = urllib.parse.urlsplit(base)
    name = f"duban_bench_burst_{os.getpid()}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))

    def run(sql):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), lambda: run(f'DROP DATABASE IF EXISTS "{name}"')


SETUP = r"""
import json, sys
from decimal import Decimal
from duban.org.models import Person, Role, RoleGrant, Unit, UnitKind
from duban.assessment.models import ReviewSession, Subject, VoterGroup
from duban.assessment.services import sessions as svc
from duban.assessment.services.codes import codes_generate

ballots, subjects = int(sys.argv[1]), int(sys.argv[2])
school = Unit.objects.create(name="压测学院", kind=UnitKind.INSTITUTION)
party = Unit.objects.create(name="机关党委", kind=UnitKind.PARTY_COMMITTEE, parent=school)
office = Person.objects.create_user(username="office", password="x", name="督查办", unit=school)
RoleGrant.objects.create(person=office, role=Role.OFFICE)
session = svc.session_create(acting_user=office, session=ReviewSession(
    title="压测述职评议", year=2026, organiser=party, top_quota_percent=30))
ids = [svc.part_save(acting_user=office, obj=Subject(session=session, order=i, name=f"被测评人{i}")).pk
       for i in range(1, subjects + 1)]
group = svc.part_save(acting_user=office, obj=VoterGroup(session=session, name="代表", ballots=ballots))
svc.session_open(acting_user=office, session=session)
codes = []
while len(codes) < ballots:
    codes += codes_generate(acting_user=office, group=group, count=min(2000, ballots - len(codes)))
print(json.dumps({"session": session.pk, "subjects": ids, "codes": codes}))
"""

CHECK = r"""
import json
from duban.assessment.models import Ballot, BallotCode, PendingBallot, ReviewSession
from duban.assessment.services.sessions import session_close
from duban.org.models import Person
session = ReviewSession.objects.get()
before = {"pending": PendingBallot.objects.count(), "codes_used": BallotCode.objects.filter(used=True).count()}
session = session_close(acting_user=Person.objects.get(username="office"), session=session)
print(json.dumps({**before, "ballots": Ballot.objects.count(), "counted": session.result["ballots"]["valid"]}))
"""


def manage_python(code: str, env: dict, *args) -> dict:
    out = subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-c", f"import sys; sys.argv=['x', *{list(args)!r}]\n" + code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def post(base: str, path: str, body: bytes) -> tuple[float, int, str]:
    """POST an encoded form on a new connection (each client stands for phones that each open
    their own), through http.client: the load generator shares the server's two cores, so it
    encodes every form before the burst and keeps its own work per ballot small."""
    parts = urllib.parse.urlsplit(base)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        status, text = response.status, response.read().decode()
    except (OSError, http.client.HTTPException) as error:  # refused, reset, or a broken answer
        status, text = 0, str(error)
    finally:
        connection.close()
    return time.perf_counter() - started, status, text


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- The server's processes ------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    tree = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def gunicorn_workers(serve_pid: int) -> list[int]:
    """The worker processes of the gunicorn that bin/serve started (children of its master)."""
    tree = _children()
    masters = [p for p in tree.get(serve_pid, []) if "gunicorn" in _cmdline(p)]
    return [w for m in masters for w in tree.get(m, [])]


def _status(pid: int, field: str) -> int:
    """A kB figure from /proc/<pid>/status (VmHWM: the peak resident set)."""
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def _own_cpu_seconds() -> float:
    """CPU time of this process (the clients): it runs on the same cores as the server."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    """bin/serve, in a process group of its own so that stopping it stops gunicorn and huey."""
    return subprocess.Popen(
        [str(ROOT / "bin" / "serve")],
        cwd=ROOT,
        env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=40)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def wait_until_ready(server: subprocess.Popen, base: str, workers: int, seconds: float = 120) -> list[int]:
    """Wait until every gunicorn worker has booted and the server answers, then warm it with
    a round of start-page requests (the voters' phones open the ballot page before posting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("服务器未能启动")
        pids = gunicorn_workers(server.pid)
        if len(pids) >= workers and get(base + "/v/") == 200:
            with ThreadPoolExecutor(workers * 4) as pool:
                list(pool.map(get, [base + "/v/"] * workers * 8))
            return gunicorn_workers(server.pid)
        time.sleep(0.3)
    raise SystemExit("服务器未能启动")


# --- The burst ---------------------------------------------------------------------------------


def run(ballots: int = 1000, clients: int = 50, subjects: int = 60) -> dict:
    """All figures of one burst, with details (the CLI prints them all)."""
    work = Path(tempfile.mkdtemp(prefix="duban-burst-"))
    database_url, drop = fresh_database(work)
    env = django_env(database_url, work / "var")
    workers = int(os.environ.get("WEB_WORKERS", "3"))
    server = None
    try:
        for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):  # as `make run` does
            subprocess.run([str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True)
        setup = manage_python(SETUP, env, str(ballots), str(subjects))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(env, port, work / "server.log")
        pids = wait_until_ready(server, base, workers)
        rng = random.Random(1)
        top = subjects * 30 // 100

        def ballot_form():
            marks = {f"m_{sid}": str(rng.choice([2, 3, 4])) for sid in setup["subjects"]}
            for sid in rng.sample(setup["subjects"], rng.randint(0, top)):
                marks[f"m_{sid}"] = "1"
            return {**marks, "confirm": "1"}

        def encoded(code):
            return code, urllib.parse.urlencode(ballot_form()).encode()

        jobs = [encoded(code) for code in setup["codes"]]
        replays = [encoded(code) for code in setup["codes"][::20]]

        def submit(job):
            code, body = job
            return code, *post(base, f"/v/{code}/", body)

        cpu_before, client_before = _cpu_seconds(pids), _own_cpu_seconds()
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(submit, jobs))
        elapsed = time.perf_counter() - started
        server_cpu = _cpu_seconds(pids) - cpu_before
        client_cpu = _own_cpu_seconds() - client_before
        with ThreadPoolExecutor(clients) as pool:
            replayed = list(pool.map(submit, replays))
        peak_rss_kb = max((_status(pid, "VmHWM") for pid in gunicorn_workers(server.pid)), default=0)
        stop_server(server)
        server = None

        accepted = [r for r in results if r[2] == 200 and ACCEPTED in r[3]]
        errors = [r for r in results if r not in accepted]
        replay_accepted = [r for r in replayed if r[2] == 200 and ACCEPTED in r[3]]
        replay_refused = [r for r in replayed if REFUSED_AGAIN in r[3]]
        check = manage_python(CHECK, env)
    finally:
        if server is not None:
            stop_server(server)
        if os.environ.get("BENCH_KEEP"):
            print(f"kept: {work} {database_url}", file=sys.stderr)
        else:
            drop()
            shutil.rmtree(work, ignore_errors=True)
    latencies = [r[1] for r in results]
    figures = {
        "ballot_burst_ballots_per_s": round(len(accepted) / elapsed, 1),
        "ballot_burst_p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "ballot_burst_median_ms": round(statistics.median(latencies) * 1000, 1),
        "ballot_burst_max_ms": round(max(latencies) * 1000, 1),
        "ballot_burst_errors": len(errors),
        "ballot_burst_lost": max(len(accepted) - check["counted"], 0),
        "ballot_burst_duplicated": len(replay_accepted) + max(check["counted"] - len(accepted), 0),
        "ballot_burst_server_cpu_ms_per_ballot": round(server_cpu / len(jobs) * 1000, 2),
        "ballot_burst_client_cpu_ms_per_ballot": round(client_cpu / len(jobs) * 1000, 2),
        "server_worker_peak_rss_mb": round(peak_rss_kb / 1024, 1),
    }
    details = {
        "ballots": ballots,
        "clients": clients,
        "subjects": subjects,
        "database": database_url.split(":", 1)[0],
        "workers": workers,
        "threads": int(os.environ.get("WEB_THREADS", "4")),
        "seconds": round(elapsed, 2),
        "replays_refused": f"{len(replay_refused)}/{len(replays)}",
        "codes_used": check["codes_used"],
        "counted": check["counted"],
    }
    samples = [f"HTTP {status}: {body[:300]!r}" for _code, _t, status, body in (errors + replay_accepted)[:3]]
    return {"figures": figures, "details": details, "samples": samples}


def measure(ballots: int = 1000, clients: int = 50, subjects: int = 60) -> dict[str, float]:
    """The burst's figures for `make bench`."""
    return run(ballots, clients, subjects)["figures"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--subjects", type=int, default=60)
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "ballot_burst.json"))
    args = parser.parse_args()
    result = run(args.ballots, args.clients, args.subjects)
    figures = result["figures"]
    for name, value in {**{f"ballot_burst_{k}": v for k, v in result["details"].items()}, **figures}.items():
        print(f"{name}: {value}")
    for sample in result["samples"]:
        print(f"# sample failure: {sample}", file=sys.stderr)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({**result["details"], **figures}, ensure_ascii=False, indent=2))
    failed = figures["ballot_burst_errors"] + figures["ballot_burst_lost"] + figures["ballot_burst_duplicated"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Ballot burst: N ballots from C concurrent clients against the production server.

    .venv/bin/python bench/ballot_burst.py [--ballots 1000] [--clients 50] [--subjects 22]

Builds a fresh database (SQLite in a temporary folder, or BENCH_DATABASE_URL), opens a review
session with one code per ballot, starts gunicorn exactly as `make run` does (bin/serve's
options), and has the clients post complete, valid ballots to /v/<code>/ (the form a phone
submits after its confirmation step). One in twenty codes is posted a second time and must be
refused. Afterwards it closes the session and checks that every acknowledged ballot is counted
once and none more. Prints `name: value` lines and writes var/bench/ballot_burst.json.
"""

import argparse
import json
import os
import random
import shutil
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
    return env


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
codes = codes_generate(acting_user=office, group=group, count=ballots)
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


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("服务器未能启动")


def post(url: str, form: dict) -> tuple[float, int, str]:
    data = urllib.parse.urlencode(form).encode()
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=60) as response:
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(), error.code
    except OSError as error:
        body, status = str(error), 0
    return time.perf_counter() - started, status, body


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--subjects", type=int, default=22)
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "ballot_burst.json"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="duban-burst-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite3'}"
    env = django_env(database_url, work / "var")
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"]):  # as `make run` does
        subprocess.run([str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True)
    setup = manage_python(SETUP, env, str(args.ballots), str(args.subjects))
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "duban.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            os.environ.get("WEB_WORKERS", "3"),
            "--threads",
            os.environ.get("WEB_THREADS", "4"),
            "--timeout",
            "180",
            "--logger-class",
            "duban.lib.access_log.Logger",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(work / "server.log").open("w"),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/v/")
        rng = random.Random(1)
        top = args.subjects * 30 // 100

        def ballot_form():
            marks = {f"m_{sid}": str(rng.choice([2, 3, 4])) for sid in setup["subjects"]}
            for sid in rng.sample(setup["subjects"], rng.randint(0, top)):
                marks[f"m_{sid}"] = "1"
            return {**marks, "confirm": "1"}

        jobs = [(code, ballot_form()) for code in setup["codes"]]
        replays = [(code, ballot_form()) for code in setup["codes"][::20]]

        def submit(job):
            code, form = job
            return code, *post(f"{base}/v/{code}/", form)

        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(submit, jobs))
        elapsed = time.perf_counter() - started
        with ThreadPoolExecutor(args.clients) as pool:
            replayed = list(pool.map(submit, replays))
    finally:
        server.terminate()
        server.wait(timeout=30)

    accepted = [r for r in results if r[2] == 200 and "投票成功" in r[3]]
    errors = [r for r in results if r not in accepted]
    replay_accepted = [r for r in replayed if r[2] == 200 and "投票成功" in r[3]]
    replay_refused = [r for r in replayed if "已经使用过" in r[3]]
    check = manage_python(CHECK, env)
    latencies = [r[1] for r in results]
    figures = {
        "ballot_burst.ballots": args.ballots,
        "ballot_burst.clients": args.clients,
        "ballot_burst.subjects": args.subjects,
        "ballot_burst.database": database_url.split(":", 1)[0],
        "ballot_burst.seconds": round(elapsed, 2),
        "ballot_burst.ballots_per_s": round(len(accepted) / elapsed, 1),
        "ballot_burst.p50_ms": round(statistics.median(latencies) * 1000, 1),
        "ballot_burst.p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "ballot_burst.max_ms": round(max(latencies) * 1000, 1),
        "ballot_burst.errors": len(errors),
        "ballot_burst.replays_refused": f"{len(replay_refused)}/{len(replays)}",
        "ballot_burst.lost": len(accepted) - check["counted"] if check["counted"] <= len(accepted) else 0,
        "ballot_burst.duplicated": len(replay_accepted) + max(check["counted"] - len(accepted), 0),
        "ballot_burst.codes_used": check["codes_used"],
        "ballot_burst.counted": check["counted"],
    }
    for name, value in figures.items():
        print(f"{name}: {value}")
    for _code, _t, status, body in (errors + replay_accepted)[:3]:
        print(f"# sample failure: HTTP {status}: {body[:300]!r}", file=sys.stderr)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    ok = not errors and figures["ballot_burst.lost"] == 0 and figures["ballot_burst.duplicated"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""The server process killed (SIGKILL) during an Excel import and during a burst of ballots
(issue 9, item 3): afterwards the database passes its integrity check, no half-import remains,
and every acknowledged ballot is there, once.

The real production server (gunicorn as bin/serve starts it, crash_server.Server) runs in a
process group of its own on a scratch database (SQLite file, or a new PostgreSQL database when
the suite runs under DATABASE_URL); the tests drive it over HTTP, kill the whole group, inspect
the database the way the restarted server finds it, restart it and carry on.

- The import: the office uploads a 1,500-row ledger and confirms it. Once the import's write
  transaction is open, and half a second into it, the server's processes are frozen (SIGSTOP):
  if the import is not visible in the database at that moment and no commit is under way, it
  cannot commit any more, and after the SIGKILL the plan must have none of its rows. In any
  case the plan has all of them or none (items, time nodes and the import's security event).
  After the restart the same file is imported again, in full.
- The ballots: 20 voters' phones post complete ballots; once 80 have been acknowledged
  (the thank-you page with its receipt) the server is killed mid-burst. Every spent code has
  exactly one stored ballot and every acknowledged code is spent. After the restart every
  voter tries again: an acknowledged code is refused as used; an unacknowledged one is either
  accepted now or refused as used (its ballot went in, the answer was lost on the way); no
  code is accepted twice. Closing the vote counts one ballot per code, and every receipt a
  voter was given finds its ballot, once, with the check value the voter saw.
"""

import json
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection
from django.test import override_settings
from openpyxl import Workbook

from duban.assessment.models import Ballot, BallotCode, PendingBallot
from duban.assessment.sealing import fingerprint, receipt_digest
from duban.audit.models import EventKind, SecurityEvent
from duban.supervision.models import Item, TimeNode
from tests.security.crash_server import ScratchDatabase, Server, seed, server_env

pytestmark = [
    pytest.mark.skipif(connection.vendor not in ("sqlite", "postgresql"), reason="SQLite and PostgreSQL only"),
    # Only for the test database to be set up: the scratch database is a copy of it.
    pytest.mark.django_db,
]

IMPORT_ROWS = 1500
INTO_THE_IMPORT = 0.5  # seconds into the import's transaction when the server is killed
BALLOTS = 240
SUBJECTS = 30
VOTERS = 20  # concurrent phones
KILL_AFTER = 80  # acknowledged ballots
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPTED = "投票成功"
USED = "已经使用过"


class World:
    """The scratch database, what `crash_world seed` built in it, and the server on it."""

    def __init__(self, db, env, seed, server):
        self.db, self.env, self.seed, self.server = db, env, seed, server

    def serving(self) -> Server:
        if not self.server.running:
            self.server.start()
        return self.server


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    with django_db_blocker.unblock():
        db = ScratchDatabase.copy_of(connection, folder)
    server = None
    try:
        env = server_env(db.url, folder / "var")
        data = seed(env, {"ballots": BALLOTS, "subjects": SUBJECTS})
        server = Server(env, folder / "server.log")
        yield World(db, env, data, server)
    finally:
        if server is not None and server.running:
            server.kill()
        db.drop()


def _wait(condition, seconds: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


# --- The import -------------------------------------------------------------------------------


def ledger_workbook(units: list[str], rows: int) -> bytes:
    """A valid ledger: `rows` new items, each with a co-unit, two time nodes and a remark."""
    import io

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "督办台账"
    sheet.append(["序号", "事项", "牵头单位", "责任单位", "时间节点", "完成时限", "备注"])
    for n in range(1, rows + 1):
        sheet.append(
            [
                n,
                f"重点工作第{n}项",
                units[n % len(units)],
                units[(n + 1) % len(units)],
                "2026-10-15 完成方案论证；2026-11-30 中期检查",
                "2026-12-31",
                f"第{n}项的备注",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def office(world: World, page: str) -> requests.Session:
    """The office clerk's browser, on a page with a form (which sets the CSRF cookie)."""
    client = requests.Session()
    client.cookies.set("sessionid", world.seed["office_session"])
    answer = client.get(world.server.base + page, allow_redirects=False, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    return client


def uploaded(client: requests.Session, server: Server, plan: int, content: bytes) -> str:
    """Upload the workbook; the URL of its preview, where the office confirms the import."""
    answer = client.post(
        f"{server.base}/supervision/plans/{plan}/import/",
        data={"csrfmiddlewaretoken": client.cookies["csrftoken"]},
        files={"file": ("督办台账.xlsx", content, XLSX)},
        allow_redirects=False,
        timeout=120,
    )
    assert answer.status_code == 302, answer.text[:2000]
    return server.base + answer.headers["Location"]


def confirm(client: requests.Session, preview: str) -> requests.Response:
    return client.post(preview, data={"csrfmiddlewaretoken": client.cookies["csrftoken"]}, timeout=300)


def import_counts(db: ScratchDatabase, plan: int) -> tuple[int, int, int]:
    """(items of the plan, their time nodes, import security events)."""
    items = db.scalar(f"SELECT count(*) FROM {Item._meta.db_table} WHERE plan_id = %s", [plan])
    nodes = db.scalar(
        f"SELECT count(*) FROM {TimeNode._meta.db_table} n JOIN {Item._meta.db_table} i ON n.item_id = i.id "
        "WHERE i.plan_id = %s",
        [plan],
    )
    events = db.scalar(f"SELECT count(*) FROM {SecurityEvent._meta.db_table} WHERE kind = %s", [EventKind.IMPORT])
    return items, nodes, events


def test_an_import_killed_midway_leaves_nothing_and_can_be_done_again(world):
    server = world.serving()
    plan, db = world.seed["plan"], world.db
    content = ledger_workbook(world.seed["units"], IMPORT_ROWS)
    client = office(world, f"/supervision/plans/{plan}/import/")
    preview = uploaded(client, server, plan, content)
    before = import_counts(db, plan)
    whole = (before[0] + IMPORT_ROWS, before[1] + 2 * IMPORT_ROWS, before[2] + 1)

    answers = []
    committing = threading.Thread(target=lambda: answers.append(_attempt(confirm, client, preview)))
    committing.start()
    # The import's transaction is open (SQLite: the write lock is held; PostgreSQL: a session
    # of the server's has written), or it is already over.
    assert _wait(lambda: db.writing() or not committing.is_alive(), 120), server.log_tail()
    time.sleep(INTO_THE_IMPORT)
    server.freeze()

    # Frozen: nothing of the server's can commit from here on, except a COMMIT PostgreSQL has
    # already received. If the import is not visible now, nor a moment later, it never will be.
    def not_yet():
        return import_counts(db, plan)[2] == before[2] and not db.committing()

    pending = not_yet()
    time.sleep(0.1)
    pending = pending and not_yet()
    server.kill()
    committing.join(60)
    db.settle()

    assert db.integrity_problems() == []
    after = import_counts(db, plan)
    print(f"killed {'during' if pending else 'after'} the import's transaction: {before} → {after}")
    assert after in (before, whole), f"half an import survived the kill: {before} → {after} (whole: {whole})"
    if pending:
        assert after == before, "an import that had not committed when the server was killed is there"
    answer = answers[0] if answers else None
    if isinstance(answer, requests.Response) and "导入完成" in answer.text:
        assert after == whole, "the import was confirmed to the clerk, then lost"

    server.start()
    assert client.get(f"{server.base}/supervision/plans/{plan}/", timeout=60).status_code == 200
    preview = uploaded(client, server, plan, content)
    answer = confirm(client, preview)
    assert answer.status_code == 200 and "导入完成" in answer.text, answer.text[:2000]
    assert import_counts(db, plan) == (whole[0], whole[1], after[2] + 1)
    assert db.integrity_problems() == []


def _attempt(function, *args):
    try:
        return function(*args)
    except requests.RequestException as error:
        return error


# --- The ballots ------------------------------------------------------------------------------


def ballot_form(rng: random.Random, subjects: list[int]) -> dict:
    """A complete, valid ballot: every subject rated, at most 30% of them 好 (1)."""
    marks = {f"m_{sid}": str(rng.choice([2, 3, 4])) for sid in subjects}
    for sid in rng.sample(subjects, rng.randint(0, len(subjects) * 30 // 100)):
        marks[f"m_{sid}"] = "1"
    return {**marks, "confirm": "1"}


def receipt_of(page: str) -> tuple[str, str]:
    """(receipt, check value) shown on the thank-you page, without the dashes."""
    receipt = re.search(r"data-receipt>([^<]+)<", page).group(1)
    check = re.search(r"data-fingerprint>([^<]+)<", page).group(1)
    return receipt.replace("-", "").strip(), check.replace("-", "").strip()


def cast(server: Server, code: str, form: dict) -> tuple[str, str, str] | None:
    """("accepted", receipt, check), ("used", "", ""), or None when the server did not answer."""
    try:
        answer = requests.post(f"{server.base}/v/{code}/", data=form, timeout=120)
    except requests.RequestException:
        return None
    if answer.status_code == 200 and ACCEPTED in answer.text:
        return ("accepted", *receipt_of(answer.text))
    if answer.status_code == 403 and USED in answer.text:
        return ("used", "", "")
    raise AssertionError(f"HTTP {answer.status_code}: {answer.text[:1000]}")


def code_counts(db: ScratchDatabase, session: int) -> tuple[int, int]:
    """(spent codes, stored ballots) of the session."""
    used = db.scalar(
        f"SELECT count(*) FROM {BallotCode._meta.db_table} WHERE session_id = %s AND used = %s", [session, True]
    )
    pending = db.scalar(f"SELECT count(*) FROM {PendingBallot._meta.db_table} WHERE session_id = %s", [session])
    return used, pending


def test_every_acknowledged_ballot_survives_a_kill_mid_burst(world):
    server = world.serving()
    db, session, codes = world.db, world.seed["session"], world.seed["codes"]
    rng = random.Random(9)
    forms = {code: ballot_form(rng, world.seed["subjects"]) for code in codes}
    acknowledged = {}  # code -> (receipt, check value)
    lock, enough, killed = threading.Lock(), threading.Event(), threading.Event()

    def vote(code):
        if killed.is_set():
            return
        outcome = cast(server, code, forms[code])
        if outcome is not None and outcome[0] == "accepted":
            with lock:
                acknowledged[code] = outcome[1:]
                if len(acknowledged) >= KILL_AFTER:
                    enough.set()

    with ThreadPoolExecutor(VOTERS) as phones:
        burst = [phones.submit(vote, code) for code in codes]
        reached = enough.wait(180)
        server.kill()
        killed.set()
    assert reached, server.log_tail()
    for done in burst:
        done.result()  # no answer but the two expected ones
    db.settle()

    assert db.integrity_problems() == []
    used, stored = code_counts(db, session)
    assert used == stored, "a spent code without its ballot, or a ballot without its code"
    assert KILL_AFTER <= len(acknowledged) <= used < len(codes)

    server.start()
    again = {}
    with ThreadPoolExecutor(VOTERS) as phones:
        for code, outcome in zip(codes, phones.map(lambda c: cast(server, c, forms[c]), codes), strict=True):
            assert outcome is not None
            again[code] = outcome
    assert all(again[code][0] == "used" for code in acknowledged), "an acknowledged code voted twice"
    lost_answers = [code for code in codes if code not in acknowledged and again[code][0] == "used"]
    assert len(acknowledged) + len(lost_answers) == used
    assert code_counts(db, session) == (len(codes), len(codes))

    # Closing the vote moves the stored ballots into the count.
    client = office(world, f"/assessment/sessions/{session}/")
    closed = client.post(
        f"{server.base}/assessment/sessions/{session}/close/",
        data={"csrfmiddlewaretoken": client.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=120,
    )
    assert closed.status_code == 302
    counted = db.rows(f"SELECT receipt, marks FROM {Ballot._meta.db_table} WHERE session_id = %s", [session])
    assert len(counted) == len(codes)
    # Every receipt a voter was given finds one ballot, with the check value the voter saw.
    given = dict(acknowledged.values())
    given.update({receipt: check for state, receipt, check in again.values() if state == "accepted"})
    with override_settings(SECRET_KEY=world.env["SECRET_KEY"]):
        keys = {receipt_digest(receipt): receipt for receipt in given}
    found = {}
    for key, marks in counted:
        if key in keys:
            marks = json.loads(marks) if isinstance(marks, str) else marks
            found.setdefault(keys[key], []).append(fingerprint(keys[key], marks))
    assert {receipt: found.get(receipt) for receipt in given} == {receipt: [check] for receipt, check in given.items()}
    assert db.integrity_problems() == []

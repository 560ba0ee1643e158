"""The floor of each measured page: the same data fetched by hand-written SQL through the plain
database driver (sqlite3 or psycopg, no ORM) and formatted into minimal HTML. A page's time
divided by its floor is what the framework, the templates and our own code cost on top of
the database work that cannot be avoided."""

import datetime
import html
import json
import sqlite3

from django.conf import settings
from django.db import connection


class Raw:
    """A DB-API connection and a query helper taking %s placeholders on both vendors."""

    def __init__(self):
        db = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            self.conn = sqlite3.connect(db["NAME"])
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.mark = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(
                dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432, password=db["PASSWORD"]
            )
            self.conn.autocommit = True
            self.mark = "%s"

    def rows(self, sql: str, *params):
        cursor = self.conn.cursor()
        cursor.execute(sql.replace("%s", self.mark), params)
        return cursor.fetchall()

    def one(self, sql: str, *params):
        return self.rows(sql, *params)[0]

    def close(self):
        self.conn.close()


def connect() -> Raw:
    return Raw()


def _table(rows) -> str:
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table>{body}</table>"


def _page(*parts) -> str:
    return "<!doctype html><html><body>" + "".join(parts) + "</body></html>"


def _person_id(raw: Raw, username: str) -> int:
    return raw.one("SELECT id FROM org_person WHERE username = %s", username)[0]


def home(raw: Raw, city) -> str:
    """我的工作 (office): the review queue count, open overdue items, the latest messages."""
    me = _person_id(raw, "office")
    waiting = raw.one("SELECT COUNT(*) FROM supervision_progressreport WHERE status = 'submitted'")
    overdue = raw.one(
        "SELECT COUNT(*) FROM supervision_item WHERE completed_on IS NULL AND due_date < %s", city.today.isoformat()
    )
    messages = raw.rows(
        "SELECT title, created_at FROM notify_message WHERE recipient_id = %s ORDER BY created_at DESC LIMIT 10", me
    )
    return _page(f"<p>{waiting[0]} {overdue[0]}</p>", _table(messages))


def _ledger(raw: Raw, city, page: int) -> str:
    plan = city.plan
    total = raw.one("SELECT COUNT(*) FROM supervision_item WHERE plan_id = %s", plan)[0]
    counts = raw.rows(
        "SELECT s.status, COUNT(*) FROM supervision_item i LEFT JOIN supervision_itemstate s ON s.item_id = i.id"
        " WHERE i.plan_id = %s GROUP BY s.status",
        plan,
    )
    units = raw.rows(
        "SELECT u.id, u.name FROM org_unit u WHERE EXISTS (SELECT 1 FROM supervision_item i"
        ' WHERE i.plan_id = %s AND i.lead_unit_id = u.id) ORDER BY u."order", u.id',
        plan,
    )
    last = max(1, (total + 49) // 50)
    offset = (min(page, last) - 1) * 50
    rows = raw.rows(
        "SELECT i.id, i.ordinal, i.title, u.name, pl.name, rp.name, i.due_date, s.status, s.progress"
        " FROM supervision_item i JOIN org_unit u ON u.id = i.lead_unit_id"
        " LEFT JOIN org_person pl ON pl.id = i.patron_leader_id"
        " LEFT JOIN org_person rp ON rp.id = i.responsible_person_id"
        " LEFT JOIN supervision_itemstate s ON s.item_id = i.id"
        " WHERE i.id IN (SELECT id FROM supervision_item WHERE plan_id = %s ORDER BY ordinal, id LIMIT 50 OFFSET %s)"
        " ORDER BY i.ordinal, i.id",
        plan,
        offset,
    )
    return _page(f"<p>{total}</p>", _table(counts), _table(units), _table(rows))


def ledger_1(raw: Raw, city) -> str:
    return _ledger(raw, city, 1)


def ledger_100(raw: Raw, city) -> str:
    return _ledger(raw, city, 100)


def dashboard(raw: Raw, city) -> str:
    """Status counts, status by lead unit, and the 50 items needing attention."""
    plan = city.plan
    counts = raw.rows(
        "SELECT s.status, COUNT(*) FROM supervision_item i JOIN supervision_itemstate s ON s.item_id = i.id"
        " WHERE i.plan_id = %s GROUP BY s.status",
        plan,
    )
    by_unit = raw.rows(
        "SELECT u.name, s.status, COUNT(*) FROM supervision_item i JOIN supervision_itemstate s ON s.item_id = i.id"
        " JOIN org_unit u ON u.id = i.lead_unit_id WHERE i.plan_id = %s GROUP BY u.name, s.status",
        plan,
    )
    attention = raw.rows(
        "SELECT i.title, u.name, s.status, s.reason FROM supervision_itemstate s"
        " JOIN supervision_item i ON i.id = s.item_id JOIN org_unit u ON u.id = i.lead_unit_id"
        " WHERE i.plan_id = %s AND s.status IN ('overdue', 'behind') ORDER BY s.days_left LIMIT 50",
        plan,
    )
    return _page(_table(counts), _table(by_unit), _table(attention))


def item_detail(raw: Raw, city) -> str:
    """The item, its nodes, its reports and its timeline."""
    item = raw.one(
        "SELECT i.id, i.title, i.description, u.name, i.due_date, s.status, s.progress FROM supervision_item i"
        " JOIN org_unit u ON u.id = i.lead_unit_id LEFT JOIN supervision_itemstate s ON s.item_id = i.id"
        " WHERE i.plan_id = %s AND i.parent_id IS NULL AND i.completed_on IS NULL ORDER BY i.id LIMIT 1",
        city.plan,
    )
    pk = item[0]
    nodes = raw.rows(
        "SELECT title, due_date, done_on FROM supervision_timenode WHERE item_id = %s ORDER BY due_date", pk
    )
    reports = raw.rows(
        "SELECT period_start, period_end, status, percent, progress_text FROM supervision_progressreport"
        " WHERE item_id = %s ORDER BY period_start DESC",
        pk,
    )
    log = raw.rows("SELECT kind, at, text FROM supervision_itemlog WHERE item_id = %s ORDER BY at DESC LIMIT 50", pk)
    return _page(_table([item]), _table(nodes), _table(reports), _table(log))


def battle_map(raw: Raw, city) -> str:
    """The first page of the Gantt as JSON: the counts, 30 projects with their measures, and
    those rows' nodes (the page pages by projects, battlemap.PER_PAGE)."""
    plan = city.plan
    total = raw.one("SELECT COUNT(*) FROM supervision_item WHERE plan_id = %s", plan)[0]
    projects = raw.one("SELECT COUNT(*) FROM supervision_item WHERE plan_id = %s AND parent_id IS NULL", plan)[0]
    page = (
        "WITH pr AS (SELECT id FROM supervision_item WHERE plan_id = %s AND parent_id IS NULL"
        " ORDER BY ordinal, id LIMIT 30) "
    )
    rows = raw.rows(
        page + "SELECT i.id, i.parent_id, i.ordinal, p.ordinal, i.title, u.name, i.start_date, i.due_date,"
        " i.original_due_date, i.completed_on, s.status, s.colour, s.reason, s.progress, s.expected"
        " FROM supervision_item i JOIN org_unit u ON u.id = i.lead_unit_id"
        " LEFT JOIN supervision_item p ON p.id = i.parent_id LEFT JOIN supervision_itemstate s ON s.item_id = i.id"
        " WHERE i.plan_id = %s AND (i.id IN (SELECT id FROM pr) OR i.parent_id IN (SELECT id FROM pr))"
        " ORDER BY COALESCE(p.ordinal, i.ordinal), COALESCE(i.parent_id, i.id), i.parent_id IS NOT NULL,"
        " i.ordinal, i.id",
        plan,
        plan,
    )
    nodes = raw.rows(
        page + "SELECT n.item_id, n.title, n.due_date, n.done_on FROM supervision_timenode n"
        " JOIN supervision_item i ON i.id = n.item_id"
        " WHERE i.plan_id = %s AND (i.id IN (SELECT id FROM pr) OR i.parent_id IN (SELECT id FROM pr))",
        plan,
        plan,
    )
    return json.dumps(
        {"total": total, "projects": projects, "rows": rows, "nodes": nodes}, default=str, ensure_ascii=False
    )


def weekly(raw: Raw, city) -> str:
    """This week's reports of the plan's open items, by unit."""
    monday = city.today - datetime.timedelta(days=city.today.weekday())
    rows = raw.rows(
        "SELECT u.name, i.title, r.status, r.percent, r.progress_text FROM supervision_progressreport r"
        " JOIN supervision_item i ON i.id = r.item_id JOIN org_unit u ON u.id = i.lead_unit_id"
        " WHERE i.plan_id = %s AND r.period_start = %s ORDER BY u.name, i.ordinal",
        city.plan,
        monday.isoformat(),
    )
    return _page(_table(rows))


def league(raw: Raw, city) -> str:
    """Per lead unit: items, completed, overdue, and reports filed on time."""
    rows = raw.rows(
        "SELECT u.name, COUNT(*),"
        " SUM(CASE WHEN i.completed_on IS NOT NULL THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN i.completed_on IS NULL AND i.due_date < %s THEN 1 ELSE 0 END)"
        " FROM supervision_item i JOIN org_unit u ON u.id = i.lead_unit_id WHERE i.plan_id = %s GROUP BY u.name",
        city.today.isoformat(),
        city.plan,
    )
    return _page(_table(rows))


def rect_ledger(raw: Raw, city) -> str:
    """The first page (20 findings) of the rectification ledger: the counts over all the
    plan's findings, and each finding of the page with its measures' closure states."""
    plan = city.rect_plan
    counts = raw.one(
        "SELECT COUNT(DISTINCT f.id), COUNT(m.item_id), SUM(CASE WHEN m.closure = 'closed' THEN 1 ELSE 0 END)"
        " FROM rectification_finding f LEFT JOIN rectification_measure m ON m.finding_id = f.id WHERE f.plan_id = %s",
        plan,
    )
    findings = raw.rows(
        "SELECT f.id, f.ordinal, f.reference, f.category, f.severity, f.description,"
        " (SELECT COUNT(*) FROM rectification_measure m WHERE m.finding_id = f.id),"
        " (SELECT COUNT(*) FROM rectification_measure m WHERE m.finding_id = f.id AND m.closure = 'closed')"
        " FROM rectification_finding f WHERE f.plan_id = %s ORDER BY f.ordinal LIMIT 20",
        plan,
    )
    marks = ", ".join(["%s"] * len(findings)) or "NULL"
    ids = [row[0] for row in findings]
    rows = raw.rows(
        "SELECT m.finding_id, i.title, m.type, u.name, p.name, i.due_date, s.status, m.closure, m.closed_on,"
        " m.relapse_count FROM rectification_measure m JOIN supervision_item i ON i.id = m.item_id"
        " JOIN org_unit u ON u.id = i.lead_unit_id LEFT JOIN org_person p ON p.id = i.responsible_person_id"
        f" LEFT JOIN supervision_itemstate s ON s.item_id = i.id WHERE m.finding_id IN ({marks})"
        " ORDER BY i.ordinal, m.item_id",
        *ids,
    )
    return _page(f"<p>{counts}</p>", _table(findings), _table(rows))


def disclosure(raw: Raw, city) -> str:
    """What staff see: the counts over all disclosed findings, and the first page (20) of
    findings with their summary, state and measures closed."""
    counts = raw.one(
        "SELECT COUNT(*), SUM(CASE WHEN m.closure = 'closed' THEN 1 ELSE 0 END) FROM rectification_measure m"
        " JOIN rectification_finding f ON f.id = m.finding_id WHERE f.plan_id = %s AND f.disclosed",
        city.rect_plan,
    )
    rows = raw.rows(
        "SELECT f.ordinal, f.category, f.public_summary, f.closed_on,"
        " (SELECT COUNT(*) FROM rectification_measure m WHERE m.finding_id = f.id),"
        " (SELECT COUNT(*) FROM rectification_measure m WHERE m.finding_id = f.id AND m.closure = 'closed')"
        " FROM rectification_finding f WHERE f.plan_id = %s AND f.disclosed ORDER BY f.ordinal LIMIT 20",
        city.rect_plan,
    )
    return _page(f"<p>{counts}</p>", _table(rows))


def result(raw: Raw, city) -> str:
    """The counted result stored on the closed session, with its subjects."""
    stored = raw.one("SELECT result FROM assessment_reviewsession WHERE id = %s", city.session)[0]
    data = json.loads(stored) if isinstance(stored, str) else stored
    subjects = raw.rows(
        'SELECT s."order", s.name, u.name FROM assessment_subject s LEFT JOIN org_unit u ON u.id = s.unit_id'
        ' WHERE s.session_id = %s ORDER BY s."order"',
        city.session,
    )
    return _page(_table(subjects), f"<pre>{html.escape(json.dumps(data, ensure_ascii=False)[:20000])}</pre>")

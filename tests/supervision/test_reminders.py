"""The reminder ladder: what fires, for whom, with which words, and exactly once.

The `work` plan's items run from 2026-09-01 to 2026-12-31 with weekly reports due on
Fridays; on 2026-11-02 every item is behind pace and nine reports are missing. Each test
sets the ladder it needs.
"""

import contextlib
import datetime
import io
import sqlite3
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duban.notify.models import Message, MessageKind
from duban.supervision import reminders
from duban.supervision.models import Item, ItemLog, LogKind, Recipient, ReminderRung, ReminderSent, RungTrigger
from duban.supervision.reminders import sweep
from duban.supervision.services.deferrals import deferral_decide, deferral_request
from duban.supervision.services.items import item_complete
from duban.supervision.tasks import reminders_sweep

D = datetime.date
R = Recipient
T = RungTrigger


def at(day: datetime.date):
    moment = datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    return time_machine.travel(moment, tick=False)


def run(day: datetime.date):
    with at(day):
        return sweep(day)


def ladder(plan, *rungs):
    """Replace the plan's ladder: rungs as (trigger, days, recipients, repeat_days)."""
    plan.rungs.all().delete()
    return [
        ReminderRung.objects.create(
            plan=plan, trigger=trigger, days=days, recipients=[str(r) for r in recipients], repeat_days=repeat, order=i
        )
        for i, (trigger, days, recipients, repeat) in enumerate(rungs, start=1)
    ]


def reminders_to(person, item=None):
    found = Message.objects.filter(recipient=person, kind=MessageKind.REMINDER).order_by("id")
    if item is not None:
        found = found.filter(url=item.get_absolute_url())
    return list(found)


def titles(person):
    return [m.title for m in reminders_to(person)]


# --- Each trigger -------------------------------------------------------------


def test_before_due_tells_the_responsible_person(work, people):
    ladder(work.plan, (T.BEFORE_DUE, 10, [R.RESPONSIBLE], 0))
    assert run(D(2026, 12, 20)).reminders == 0  # 11 days left: not yet
    result = run(D(2026, 12, 21))
    assert (result.reminders, result.messages) == (4, 4)
    assert "到期提醒：“实验室建设项目”还有 10 天到期" in titles(people.liaison)
    assert len(reminders_to(people.liaison)) == 3  # the three 教务处 items
    assert titles(people.outsider) == ["到期提醒：“高层次人才引进”还有 10 天到期"]
    message = reminders_to(people.liaison, work.labs)[0]
    assert "2026年12月31日" in message.body
    assert "2026年重点工作攻坚突破项目" in message.body
    assert message.url == f"/supervision/items/{work.labs.pk}/"
    assert reminders_to(people.head) == []
    entry = ItemLog.objects.get(item=work.labs, kind=LogKind.REMINDER)
    assert entry.text == "自动提醒（到期前 10 天）已发送给：钱联络"
    sent = ReminderSent.objects.get(item=work.labs)
    assert (sent.on_date, sent.due_date, sent.recipients) == (D(2026, 12, 21), D(2026, 12, 31), 1)


def test_before_due_zero_days_says_today(work, people):
    ladder(work.plan, (T.BEFORE_DUE, 0, [R.RESPONSIBLE], 0))
    run(D(2026, 12, 31))
    assert "到期提醒：“实验室建设项目”今天到期" in titles(people.liaison)


def test_overdue_escalates_to_unit_head_and_office(work, people):
    ladder(work.plan, (T.OVERDUE, 1, [R.UNIT_HEAD, R.OFFICE], 0), (T.OVERDUE, 5, [R.PATRON], 0))
    assert run(D(2026, 12, 31)).reminders == 0  # due today is not overdue
    result = run(D(2027, 1, 3))
    assert result.reminders == 4
    assert "逾期提醒：“实验室建设项目”已逾期 3 天" in titles(people.head)
    assert len(reminders_to(people.head)) == 3
    assert len(reminders_to(people.office)) == 4
    assert titles(people.outsider) == ["逾期提醒：“高层次人才引进”已逾期 3 天"]  # head of 人事处
    assert "已逾期 3 天" in reminders_to(people.office, work.labs)[0].body
    assert reminders_to(people.leader) == []  # the 5-day rung waits
    run(D(2027, 1, 5))
    assert "逾期提醒：“实验室建设项目”已逾期 5 天" in titles(people.leader)


def test_behind_tells_the_patron_why(work, people):
    ladder(work.plan, (T.BEHIND, 0, [R.PATRON], 0))
    result = run(work.today)
    assert result.reminders == 4
    teaching = reminders_to(people.leader, work.teaching)[0]
    assert teaching.title == "进度滞后提醒：“本科教学质量提升工程”"
    assert "时间节点“完成方案论证”已逾期" in teaching.body
    assert "按进度应完成约" in reminders_to(people.leader, work.labs)[0].body


def test_report_missing_names_the_reports_once_each(work, people):
    ladder(work.plan, (T.REPORT_MISSING, 2, [R.LIAISON], 0))
    result = run(work.today)
    # 人事处 has no liaison: claimed with no recipients, noted on the timeline.
    assert (result.reminders, result.silent) == (3, 1)
    message = reminders_to(people.liaison, work.labs)[0]
    assert message.title == "缺报提醒：“实验室建设项目”有 9 期进展报告未报"  # Fridays 9月4日 … 10月30日
    assert "8月31日—9月6日（9月4日截止）" in message.body
    assert message.body.count("截止）") == 5
    assert "9月28日—10月4日（10月2日截止）等，共 9 期。" in message.body
    assert ReminderSent.objects.get(item=work.talent).recipients == 0
    assert "未找到提醒对象" in ItemLog.objects.get(item=work.talent, kind=LogKind.REMINDER).text
    assert ReminderSent.objects.get(item=work.labs).due_date == D(2026, 10, 30)
    # The 11月6日 report is missing only after its grace: then just that one is named.
    assert run(D(2026, 11, 8)).reminders == 0
    run(D(2026, 11, 9))
    latest = reminders_to(people.liaison, work.labs)[-1]
    assert latest.title == "缺报提醒：“实验室建设项目”有 1 期进展报告未报"
    assert "11月2日—11月8日（11月6日截止）" in latest.body


# --- Once and only once -----------------------------------------------------


def test_the_same_day_twice_sends_nothing_new(work, people):
    ladder(work.plan, (T.BEHIND, 0, [R.PATRON, R.UNIT_HEAD], 7))
    first = run(work.today)
    count = Message.objects.count()
    second = run(work.today)
    assert (second.reminders, second.messages) == (0, 0)
    assert second.skipped == first.reminders + first.silent == 4
    assert Message.objects.count() == count


@pytest.mark.parametrize(
    ("repeat", "expected_days"),
    [(0, [D(2026, 11, 2)]), (7, [D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 16)])],
)
def test_repeat_days(work, people, repeat, expected_days):
    ladder(work.plan, (T.BEHIND, 0, [R.PATRON], repeat))
    day = work.today
    while day <= D(2026, 11, 16):
        run(day)
        day += datetime.timedelta(days=1)
    sent_on = list(ReminderSent.objects.filter(item=work.labs).order_by("on_date").values_list("on_date", flat=True))
    assert sent_on == expected_days
    assert len(reminders_to(people.leader, work.labs)) == len(expected_days)


def test_a_deferral_rearms_the_before_due_rungs(work, people):
    ladder(work.plan, (T.BEFORE_DUE, 10, [R.RESPONSIBLE], 0))
    run(D(2026, 12, 21))
    with at(D(2026, 12, 21)):
        deferral = deferral_request(
            acting_user=people.head, item=work.labs, new_due_date=D(2027, 1, 31), reason="设备到货延迟"
        )
        deferral_decide(acting_user=people.office, deferral=deferral, approve=True)
    for day in (D(2026, 12, 22), D(2027, 1, 20)):
        run(day)
    assert len(reminders_to(people.liaison, work.labs)) == 1
    run(D(2027, 1, 21))
    labs = reminders_to(people.liaison, work.labs)
    assert len(labs) == 2
    assert labs[-1].title == "到期提醒：“实验室建设项目”还有 10 天到期"
    assert "2027年1月31日" in labs[-1].body


def test_a_completed_item_never_fires(work, people):
    ladder(work.plan, (T.OVERDUE, 1, [R.UNIT_HEAD], 0), (T.BEHIND, 0, [R.UNIT_HEAD], 0))
    with at(work.today):
        item_complete(acting_user=people.office, item=work.labs)
    run(work.today)
    run(D(2027, 1, 5))
    assert reminders_to(people.head, work.labs) == []
    assert not ReminderSent.objects.filter(item=work.labs).exists()
    assert len(reminders_to(people.head, work.courses)) == 2


def test_only_the_tightest_rung_speaks(work, people):
    twenty, ten, three = ladder(
        work.plan,
        (T.BEFORE_DUE, 20, [R.RESPONSIBLE], 0),
        (T.BEFORE_DUE, 10, [R.RESPONSIBLE, R.UNIT_HEAD], 0),
        (T.BEFORE_DUE, 3, [R.RESPONSIBLE, R.UNIT_HEAD, R.LIAISON], 0),
    )
    # The sweep first runs 8 days before the due date: the 10-day rung speaks, the
    # 20-day rung is claimed silently and never speaks for this due date.
    result = run(D(2026, 12, 23))
    assert (result.reminders, result.silent) == (4, 4)
    assert titles(people.head) == ["到期提醒：“本科教学质量提升工程”还有 8 天到期"] + [
        "到期提醒：“实验室建设项目”还有 8 天到期",
        "到期提醒：“一流课程建设”还有 8 天到期",
    ]
    assert ReminderSent.objects.get(item=work.labs, rung=twenty).recipients == 0
    assert ReminderSent.objects.get(item=work.labs, rung=ten).recipients == 2
    for day in range(24, 30):
        run(D(2026, 12, day))
    rows = ReminderSent.objects.filter(item=work.labs).order_by("on_date")
    assert [(r.rung_id, r.on_date) for r in rows] == [
        (twenty.pk, D(2026, 12, 23)),
        (ten.pk, D(2026, 12, 23)),
        (three.pk, D(2026, 12, 28)),
    ]
    labs = [m.title for m in reminders_to(people.liaison, work.labs)]
    assert labs == ["到期提醒：“实验室建设项目”还有 8 天到期", "到期提醒：“实验室建设项目”还有 3 天到期"]


def test_the_sweep_does_not_query_per_item(work, people):
    ladder(work.plan, (T.BEHIND, 0, [R.PATRON], 1))

    def queries_of_a_second_run(day):
        run(day)  # opens the slots, computes the states, sends
        with CaptureQueriesContext(connection) as captured:
            result = run(day)
        assert result.skipped == result.items
        return len(captured)

    few = queries_of_a_second_run(work.today)
    for n in range(30):
        Item.objects.create(
            plan=work.plan,
            ordinal=10 + n,
            title=f"事项{n}",
            lead_unit=work.labs.lead_unit,
            start_date=D(2026, 9, 1),
            due_date=D(2026, 12, 31),
            created_at=work.teaching.created_at,
        )
    # (The states' refresh reads the week's reports and the indicators too; the tallies of the
    # one active plan are recounted in a savepoint: the plans, a delete, a count, an insert, and
    # on PostgreSQL the plan's lock.)
    assert queries_of_a_second_run(D(2026, 11, 3)) == few <= 24


# --- Failures roll back -------------------------------------------------------


def test_a_failure_while_sending_rolls_back_the_claim(work, people, monkeypatch):
    ladder(work.plan, (T.BEHIND, 0, [R.PATRON], 0))

    def broken(batch):
        Message.objects.create(recipient=people.leader, title="half-written")
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(reminders, "messages_send", broken)
    result = run(work.today)
    assert (result.reminders, result.failed) == (0, 4)
    assert not ReminderSent.objects.exists()
    assert not Message.objects.exists()
    assert not ItemLog.objects.filter(kind=LogKind.REMINDER).exists()
    monkeypatch.undo()
    assert run(work.today).reminders == 4  # the next run tries again


# --- Command and task ----------------------------------------------------------


def test_send_reminders_command(work, people):
    ladder(work.plan, (T.BEHIND, 0, [R.PATRON], 0))
    out = io.StringIO()
    with at(work.today):
        call_command("send_reminders", "--date", "2026-11-02", stdout=out)
    assert out.getvalue().startswith("2026年11月2日：检查 4 个未办结事项")
    assert "发送提醒 4 条（消息 4 封）" in out.getvalue()
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        call_command("send_reminders", "--date", "11/02/2026")


def test_send_reminders_exit_codes(work, capsys):
    with at(work.today):
        execute_from_command_line(["manage.py", "send_reminders"])  # returns: exit code 0
        assert "2026年11月2日：" in capsys.readouterr().out
        with pytest.raises(SystemExit) as exit_info:
            execute_from_command_line(["manage.py", "send_reminders", "--date", "yesterday"])
    assert exit_info.value.code == 1
    assert "日期格式应为" in capsys.readouterr().err


def test_the_periodic_task_runs_the_sweep(work, people):
    ladder(work.plan, (T.BEHIND, 0, [R.PATRON], 0))
    with at(work.today):
        result = reminders_sweep.call_local()
    assert result.today == work.today
    assert len(reminders_to(people.leader)) == 4


# --- Two workers at once ----------------------------------------------------------


@contextlib.contextmanager
def workers_database(tmp_path):
    """The database file the worker threads use, or None for the test database itself.

    PostgreSQL (and a file test database) is shared as it is. The default in-memory SQLite
    test database uses shared cache, whose table locks fail at once ("database table is
    locked") instead of waiting like the WAL file of a deployment, with its IMMEDIATE
    transactions and 20 s busy timeout: there the workers run on a file copy, which is
    copied back for the assertions."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield None
        return
    path = str(tmp_path / "workers.sqlite3")
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    yield path
    with contextlib.closing(sqlite3.connect(path)) as copy:
        copy.backup(connection.connection)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(work, people, monkeypatch, tmp_path):
    ladder(
        work.plan,
        (T.BEHIND, 0, [R.PATRON, R.UNIT_HEAD, R.OFFICE], 0),
        (T.REPORT_MISSING, 2, [R.LIAISON, R.RESPONSIBLE], 0),
        (T.BEFORE_DUE, 60, [R.RESPONSIBLE], 0),
        (T.BEFORE_DUE, 30, [R.RESPONSIBLE], 0),
    )
    # Both workers must have read the ladder's history before either claims anything:
    # each waits for the other before its first claim.
    barrier = threading.Barrier(2, timeout=30)
    local = threading.local()
    real_people_for = reminders.people_for

    def people_for(item, recipients, *directory):
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
        return real_people_for(item, recipients, *directory)

    monkeypatch.setattr(reminders, "people_for", people_for)
    results, errors = [], []

    def worker(path):
        try:
            if path:
                connection.settings_dict = {**connection.settings_dict, "NAME": path}
            # A week on: both also open the new report slots and refresh the states.
            results.append(sweep(D(2026, 11, 9)))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    with workers_database(tmp_path) as path, at(D(2026, 11, 9)):
        threads = [threading.Thread(target=worker, args=(path,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    assert errors == []
    assert len(results) == 2
    # 4 items × (behind, missing reports, 60 days before due); 52 days left: not the 30-day rung.
    rows = list(ReminderSent.objects.values_list("item_id", "rung_id", "on_date"))
    assert len(rows) == len(set(rows)) == 12
    assert sum(r.reminders for r in results) == 12
    assert sum(r.skipped for r in results) == 12
    assert sum(r.slots_opened for r in results) == 4  # each item's new week, once
    assert sum(r.messages for r in results) == Message.objects.count() > 12
    per_person_title = list(Message.objects.values_list("recipient_id", "title"))
    assert len(per_person_title) == len(set(per_person_title))
    assert ItemLog.objects.filter(kind=LogKind.REMINDER).count() == 12


def test_sweep_refreshes_completed_items_whose_reports_fell_due(work, people):
    """A completed item leaves the ladder, but a report of its last week that falls due later
    still counts for the league table: the sweep refreshes that item's state, and only that."""
    from duban.supervision.models import ItemState

    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        item_complete(acting_user=people.office, item=work.labs, on=datetime.date(2026, 11, 2))
    before = ItemState.objects.get(item=work.labs)
    other = ItemState.objects.get(item=work.talent)
    assert work.labs.reports.filter(due_date=datetime.date(2026, 11, 6)).exists()  # this week's slot
    sweep(datetime.date(2026, 11, 9))
    after = ItemState.objects.get(item=work.labs)
    assert (after.reports_due, after.computed_on) == (before.reports_due + 1, datetime.date(2026, 11, 9))
    sweep(datetime.date(2026, 11, 10))  # nothing fell due since: the completed item is left alone
    assert ItemState.objects.get(item=work.labs).computed_on == datetime.date(2026, 11, 9)
    assert ItemState.objects.get(item=work.talent).computed_on == datetime.date(2026, 11, 10) != other.computed_on


def test_sweep_moves_completed_items_on_to_the_new_week(work, people):
    """The weekly summary counts the verdicts kept on the states for the last week that is over:
    when a new week is over, the sweep brings completed items' states to it too."""
    from duban.supervision.models import ItemState

    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        item_complete(acting_user=people.office, item=work.labs, on=datetime.date(2026, 11, 2))
    sweep(datetime.date(2026, 11, 10))
    assert ItemState.objects.get(item=work.labs).week_start == datetime.date(2026, 11, 2)
    sweep(datetime.date(2026, 11, 16))  # Monday: the week of 11月9日 is over
    state = ItemState.objects.get(item=work.labs)
    assert (state.week_start, state.week_filing, state.computed_on) == (
        datetime.date(2026, 11, 9),
        "none",  # no report slot opens after completion
        datetime.date(2026, 11, 16),
    )

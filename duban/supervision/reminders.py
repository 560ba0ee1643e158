"""The reminder and escalation sweep (提醒与督办阶梯).

`sweep()` runs every 30 minutes on the huey worker (supervision.tasks) and on demand
through `manage.py send_reminders`. Each run:

1. opens the report slots that have come due for open items of active plans,
2. refreshes the cached states of those items, so statuses follow the calendar,
3. evaluates every active rung of each active plan against each open item and sends
   what is due.

A reminder is claimed by inserting its ReminderSent row (unique per item, rung and day)
in the same transaction as its messages and its timeline row: running the sweep often,
or on two workers at once, sends each reminder exactly once, and a crash never leaves
a claim without its messages or messages without their claim.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.lib.dates import cn_date
from duban.notify.models import MessageKind
from duban.notify.services import messages_send
from duban.supervision.models import (
    Item,
    ItemLog,
    ItemState,
    LogKind,
    Plan,
    PlanStatus,
    ProgressReport,
    ReminderRung,
    ReminderSent,
    RungTrigger,
    Status,
)
from duban.supervision.models.reports import UNFINISHED
from duban.supervision.recipients import Directory, people_for
from duban.supervision.schedule import slot_for
from duban.supervision.services.items import log_entry
from duban.supervision.services.ladder import rung_label
from duban.supervision.services.reports import report_slots_open
from duban.supervision.state import states_refresh
from duban.supervision.summaries import last_completed_week
from duban.supervision.tallies import tallies_rebuild

logger = logging.getLogger(__name__)

CHUNK = 1000  # items evaluated per batch of prefetch queries
CLAIM_BATCH = 200  # claims committed together (the write lock is held for one batch)
SWEEP_LOCK = 0x64756261  # PostgreSQL advisory lock key of the claim batches ("duba")
MAX_LISTED_REPORTS = 5  # missing reports named in one message


@dataclass
class SweepResult:
    """What one run did."""

    today: datetime.date
    items: int = 0  # open items of active plans scanned
    slots_opened: int = 0
    states_changed: int = 0
    reminders: int = 0  # rungs that sent messages
    messages: int = 0
    silent: int = 0  # claimed without messages: a tighter rung sent, or nobody to tell
    skipped: int = 0  # already claimed today (by an earlier run or another worker)
    failed: int = 0  # rolled back by an error; retried on the next run

    def merge(self, other: "SweepResult") -> None:
        for name in ("reminders", "messages", "silent", "skipped", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> str:
        return _(
            "%(day)s：检查 %(items)d 个未办结事项，新开填报期 %(slots)d 个，状态变化 %(states)d 个；"
            "发送提醒 %(reminders)d 条（消息 %(messages)d 封），静默记录 %(silent)d 条，"
            "已提醒过而跳过 %(skipped)d 条；失败 %(failed)d 条。"
        ) % {
            "day": cn_date(self.today, full=True),
            "items": self.items,
            "slots": self.slots_opened,
            "states": self.states_changed,
            "reminders": self.reminders,
            "messages": self.messages,
            "silent": self.silent,
            "skipped": self.skipped,
            "failed": self.failed,
        }


class Missing(NamedTuple):
    """A report past its due date and not yet submitted (read as a tuple: there are many)."""

    period_start: datetime.date
    period_end: datetime.date
    due_date: datetime.date


@dataclass(frozen=True)
class Firing:
    """A rung due to fire for an item today."""

    rung: ReminderRung
    due_date: datetime.date | None  # recorded on the claim: the item's due date, or the newest missing report's
    reports: tuple = ()  # REPORT_MISSING: the missing reports the message names


def _states_stale(open_items, today: datetime.date):
    """Open items, and completed ones with a report that fell due since their state was computed
    (the league table counts reports due so far), whose kept week is no longer the last one
    that is over, or whose report for that week may have become missing since (the weekly
    summary counts the kept verdicts)."""
    fell_due = ProgressReport.objects.filter(
        item=OuterRef("pk"), due_date__gt=OuterRef("state__computed_on"), due_date__lte=today
    )
    week_behind = ~Q(state__week_start=last_completed_week(today)) | Q(state__week_filing="pending")
    completed = Item.objects.filter(plan__status=PlanStatus.ACTIVE, completed_on__isnull=False)
    return open_items | completed.filter(Q(Exists(fell_due)) | week_behind)


def sweep(today: datetime.date | None = None) -> SweepResult:
    """Run the ladder once for `today` (default: the local date). Idempotent."""
    today = today or timezone.localdate()
    result = SweepResult(today=today)
    open_items = Item.objects.filter(plan__status=PlanStatus.ACTIVE, completed_on__isnull=True)
    # 1. Report slots, 2. cached states.
    result.slots_opened = _open_slots(open_items, today)
    result.states_changed = states_refresh(_states_stale(open_items, today), today)
    # The active plans' tallies recounted whole: whatever wrote a state, a tally mends by the next day.
    tallies_rebuild(Plan.objects.filter(status=PlanStatus.ACTIVE).values_list("pk", flat=True))
    # 3. The ladder.
    rungs = defaultdict(list)
    for rung in ReminderRung.objects.filter(active=True, plan__status=PlanStatus.ACTIVE).order_by("order", "id"):
        rungs[rung.plan_id].append(rung)
    ids = list(open_items.order_by("pk").values_list("pk", flat=True))
    result.items = len(ids)
    for start in range(0, len(ids), CHUNK):
        _sweep_chunk(ids[start : start + CHUNK], rungs, today, result)
    logger.info("reminder sweep: %s", result)
    return result


def _open_slots(open_items, today: datetime.date) -> int:
    """Open missing report slots, touching only the items whose current slot is not there yet."""
    latest = dict(
        ProgressReport.objects.filter(item__in=open_items)
        .values("item_id")
        .annotate(last=Max("period_start"))
        .values_list("item_id", "last")
    )
    stale = []
    for pk, cadence, cadence_day, start in open_items.values_list("pk", "cadence", "cadence_day", "start_date"):
        slot = slot_for(cadence, cadence_day, start, today)
        if slot is not None and (latest.get(pk) is None or latest[pk] < slot.period_start):
            stale.append(pk)
    opened = 0
    for start in range(0, len(stale), CHUNK):
        for item in Item.objects.filter(pk__in=stale[start : start + CHUNK]):
            opened += report_slots_open(item=item, today=today)
    return opened


def _sweep_chunk(ids: list[int], rungs: dict, today: datetime.date, result: SweepResult) -> None:
    items = Item.objects.filter(pk__in=ids).select_related("plan", "responsible_person", "patron_leader")
    states = {s.item_id: s for s in ItemState.objects.filter(item_id__in=ids)}
    missing = defaultdict(list)
    unfinished = ProgressReport.objects.filter(item_id__in=ids, status__in=UNFINISHED, due_date__lt=today)
    for item_id, *dates in unfinished.order_by("due_date").values_list(
        "item_id", "period_start", "period_end", "due_date"
    ):
        missing[item_id].append(Missing(*dates))
    rung_ids = [r.pk for plan_rungs in rungs.values() for r in plan_rungs]
    past = defaultdict(list)  # (item, rung) -> [(on_date, due_date)] of earlier days
    claimed_today = set()
    for item_id, rung_id, on_date, due_date in ReminderSent.objects.filter(
        item_id__in=ids, rung_id__in=rung_ids
    ).values_list("item_id", "rung_id", "on_date", "due_date"):
        if on_date == today:
            claimed_today.add((item_id, rung_id))
        elif on_date < today:
            past[item_id, rung_id].append((on_date, due_date))

    items = list(items)
    directory = Directory(item.lead_unit_id for item in items)
    due = []  # (item, state, firing, people) to claim; people are read before any claim
    for item in items:
        state = states.get(item.pk)
        if state is None or not rungs.get(item.plan_id):
            continue
        by_trigger = defaultdict(list)
        for rung in rungs[item.plan_id]:
            firing = _firing(rung, item, state, missing[item.pk], past[item.pk, rung.pk], today)
            if firing is not None:
                by_trigger[rung.trigger].append(firing)
        for trigger, firings in by_trigger.items():
            # Every worker picks the same sender: rungs claimed today still take part here.
            sender = _tightest(trigger, firings)
            for firing in firings:
                if (item.pk, firing.rung.pk) in claimed_today:
                    result.skipped += 1
                    continue
                try:
                    people = people_for(item, firing.rung.recipients, directory) if firing is sender else None
                except Exception:
                    logger.exception("recipients of item %s, rung %s failed", item.pk, firing.rung.pk)
                    result.failed += 1
                    continue
                due.append((item, state, firing, people))
    for start in range(0, len(due), CLAIM_BATCH):
        batch = due[start : start + CLAIM_BATCH]
        try:
            done = _claim_batch(batch, today)
        except Exception:
            # Rolled back whole: claim one by one below, so only the failing ones fail.
            logger.warning("reminder batch failed; claiming one by one", exc_info=True)
        else:
            result.merge(done)
            continue
        # One transaction for the batch, one savepoint per claim: a failing claim rolls
        # back alone (with its messages).
        with transaction.atomic():
            for item, state, firing, people in batch:
                try:
                    _claim(item, state, firing, people=people, today=today, result=result)
                except Exception:
                    # The claim rolled back with its messages: the next run tries again.
                    logger.exception("reminder for item %s, rung %s failed", item.pk, firing.rung.pk)
                    result.failed += 1


def _claim_batch(batch: list, today: datetime.date) -> SweepResult:
    """Claim a batch of firings in one transaction, with a few bulk inserts: the claims
    taken by now (another worker) are read under the sweep's lock and skipped, the rest
    inserted, their messages sent and their timeline rows written. Raises (having written
    nothing) if anything fails."""
    done = SweepResult(today=today)
    with transaction.atomic():
        _sweep_lock()
        taken = set(
            ReminderSent.objects.filter(
                item_id__in={item.pk for item, *_ in batch},
                rung_id__in={firing.rung.pk for _, _, firing, _ in batch},
                on_date=today,
            ).values_list("item_id", "rung_id")
        )
        claims, logs, outgoing = [], [], []
        for item, state, firing, people in batch:
            if (item.pk, firing.rung.pk) in taken:
                done.skipped += 1
                continue
            claims.append(
                ReminderSent(
                    item=item, rung=firing.rung, on_date=today, due_date=firing.due_date, recipients=len(people or [])
                )
            )
            message = _outgoing(item, state, firing, people, logs) if people is not None else None
            if message:
                outgoing.append(message)
            else:
                done.silent += 1
        ReminderSent.objects.bulk_create(claims)
        sent = messages_send(outgoing)
        ItemLog.objects.bulk_create(logs)
    done.reminders += len(sent)
    done.messages += sum(len(messages) for messages in sent)
    return done


def _sweep_lock() -> None:
    """Serialize the claim batches of concurrent sweeps. SQLite: the IMMEDIATE transaction
    holds the write lock already; PostgreSQL: a transaction-level advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK])


def _firing(rung, item, state, reports, past, today) -> Firing | None:
    """Whether `rung` is due for `item` today, judged on sends of earlier days only."""
    days_left = state.days_left
    found: list = []
    due_date = item.due_date
    if rung.trigger == RungTrigger.BEFORE_DUE:
        hit = days_left is not None and 0 <= days_left <= rung.days
    elif rung.trigger == RungTrigger.OVERDUE:
        hit = days_left is not None and days_left < 0 and -days_left >= rung.days
    elif rung.trigger == RungTrigger.BEHIND:
        hit = state.status == Status.BEHIND
    elif rung.trigger == RungTrigger.REPORT_MISSING:
        found = [r for r in reports if (today - r.due_date).days > rung.days]
        if rung.repeat_days == 0:
            # Once per missing report: a claim covers every report due up to its due_date.
            covered = max((d for _, d in past if d is not None), default=None)
            found = [r for r in found if covered is None or r.due_date > covered]
        hit = bool(found)
        due_date = found[-1].due_date if found else None
    else:
        return None
    if not hit:
        return None
    if rung.repeat_days == 0:
        if rung.trigger != RungTrigger.REPORT_MISSING and any(d == due_date for _, d in past):
            return None
    else:
        last = max((on for on, _ in past), default=None)
        if last is not None and (today - last).days < rung.repeat_days:
            return None
    return Firing(rung=rung, due_date=due_date, reports=tuple(found))


def _tightest(trigger: str, firings: list[Firing]) -> Firing:
    """The rung that speaks when several of one trigger fire together: the closest to the
    due date before it, the most escalated (most days) after it or for missing reports."""
    if trigger == RungTrigger.BEFORE_DUE:
        return min(firings, key=lambda f: (f.rung.days, f.rung.order, f.rung.pk))
    return max(firings, key=lambda f: (f.rung.days, -f.rung.order, -f.rung.pk))


def _claim(item, state, firing: Firing, *, people: list | None, today, result: SweepResult) -> None:
    """Claim one firing and, when `people` is not None (the rung that speaks), send to them."""
    rung = firing.rung
    send = people is not None
    people = people or []
    claimed = False
    try:
        # One savepoint for the claim and what it sends: both stay, or neither.
        with transaction.atomic():
            ReminderSent.objects.create(
                item=item, rung=rung, on_date=today, due_date=firing.due_date, recipients=len(people)
            )
            claimed = True
            logs = []
            message = _outgoing(item, state, firing, people, logs) if send else None
            sent = messages_send([message])[0] if message else None
            ItemLog.objects.bulk_create(logs)
    except IntegrityError:
        if claimed:
            raise
        result.skipped += 1  # another worker claimed it a moment ago
        return
    if not sent:
        result.silent += 1
        return
    result.reminders += 1
    result.messages += len(sent)


def _outgoing(item, state, firing: Firing, people: list, logs: list) -> dict | None:
    """The message telling `people` of the firing, as messages_send takes it (None when
    nobody can be told); its timeline row is appended to `logs`."""
    rung = firing.rung
    label = rung_label(rung)
    if not people:
        text = _("自动提醒（%(rung)s）未找到提醒对象，请核对责任人和角色授权。") % {"rung": label}
        logs.append(_log(item, text, rung, []))
        return None
    title, body = _texts(item, state, firing)
    names = "、".join(p.name for p in people)
    text = _("自动提醒（%(rung)s）已发送给：%(names)s") % {"rung": label, "names": names}
    logs.append(_log(item, text, rung, [p.pk for p in people]))
    return {
        "recipients": people,
        "kind": MessageKind.REMINDER,
        "title": title,
        "body": body,
        "url": item.get_absolute_url(),
    }


def _log(item, text: str, rung, recipients: list) -> ItemLog:
    """The item's timeline row of a reminder."""
    return log_entry(item, LogKind.REMINDER, text=text, rung=rung.pk, trigger=rung.trigger, recipients=recipients)


def _texts(item, state, firing: Firing) -> tuple[str, str]:
    """The message's title and body, in Chinese."""
    values = {
        "item": item.title,
        "plan": item.plan.title,
        "due": cn_date(item.due_date, full=True),
        "days": abs(state.days_left or 0),
    }
    trigger = firing.rung.trigger
    if trigger == RungTrigger.BEFORE_DUE:
        values["when"] = _("今天到期") if state.days_left == 0 else _("还有 %(days)d 天到期") % values
        title = _("到期提醒：“%(item)s”%(when)s") % values
        body = _(
            "督办事项“%(item)s”（%(plan)s）的完成时限是 %(due)s，%(when)s。"
            "请抓紧推进、按时完成；确有困难请及时申请延期。"
        )
    elif trigger == RungTrigger.OVERDUE:
        title = _("逾期提醒：“%(item)s”已逾期 %(days)d 天") % values
        body = _(
            "督办事项“%(item)s”（%(plan)s）的完成时限是 %(due)s，已逾期 %(days)d 天。"
            "请尽快完成，并在进展报告中说明逾期原因和预计完成时间。"
        )
    elif trigger == RungTrigger.BEHIND:
        values["reason"] = state.reason
        title = _("进度滞后提醒：“%(item)s”") % values
        body = _("督办事项“%(item)s”（%(plan)s）进度滞后：%(reason)s。请加快推进，并在下次进展报告中说明措施。")
    else:
        reports = firing.reports
        values["count"] = len(reports)
        values["periods"] = "；".join(
            _("%(start)s—%(end)s（%(due)s截止）")
            % {"start": cn_date(r.period_start), "end": cn_date(r.period_end), "due": cn_date(r.due_date)}
            for r in reports[:MAX_LISTED_REPORTS]
        )
        if len(reports) > MAX_LISTED_REPORTS:
            values["periods"] += _("等，共 %(count)d 期") % values
        title = _("缺报提醒：“%(item)s”有 %(count)d 期进展报告未报") % values
        body = _("督办事项“%(item)s”（%(plan)s）以下进展报告已过填报截止日期仍未提交：%(periods)s。请尽快填报并提交。")
    return title, body % values

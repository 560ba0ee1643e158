"""Supervision actions (督办措施): reminders by the office (催办), supervision notices
(督办单) with their answers, warnings (告诫提醒), accountability (问责), leader
instructions (批示) and circulars (通报).

Each service checks who may act and from which state, writes in one transaction,
logs the item's timeline and puts messages in the inboxes of the people concerned.
The `can_*` rules and `item_action_rules` are what the pages ask before showing a button.
"""

import datetime
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from duban.lib.dates import cn_date
from duban.lib.uploads import EVIDENCE_SIGNATURES, safe_name
from duban.notify.models import MessageKind
from duban.notify.services import message_send
from duban.org.access import ALL, Access, access_for
from duban.org.models import Person, Role, Unit
from duban.supervision import access as rules
from duban.supervision.models import (
    Accountability,
    AccountabilityKind,
    Circular,
    Instruction,
    Item,
    ItemLog,
    LogKind,
    Notice,
    NoticeStatus,
    Plan,
    Recipient,
    Status,
    Warning,
)
from duban.supervision.recipients import people_for
from duban.supervision.services import Refused
from duban.supervision.services.items import log
from duban.supervision.status import LAGGING

ERR_CANNOT_URGE = "只有督查办可以催办。"
ERR_CANNOT_ISSUE_NOTICE = "只有督查办可以下发督办单。"
ERR_CANNOT_ANSWER = "只有督办单主送单位的负责人或联络员可以回复。"
ERR_CANNOT_CLOSE = "只有督查办可以办结督办单。"
ERR_CANNOT_WARN = "只有督查办或纪检部门可以发出告诫提醒。"
ERR_CANNOT_HOLD_ACCOUNTABLE = "只有纪检部门或督查办可以记录问责。"
ERR_CANNOT_INSTRUCT = "只有能查看该事项的校领导可以批示。"
ERR_CANNOT_CIRCULATE = "只有督查办可以发布通报。"
ERR_ITEM_DONE = "该事项已办结，无需再催办或督办。"
ERR_TEXT = "请填写内容。"
ERR_REQUIREMENT = "请填写督办要求。"
ERR_RESPONSE = "请填写办理情况。"
ERR_REASON = "请填写问责事由。"
ERR_TITLE = "请填写标题。"
ERR_RESPOND_BY_PAST = "回复时限不能早于今天。"
ERR_DECIDED_FUTURE = "决定日期不能晚于今天。"
ERR_KIND = "请选择问责方式。"
ERR_NOT_ISSUED = "该督办单已回复或已办结，不能再回复。"
ERR_NOT_ANSWERED = "只有已回复的督办单可以办结。"
ERR_NUMBERING = "督办单编号冲突，请重试。"
ERR_FILE_TYPE = "只能上传 PDF、Word（.docx/.doc）或图片（.jpg/.png）文件。"
ERR_FILE_CONTENT = "文件内容与扩展名不符，请上传原始文件。"
ERR_FILE_TOO_LARGE = "文件不能超过 {limit} MB。"
ERR_FILE_EMPTY = "文件是空的。"

# The document number of a notice; N restarts at 1 every year.
NOTICE_NUMBER = "督办〔{year}〕{serial}号"
NUMBERING_ATTEMPTS = 5
NUMBERING_LOCK = 0x6475_6230  # advisory-lock class of notice numbering ("dub0")

# Decision documents: the evidence types of duban.lib.uploads narrowed to PDF, Word and images.
FILE_SIGNATURES = {ext: EVIDENCE_SIGNATURES[ext] for ext in (".pdf", ".docx", ".doc", ".jpg", ".jpeg", ".png")}


# --- Who may do what ---------------------------------------------------------------


def can_urge(access: Access, item: Item) -> bool:
    return rules.can_manage(access)


def can_issue_notice(access: Access, item: Item) -> bool:
    return rules.can_manage(access)


def can_answer_notice(access: Access, notice: Notice) -> bool:
    """The head or liaison of the unit the notice is addressed to (or of a unit above it)."""
    return access.covers(notice.addressee_unit_id, Role.UNIT_HEAD, Role.LIAISON)


def can_close_notice(access: Access, notice: Notice) -> bool:
    return rules.can_manage(access)


def can_warn(access: Access, item: Item) -> bool:
    return access.has(Role.OFFICE, Role.DISCIPLINE)


def can_hold_accountable(access: Access, item: Item) -> bool:
    return access.has(Role.DISCIPLINE, Role.OFFICE)


def can_add_instruction(access: Access, item: Item) -> bool:
    return rules.can_instruct(access, item) and rules.can_see_item(access, item)


def can_see_accountability(access: Access, item: Item) -> bool:
    """Accountability records are sensitive: the office, discipline, leaders who see the
    item, and the head of the lead unit."""
    if access.has(Role.OFFICE, Role.DISCIPLINE):
        return True
    if access.has(Role.LEADER) and rules.can_see_item(access, item):
        return True
    return access.covers(item.lead_unit_id, Role.UNIT_HEAD)


def can_issue_circular(access: Access, plan: Plan) -> bool:
    return rules.can_manage(access)


def can_see_circulars(access: Access) -> bool:
    return rules.can_see_plans(access)


def notices_visible(access: Access, queryset):
    """The office, discipline and institution-wide leaders see every notice; units see
    the notices addressed to them; people see notices on items they are responsible for
    or patron of."""
    if not access.grants or access.is_admin:
        return queryset.none()
    if access.has(*rules.SEE_ALL) or access.scope(Role.LEADER) == ALL:
        return queryset
    units: set[int] = set()
    for role in (Role.LEADER, Role.UNIT_HEAD, Role.LIAISON, Role.TASKFORCE):
        scope = access.scope(role)
        if scope == ALL:
            return queryset
        units |= scope
    person = access.person
    return queryset.filter(
        Q(addressee_unit_id__in=units) | Q(item__responsible_person=person) | Q(item__patron_leader=person)
    )


def can_see_notice(access: Access, notice: Notice) -> bool:
    return notices_visible(access, Notice.objects.filter(pk=notice.pk)).exists()


def item_action_rules(access: Access, item: Item) -> dict[str, bool]:
    """Which action buttons the item page shows (supervision/actions/_item_actions.html)
    and whether it lists accountability records (_item_records.html)."""
    open_item = item.completed_on is None
    result = {
        "urge": open_item and can_urge(access, item),
        "notice": open_item and can_issue_notice(access, item),
        "warning": can_warn(access, item),
        "accountability": can_hold_accountable(access, item),
        "instruction": can_add_instruction(access, item),
    }
    result["any"] = any(result.values())
    result["see_accountability"] = can_see_accountability(access, item)
    return result


# --- Helpers ---------------------------------------------------------------------


def _unit_people(unit_ids, roles) -> list[Person]:
    """Active people holding one of the roles on exactly these units."""
    return list(
        Person.objects.filter(is_active=True, grants__role__in=roles, grants__unit_id__in=list(unit_ids))
        .distinct()
        .order_by("pk")
    )


def _required(text: str, error: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Refused(error)
    return text


def _item_url(item: Item) -> str:
    return item.get_absolute_url()


def attachment_check(upload) -> None:
    """A decision document must be small enough, of an allowed type, and really be
    what its extension says (checked by the file's first bytes)."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise Refused(ERR_FILE_TOO_LARGE.format(limit=settings.UPLOAD_MAX_BYTES // (1024 * 1024)))
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in FILE_SIGNATURES:
        raise Refused(ERR_FILE_TYPE)
    if upload.size == 0:
        raise Refused(ERR_FILE_EMPTY)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in FILE_SIGNATURES[extension]):
        raise Refused(ERR_FILE_CONTENT)


# --- 催办 ---------------------------------------------------------------------------


@transaction.atomic
def item_urge(*, acting_user, item: Item, text: str) -> ItemLog:
    """The office urges the lead unit: the responsible person, unit heads and liaisons
    get the office's text in their inbox."""
    if not can_urge(access_for(acting_user), item):
        raise PermissionDenied(ERR_CANNOT_URGE)
    if item.completed_on:
        raise Refused(ERR_ITEM_DONE)
    text = _required(text, ERR_TEXT)
    recipients = people_for(item, [Recipient.RESPONSIBLE, Recipient.UNIT_HEAD, Recipient.LIAISON])
    sent = message_send(
        recipients=recipients, kind=MessageKind.URGE, title=f"催办：{item.title}", body=text, url=_item_url(item)
    )
    return log(item, LogKind.URGED, acting_user, text, recipients=[m.recipient_id for m in sent])


# --- 督办单 -------------------------------------------------------------------------


def _lock_numbering(year: int) -> None:
    """Serialize numbering within a year until the transaction ends. SQLite already runs
    one writer at a time (IMMEDIATE transactions); on PostgreSQL a transaction-scoped
    advisory lock does it, so concurrent requests queue instead of colliding."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [NUMBERING_LOCK, year])


def _next_serial(year: int) -> int:
    return (Notice.objects.filter(year=year).aggregate(last=Max("serial"))["last"] or 0) + 1


def notice_default_title(item: Item) -> str:
    return f"关于督办“{item.title}”的通知"[:200]


@transaction.atomic
def notice_issue(
    *,
    acting_user,
    item: Item,
    requirement: str,
    respond_by: datetime.date,
    addressee_unit: Unit | None = None,
    title: str = "",
    today: datetime.date | None = None,
) -> Notice:
    """Issue a numbered notice to the item's lead unit (or another unit)."""
    if not can_issue_notice(access_for(acting_user), item):
        raise PermissionDenied(ERR_CANNOT_ISSUE_NOTICE)
    if item.completed_on:
        raise Refused(ERR_ITEM_DONE)
    requirement = _required(requirement, ERR_REQUIREMENT)
    today = today or timezone.localdate()
    if respond_by < today:
        raise Refused(ERR_RESPOND_BY_PAST)
    addressee_unit = addressee_unit or item.lead_unit
    title = (title or "").strip() or notice_default_title(item)
    # The (year, serial) unique constraint is the guard; the lock makes collisions rare,
    # and on one (another request committed the same serial) the next serial is read again.
    _lock_numbering(today.year)
    for _attempt in range(NUMBERING_ATTEMPTS):
        serial = _next_serial(today.year)
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    item=item,
                    year=today.year,
                    serial=serial,
                    number=NOTICE_NUMBER.format(year=today.year, serial=serial),
                    title=title[:200],
                    addressee_unit=addressee_unit,
                    requirement=requirement,
                    respond_by=respond_by,
                    issued_by=acting_user,
                )
        except IntegrityError:
            if not Notice.objects.filter(year=today.year, serial=serial).exists():
                raise
            continue
        break
    else:
        raise Refused(ERR_NUMBERING)
    log(item, LogKind.NOTICE_ISSUED, acting_user, f"{notice.number}：{requirement}", notice=notice.pk)
    recipients = _unit_people([addressee_unit.pk], [Role.UNIT_HEAD, Role.LIAISON])
    recipients.append(item.responsible_person)
    message_send(
        recipients=recipients,
        kind=MessageKind.NOTICE,
        title=f"督办单 {notice.number}：{item.title}",
        body=f"{requirement}\n请于{cn_date(respond_by, full=True)}前在督办平台回复办理情况。",
        url=reverse("supervision:notice_detail", args=[notice.pk]),
    )
    return notice


@transaction.atomic
def notice_answer(*, acting_user, notice: Notice, response: str) -> Notice:
    """The addressed unit answers: ISSUED → ANSWERED; the issuer is told."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not can_answer_notice(access_for(acting_user), notice):
        raise PermissionDenied(ERR_CANNOT_ANSWER)
    if notice.status != NoticeStatus.ISSUED:
        raise Refused(ERR_NOT_ISSUED)
    notice.response = _required(response, ERR_RESPONSE)
    notice.status = NoticeStatus.ANSWERED
    notice.responded_by = acting_user
    notice.responded_at = timezone.now()
    notice.save(update_fields=["response", "status", "responded_by", "responded_at"])
    log(notice.item, LogKind.NOTICE_ANSWERED, acting_user, f"{notice.number}：{notice.response}", notice=notice.pk)
    message_send(
        recipients=[notice.issued_by],
        kind=MessageKind.NOTICE,
        title=f"督办单已回复：{notice.number}",
        body=notice.response,
        url=reverse("supervision:notice_detail", args=[notice.pk]),
    )
    return notice


@transaction.atomic
def notice_close(*, acting_user, notice: Notice, comment: str = "") -> Notice:
    """The office accepts the answer: ANSWERED → CLOSED."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not can_close_notice(access_for(acting_user), notice):
        raise PermissionDenied(ERR_CANNOT_CLOSE)
    if notice.status != NoticeStatus.ANSWERED:
        raise Refused(ERR_NOT_ANSWERED)
    notice.status = NoticeStatus.CLOSED
    notice.save(update_fields=["status"])
    comment = (comment or "").strip()
    text = f"督办单 {notice.number} 办结" + (f"：{comment}" if comment else "")
    # LogKind has no NOTICE_CLOSED yet; `data.action` tells this row apart from item edits.
    log(notice.item, LogKind.UPDATED, acting_user, text, notice=notice.pk, action="notice_closed")
    message_send(
        recipients=[notice.responded_by],
        kind=MessageKind.NOTICE,
        title=f"督办单已办结：{notice.number}",
        body=comment,
        url=reverse("supervision:notice_detail", args=[notice.pk]),
    )
    return notice


# --- 告诫提醒 -----------------------------------------------------------------------


@transaction.atomic
def warning_issue(*, acting_user, item: Item, text: str, unit: Unit | None = None, person=None) -> Warning:
    """Warn a unit (by default the lead unit) and optionally one person."""
    if not can_warn(access_for(acting_user), item):
        raise PermissionDenied(ERR_CANNOT_WARN)
    text = _required(text, ERR_TEXT)
    unit = unit or item.lead_unit
    warning = Warning.objects.create(item=item, unit=unit, person=person, text=text, issued_by=acting_user)
    who = unit.name + (f"（{person.name}）" if person else "")
    log(item, LogKind.WARNING, acting_user, f"告诫提醒{who}：{text}", warning=warning.pk)
    message_send(
        recipients=[*_unit_people([unit.pk], [Role.UNIT_HEAD]), person],
        kind=MessageKind.WARNING,
        title=f"告诫提醒：{item.title}",
        body=text,
        url=_item_url(item),
    )
    return warning


# --- 问责 ---------------------------------------------------------------------------


@transaction.atomic
def accountability_record(
    *,
    acting_user,
    item: Item,
    kind: str,
    reason: str,
    decided_on: datetime.date,
    unit: Unit | None = None,
    person=None,
    decision_title: str = "",
    decision_number: str = "",
    decision_file=None,
    today: datetime.date | None = None,
) -> Accountability:
    """Record an accountability decision and its document."""
    if not can_hold_accountable(access_for(acting_user), item):
        raise PermissionDenied(ERR_CANNOT_HOLD_ACCOUNTABLE)
    if kind not in AccountabilityKind.values:
        raise Refused(ERR_KIND)
    reason = _required(reason, ERR_REASON)
    if decided_on > (today or timezone.localdate()):
        raise Refused(ERR_DECIDED_FUTURE)
    if decision_file:
        attachment_check(decision_file)
    unit = unit or item.lead_unit
    record = Accountability(
        item=item,
        unit=unit,
        person=person,
        kind=kind,
        reason=reason,
        decision_title=(decision_title or "").strip()[:200],
        decision_number=(decision_number or "").strip()[:60],
        decided_on=decided_on,
        recorded_by=acting_user,
    )
    if decision_file:
        record.decision_file.save(safe_name(decision_file.name), decision_file, save=False)
    record.save()
    # The timeline is read by everyone who sees the item; the details stay in the record,
    # which only can_see_accountability may read.
    log(item, LogKind.ACCOUNTABILITY, acting_user, record.get_kind_display(), accountability=record.pk)
    message_send(
        recipients=[*_unit_people([unit.pk], [Role.UNIT_HEAD]), person],
        kind=MessageKind.WARNING,
        title=f"问责决定（{record.get_kind_display()}）：{item.title}",
        body=reason,
        url=_item_url(item),
    )
    return record


# --- 领导批示 -----------------------------------------------------------------------


@transaction.atomic
def instruction_add(*, acting_user, item: Item, text: str) -> Instruction:
    """A leader's instruction; the responsible person, the lead unit and the office read it."""
    if not can_add_instruction(access_for(acting_user), item):
        raise PermissionDenied(ERR_CANNOT_INSTRUCT)
    text = _required(text, ERR_TEXT)
    instruction = Instruction.objects.create(item=item, leader=acting_user, text=text)
    log(item, LogKind.INSTRUCTION, acting_user, text, instruction=instruction.pk)
    recipients = people_for(item, [Recipient.RESPONSIBLE, Recipient.UNIT_HEAD, Recipient.LIAISON, Recipient.OFFICE])
    message_send(
        recipients=[p for p in recipients if p.pk != acting_user.pk],
        kind=MessageKind.INSTRUCTION,
        title=f"{acting_user.name}批示：{item.title}",
        body=text,
        url=_item_url(item),
    )
    return instruction


# --- 通报 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LaggingUnit:
    unit: Unit
    overdue: int
    behind: int

    @property
    def total(self) -> int:
        return self.overdue + self.behind


def lagging_units(plan: Plan) -> list[LaggingUnit]:
    """Lead units of the plan's open items whose cached status is overdue or behind,
    worst first (most overdue, then most behind)."""
    rows = (
        Item.objects.filter(plan=plan, completed_on__isnull=True, state__status__in=LAGGING)
        .values("lead_unit_id")
        .annotate(
            overdue=Count("pk", filter=Q(state__status=Status.OVERDUE)),
            behind=Count("pk", filter=Q(state__status=Status.BEHIND)),
        )
    )
    counts = {row["lead_unit_id"]: (row["overdue"], row["behind"]) for row in rows}
    units = Unit.objects.in_bulk(list(counts))
    result = [LaggingUnit(units[pk], *counts[pk]) for pk in counts]
    result.sort(key=lambda lag: (-lag.overdue, -lag.behind, lag.unit.order, lag.unit.pk))
    return result


@transaction.atomic
def circular_issue(*, acting_user, plan: Plan, title: str, body: str, units=None, number: str = "") -> Circular:
    """Publish a circular on a plan naming units (by default the lagging ones); their heads are told."""
    if not can_issue_circular(access_for(acting_user), plan):
        raise PermissionDenied(ERR_CANNOT_CIRCULATE)
    title = _required(title, ERR_TITLE)
    body = _required(body, ERR_TEXT)
    if units is None:
        units = [lag.unit for lag in lagging_units(plan)]
    units = list(units)
    circular = Circular.objects.create(
        plan=plan, title=title[:200], body=body, number=(number or "").strip()[:40], issued_by=acting_user
    )
    circular.units.set(units)
    message_send(
        recipients=_unit_people([u.pk for u in units], [Role.UNIT_HEAD]),
        kind=MessageKind.CIRCULAR,
        title=f"通报：{circular.title}",
        body=body,
        url=reverse("supervision:circular_detail", args=[circular.pk]),
    )
    return circular

"""Look-back rounds (回头看)."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from duban.org.access import access_for
from duban.rectification import access as rules
from duban.rectification.models import (
    FOUR_LOOKS,
    ClosureState,
    Finding,
    LookbackReview,
    LookbackRound,
    LookbackTemplate,
    Measure,
    Relapse,
    ReviewVerdict,
    RoundState,
)
from duban.rectification.selectors.snapshot import compare, ledger_snapshot
from duban.rectification.services import PermissionDenied, Refused
from duban.rectification.services.findings import finding_save, require_office
from duban.rectification.services.watch import measure_relapse
from duban.supervision.models import LogKind
from duban.supervision.services.items import log

ERR_ROUND_OPEN = "该整改方案已有一轮回头看正在进行，请先结束它。"
ERR_ROUND_CLOSED = "这一轮回头看已结束。"
ERR_NO_POINTS = "检查要点至少需要一条。"
ERR_BAD_POINTS = "检查要点格式不正确：每条须有不重复的编号和内容。"
ERR_REVIEWS_EXIST = "已有检查记录，不能再修改检查要点。"
ERR_CANNOT_REVIEW = "只有联系该单位的联络组成员、纪检或督查办可以检查这项措施。"
ERR_WRONG_PLAN = "这项措施不属于本轮回头看的整改方案。"
ERR_ANSWER = "检查要点“{label}”的结果只能是：是、部分、否。"
ERR_RELAPSE_OPEN = "该措施尚未销号，不能判定为反弹；请选择“进展滞后”。"
ERR_RELAPSE_REMARKS = "判定为反弹时，请在检查意见中写明具体情况。"
ERR_NO_VERDICT = "请选择检查结论。"
ERR_ANSWER_MISSING = "请逐项填写检查结果：“{label}”尚未选择。"
ERR_FINDING_EXISTS = "只能在回头看中新增问题，不能修改已有问题。"
ERR_TEMPLATE_NAME = "请填写模板名称。"
ERR_TEMPLATE_DUPLICATE = "已有名为“{name}”的模板。"
ANSWERS = {"yes": "是", "partly": "部分", "no": "否"}


def default_points() -> list[dict]:
    template = LookbackTemplate.objects.filter(is_default=True).first()
    return [dict(p) for p in (template.points if template else FOUR_LOOKS)]


def parse_points(text: str) -> list[dict]:
    """One checklist point per non-empty line; keys are p1, p2, …"""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise Refused(ERR_NO_POINTS)
    return [{"key": f"p{i}", "label": line[:200]} for i, line in enumerate(lines, start=1)]


def clean_points(points) -> list[dict]:
    """A checklist as stored: a non-empty list of {"key", "label"} with unique keys
    (what the API or a template may hand in is checked here, not trusted)."""
    clean, keys = [], set()
    for point in points or []:
        key = str(point.get("key", "")).strip() if isinstance(point, dict) else ""
        label = str(point.get("label", "")).strip() if isinstance(point, dict) else ""
        if not key or not label or key in keys:
            raise Refused(ERR_BAD_POINTS)
        keys.add(key)
        clean.append({"key": key[:20], "label": label[:200]})
    if not clean:
        raise Refused(ERR_NO_POINTS)
    return clean


@transaction.atomic
def round_open(*, acting_user, plan, title: str = "", checklist: list[dict] | None = None) -> LookbackRound:
    """Open a round over a plan: the ledger is snapshotted as it stands."""
    require_office(acting_user)
    if LookbackRound.objects.select_for_update().filter(plan=plan, state=RoundState.OPEN).exists():
        raise Refused(ERR_ROUND_OPEN)
    number = (LookbackRound.objects.filter(plan=plan).aggregate(m=Max("number"))["m"] or 0) + 1
    checklist = clean_points(checklist or default_points())
    try:
        with transaction.atomic():
            return LookbackRound.objects.create(
                plan=plan,
                number=number,
                title=(title or "").strip()[:120] or f"第{number}轮整改落实“回头看”",
                checklist=checklist,
                opened_by=acting_user,
                snapshot=ledger_snapshot(plan),
            )
    except IntegrityError:
        # Another office clerk opened one at the same moment (round_one_open_per_plan).
        raise Refused(ERR_ROUND_OPEN) from None


@transaction.atomic
def round_checklist_update(*, acting_user, round: LookbackRound, checklist: list[dict]) -> LookbackRound:
    require_office(acting_user)
    round = LookbackRound.objects.select_for_update().get(pk=round.pk)
    if round.state != RoundState.OPEN:
        raise Refused(ERR_ROUND_CLOSED)
    if round.reviews.exists():
        raise Refused(ERR_REVIEWS_EXIST)
    round.checklist = clean_points(checklist)
    round.save(update_fields=["checklist"])
    return round


@transaction.atomic
def review_save(
    *,
    acting_user,
    round: LookbackRound,
    measure: Measure,
    answers: dict,
    verdict: str,
    remarks: str = "",
    today: datetime.date | None = None,
) -> LookbackReview:
    """Record (or revise) the round's verdict on a measure. A first verdict of 反弹 on a
    closed measure records the relapse and reopens it."""
    today = today or timezone.localdate()
    round = LookbackRound.objects.select_for_update().get(pk=round.pk)
    if round.state != RoundState.OPEN:
        raise Refused(ERR_ROUND_CLOSED)
    measure = Measure.objects.select_related("item", "finding").get(pk=measure.pk)
    if measure.finding.plan_id != round.plan_id:
        raise Refused(ERR_WRONG_PLAN)
    if not rules.can_review_lookback(access_for(acting_user), measure):
        raise PermissionDenied(ERR_CANNOT_REVIEW)
    if verdict not in ReviewVerdict.values:
        raise Refused(ERR_NO_VERDICT)
    clean = {}
    for point in round.checklist:
        value = (answers or {}).get(point["key"], "")
        if value in ("", None):
            raise Refused(ERR_ANSWER_MISSING.format(label=point["label"][:20]))
        if value not in ANSWERS:
            raise Refused(ERR_ANSWER.format(label=point["label"][:20]))
        clean[point["key"]] = value
    remarks = (remarks or "").strip()
    review = LookbackReview.objects.select_for_update().filter(round=round, measure=measure).first()
    # A review reopens a measure at most once: a revised verdict (even back to 反弹 after
    # an interim change) never records a second relapse for the same review.
    already = review is not None and Relapse.objects.filter(review=review).exists()
    first_relapse = verdict == ReviewVerdict.RELAPSED and not already
    if first_relapse:
        if measure.closure != ClosureState.CLOSED:
            raise Refused(ERR_RELAPSE_OPEN)
        if not remarks:
            raise Refused(ERR_RELAPSE_REMARKS)
    if review is None:
        review = LookbackReview(round=round, measure=measure)
    review.answers, review.verdict, review.remarks = clean, verdict, remarks
    review.reviewer, review.reviewed_at = acting_user, timezone.now()
    review.save()
    log(
        measure.item,
        LogKind.UPDATED,
        acting_user,
        f"{round.title}：{ReviewVerdict(verdict).label}" + (f"。{remarks}" if remarks else ""),
    )
    if first_relapse:
        measure_relapse(
            acting_user=acting_user,
            measure=measure,
            description=remarks,
            today=today,
            origin=round.title,
            review=review,
        )
    return review


@transaction.atomic
def round_finding_add(*, acting_user, round: LookbackRound, finding: Finding, units=None) -> Finding:
    """A problem the round found joins the ledger with the round as its origin."""
    require_office(acting_user)
    round = LookbackRound.objects.select_for_update().get(pk=round.pk)
    if round.state != RoundState.OPEN:
        raise Refused(ERR_ROUND_CLOSED)
    if finding.pk is not None:
        raise Refused(ERR_FINDING_EXISTS)
    finding.plan_id = round.plan_id
    finding.origin_round = round
    return finding_save(acting_user=acting_user, finding=finding, units=units)


@transaction.atomic
def round_close(*, acting_user, round: LookbackRound, summary: str = "") -> LookbackRound:
    """Close the round: snapshot the ledger again and compare it with the opening one."""
    require_office(acting_user)
    round = LookbackRound.objects.select_for_update().get(pk=round.pk)
    if round.state != RoundState.OPEN:
        raise Refused(ERR_ROUND_CLOSED)
    closing = ledger_snapshot(round.plan)
    report = compare(round.snapshot, closing)
    verdicts = {}
    for verdict in round.reviews.values_list("verdict", flat=True):
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    report["verdicts"] = verdicts
    report["reviewed"] = sum(verdicts.values())
    report["measures_total"] = len(closing["measures"])
    report["round_findings"] = sorted(round.new_findings.values_list("pk", flat=True))
    round.closing_snapshot, round.report = closing, report
    round.state, round.closed_by, round.closed_at = RoundState.CLOSED, acting_user, timezone.now()
    round.summary = (summary or "").strip()
    round.save()
    return round


@transaction.atomic
def template_save(
    *, acting_user, template: LookbackTemplate, name: str, points: list[dict], is_default: bool = False
) -> LookbackTemplate:
    """Create or edit a checklist template; making it the default unsets the others."""
    require_office(acting_user)
    name = (name or "").strip()[:60]
    if not name:
        raise Refused(ERR_TEMPLATE_NAME)
    points = clean_points(points)
    if LookbackTemplate.objects.filter(name=name).exclude(pk=template.pk).exists():
        raise Refused(ERR_TEMPLATE_DUPLICATE.format(name=name))
    template.name, template.points = name, points
    template.save()
    if is_default:
        template_set_default(acting_user=acting_user, template=template)
    return template


@transaction.atomic
def template_set_default(*, acting_user, template: LookbackTemplate) -> LookbackTemplate:
    """The template new rounds start from (one default at a time)."""
    require_office(acting_user)
    LookbackTemplate.objects.select_for_update().filter(is_default=True).exclude(pk=template.pk).update(
        is_default=False
    )
    LookbackTemplate.objects.filter(pk=template.pk).update(is_default=True)
    template.is_default = True
    return template

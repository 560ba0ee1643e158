"""The rest of the bench city: rectification, meetings, leave, messages and the review session
(see bench/generate.py)."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from bench import texts
from bench.fast import insert
from bench.generate import City, _items, at
from bench.tiers import Tier
from duban.assessment.models import ReviewSession, Subject, VoterGroup
from duban.assessment.rules import Shape
from duban.leave.models import AbsenceRequest, AbsenceType, RequestStep
from duban.meetings.models import Invitation, Meeting
from duban.notify.models import Message
from duban.org.models import Person
from duban.rectification.models import ClosureRequest, Finding, Measure, Recheck, RectificationPlan
from duban.supervision.models import Item, Plan, PlanKind, PlanStatus
from duban.supervision.services.plans import ladder_reset

# ---------------------------------------------------------------- rectification


def rectification(rng: random.Random, tier: Tier, city: City) -> None:
    today = city.today
    office = Person.objects.get(username="office")
    plan = Plan.objects.create(
        title=f"关于{today.year - 2}年市委巡察反馈意见的整改方案",
        kind=PlanKind.RECTIFICATION,
        year=today.year - 1,
        start_date=datetime.date(today.year - 2, 1, 1),
        owner_unit_id=city.office_unit,
        status=PlanStatus.ACTIVE,
        created_by=office,
    )
    ladder_reset(plan=plan)
    RectificationPlan.objects.create(plan=plan, reference="市委第三巡察组反馈意见", disclosed=True)
    city.rect_plan = plan.pk
    per_finding = [rng.randint(2, 4) for _ in range(tier.findings)]
    first, last, counts = _items(rng, city, plan.pk, sum(per_finding), today.year - 2, office.pk, parents=False)
    city.counts["rect_measures"] = counts["items"]
    city.counts["reports"] += counts["reports"]
    measures = list(
        Item.objects.filter(pk__range=(first, last)).order_by("pk").values_list("pk", "lead_unit_id", "completed_on")
    )
    findings, links, rows, closures, rechecks = [], [], [], [], []
    cursor = 0
    for ordinal, count in enumerate(per_finding, start=1):
        mine = measures[cursor : cursor + count]
        cursor += count
        all_closed = all(done for _, _, done in mine)
        findings.append(
            Finding(
                plan=plan,
                ordinal=ordinal,
                reference=f"反馈意见第{ordinal}条",
                category=rng.choice(texts.FINDING_CATEGORIES),
                severity=rng.choice(["general", "general", "serious", "grave"]),
                description=rng.choice(texts.FINDINGS),
                public_summary=rng.choice(texts.FINDINGS)[:30],
                closed_on=max(done for _, _, done in mine) if all_closed else None,
                created_by=office,
            )
        )
        for item_id, lead, done in mine:
            rows.append((item_id, ordinal, lead, done))
    Finding.objects.bulk_create(findings, batch_size=1000)
    finding_ids = dict(Finding.objects.filter(plan=plan).values_list("ordinal", "pk"))
    measure_rows = []
    for item_id, ordinal, lead, done in rows:
        links.append((finding_ids[ordinal], lead))
        kind = rng.choice(["immediate", "deadline", "deadline", "ongoing", "institution"])
        measure_rows.append(
            Measure(
                item_id=item_id,
                finding_id=finding_ids[ordinal],
                type=kind,
                closure="closed" if done else "open",
                closed_on=done,
                closed_by=office if done else None,
                doc_title="关于进一步规范管理的若干规定" if kind == "institution" else "",
                doc_number=f"江政办发〔{today.year - 1}〕{ordinal}号" if kind == "institution" else "",
                doc_date=done if kind == "institution" else None,
            )
        )
        if done:
            closures.append(
                ClosureRequest(
                    measure_id=item_id,
                    status="approved",
                    statement="已按整改措施全部完成，相关制度已印发执行。",
                    requested_by_id=city.liaisons.get(lead),
                    requested_at=at(done, 10),
                    approved_by=office,
                    approved_at=at(done, 16),
                )
            )
    Measure.objects.bulk_create(measure_rows, batch_size=1000)
    insert(Finding.units.through, ["finding", "unit"], sorted(set(links)))
    ClosureRequest.objects.bulk_create(closures, batch_size=1000)
    for closure in ClosureRequest.objects.filter(measure__finding__plan=plan).values("pk", "measure_id", "approved_at"):
        closed = timezone.localdate(closure["approved_at"])
        for offset in (30, 90, 180):
            due = closed + datetime.timedelta(days=offset)
            state = "scheduled" if due > today else ("held" if rng.random() < 0.95 else "relapsed")
            rechecks.append(
                Recheck(
                    measure_id=closure["measure_id"],
                    closure_id=closure["pk"],
                    offset_days=offset,
                    due_on=due,
                    state=state,
                    checked_at=at(due, 10) if state != "scheduled" else None,
                    remark="整改成效巩固良好。" if state == "held" else "",
                )
            )
    Recheck.objects.bulk_create(rechecks, batch_size=2000)
    city.counts.update(findings=len(findings), closures=len(closures), rechecks=len(rechecks))


# ---------------------------------------------------------------- meetings


def meetings(rng: random.Random, tier: Tier, city: City) -> None:
    today = city.today
    office = city.office[0]
    invitations = []
    first = today - datetime.timedelta(days=7 * (tier.meetings - 2))
    made = []
    for n in range(tier.meetings):
        day = first + datetime.timedelta(days=7 * n)
        day -= datetime.timedelta(days=day.weekday())  # Mondays
        kind, name = texts.MEETING_KINDS[n % len(texts.MEETING_KINDS)]
        past = day < today
        made.append(
            Meeting(
                title=f"{day.year}年第{n + 1}次{name}",
                kind=kind,
                status="closed" if past else "announced",
                starts_at=at(day, 9),
                ends_at=at(day, 11, 30),
                place=rng.choice(texts.PLACES),
                host_unit_id=city.office_unit,
                organiser_id=office,
                chair="市长",
                plan_id=city.plan,
                agenda="听取重点工作推进情况汇报\n研究部署下阶段工作",
                created_by_id=office,
                announced_at=at(day - datetime.timedelta(days=5), 9),
                closed_at=at(day, 11, 30) if past else None,
            )
        )
    Meeting.objects.bulk_create(made, batch_size=500)
    unit_ids = [u for u, _ in city.units]
    for meeting in Meeting.objects.order_by("pk").values("pk", "status", "starts_at"):
        invited = rng.sample(unit_ids, min(len(unit_ids), 40))
        for unit in invited:
            head = city.heads[unit]
            closed = meeting["status"] == "closed"
            roll = rng.random()
            attendance = (
                ("present" if roll < 0.85 else "late" if roll < 0.9 else "leave" if roll < 0.96 else "absent")
                if closed
                else "unknown"
            )
            invitations.append(
                (
                    meeting["pk"],
                    head,
                    unit,
                    "accepted" if closed or roll < 0.6 else "pending",
                    "",
                    attendance,
                    meeting["starts_at"] if attendance in ("present", "late") else None,
                    meeting["starts_at"] - datetime.timedelta(days=5),
                )
            )
    insert(
        Invitation,
        ["meeting", "person", "via_unit", "response", "response_note", "attendance", "signed_in_at", "invited_at"],
        invitations,
    )
    city.counts.update(meetings=tier.meetings, invitations=len(invitations))


# ---------------------------------------------------------------- leave


def leave(rng: random.Random, tier: Tier, city: City) -> None:
    """Past requests as they end up (approved and returned, some refused or withdrawn), written
    directly; then a few current ones through the real service, so approvers have work."""
    from duban.leave.services.requests import submit

    today = city.today
    types = {t.code: t for t in AbsenceType.objects.all()}
    people = list(Person.objects.exclude(unit_id=city.root).values_list("pk", "unit_id"))
    requests, steps = [], []
    first_id = (AbsenceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for n in range(tier.leave_requests):
        person, unit = rng.choice(people)
        code = rng.choice(["travel", "travel", "annual", "personal", "sick"])
        start = today - datetime.timedelta(days=rng.randrange(10, 1000))
        start -= datetime.timedelta(days=start.weekday())
        length = rng.randint(1, 5)
        ends = start + datetime.timedelta(days=length - 1)
        roll = rng.random()
        status = "approved" if roll < 0.9 else "refused" if roll < 0.95 else "withdrawn"
        head = city.heads.get(unit)
        requests.append(
            (
                first_id + n,
                person,
                unit,
                types[code].pk,
                start,
                ends,
                Decimal(length),
                rng.choice(texts.DESTINATIONS) if code == "travel" else "",
                rng.choice(texts.LEAVE_REASONS),
                "",
                status,
                at(start - datetime.timedelta(days=3), 9),
                at(start - datetime.timedelta(days=2), 15) if status != "withdrawn" else None,
                ends + datetime.timedelta(days=1) if status == "approved" else None,
                at(ends + datetime.timedelta(days=1), 9) if status == "approved" else None,
                Decimal(length) if status == "approved" else None,
                "",
                1,
            )
        )
        done = {"approved": "done", "refused": "refused", "withdrawn": "cancelled"}[status]
        steps.append(
            (
                first_id + n,
                1,
                "unit_head",
                unit,
                "approve",
                "本单位负责人审批",
                done,
                at(start - datetime.timedelta(days=3), 9),
                head if status != "withdrawn" else None,
                at(start - datetime.timedelta(days=2), 15) if status != "withdrawn" else None,
                "同意" if status == "approved" else "",
            )
        )
    fields = [
        "id",
        "person",
        "unit",
        "absence_type",
        "starts_on",
        "ends_on",
        "days",
        "destination",
        "reason",
        "contact",
        "status",
        "submitted_at",
        "decided_at",
        "returned_on",
        "returned_at",
        "actual_days",
        "return_note",
        "version",
    ]
    insert(AbsenceRequest, fields, requests)
    insert(
        RequestStep,
        [
            "request",
            "order",
            "approver",
            "unit",
            "action",
            "label",
            "status",
            "reached_at",
            "acted_by",
            "acted_at",
            "note",
        ],
        steps,
    )
    from bench.fast import reset_sequences

    reset_sequences(AbsenceRequest)
    # Current requests through the real chains: the persona unit's staff ask their head.
    monday = today + datetime.timedelta(days=7 - today.weekday())
    head_unit = Person.objects.get(username="head").unit_id
    askers = Person.objects.filter(unit_id=head_unit).exclude(username="head").order_by("pk")[:8]
    for i, person in enumerate(askers):
        start = monday + datetime.timedelta(days=7 * (i // 4) + i % 4)
        submit(person, types["travel"], start, start, "参加全省重点项目观摩会", "省城", today=today)
    city.counts.update(leave_requests=len(requests) + len(askers))


# ---------------------------------------------------------------- messages


def messages(rng: random.Random, tier: Tier, city: City) -> None:
    today = city.today
    rows = []
    recipients = list(city.heads.values()) + list(city.liaisons.values()) + city.office
    for person in recipients:
        for k in range(30):
            day = today - datetime.timedelta(days=k * 3)
            rows.append(
                (
                    person,
                    "todo" if k % 3 == 0 else "system",
                    f"{rng.choice(texts.SUBJECTS)}：请按时报送本周进展",
                    "请于本周五前完成填报。",
                    "",
                    at(day, 9),
                    at(day, 15) if k > 2 else None,
                )
            )
    insert(Message, ["recipient", "kind", "title", "body", "url", "created_at", "read_at"], rows)
    city.counts["messages"] = len(rows)


# ---------------------------------------------------------------- the review session


def review(rng: random.Random, tier: Tier, city: City) -> None:
    """A 述职评议 of the unit heads, its ballots cast through the real voting service and closed
    (the result page reads the counted result)."""
    from duban.assessment.demo import _marks
    from duban.assessment.services import codes as code_services
    from duban.assessment.services import sessions as svc
    from duban.assessment.services.voting import ballot_cast
    from duban.org.models import Unit

    office = Person.objects.get(username="office")
    party = Unit.objects.get(name="市直机关工委")
    session = svc.session_create(
        acting_user=office,
        session=ReviewSession(
            title=f"{city.today.year}年度部门主要负责人述职评议",
            year=city.today.year,
            organiser=party,
            held_on=city.today,
            place="市民中心报告厅",
            top_quota_percent=30,
            require_all=True,
        ),
    )
    heads = Person.objects.filter(pk__in=list(city.heads.values())).select_related("unit").order_by("pk")
    for i, person in enumerate(heads[: tier.subjects], start=1):
        svc.part_save(
            acting_user=office,
            obj=Subject(session=session, order=i, person=person, name=person.name, unit=person.unit, position="局长"),
        )
    sizes = [max(1, tier.voters // 20), tier.voters * 7 // 20]
    sizes.append(tier.voters - sum(sizes))
    for order, (name, size) in enumerate(zip(["市领导", "部门负责人", "服务对象代表"], sizes, strict=True), start=1):
        svc.part_save(
            acting_user=office,
            obj=VoterGroup(session=session, order=order, name=name, weight=Decimal(3 - order + 1), ballots=size),
        )
    session = svc.session_open(acting_user=office, session=session)
    shape = Shape.of(session)
    strengths = {sid: rng.uniform(-0.05, 0.45) for sid, _ in shape.subjects}
    for group in session.groups.order_by("order"):
        for code in code_services.codes_generate(acting_user=office, group=group, count=group.ballots):
            ballot_cast(code_text=code, raw_marks=_marks(rng, shape, strengths))
    svc.session_close(acting_user=office, session=session)
    city.session = session.pk
    city.counts["ballots"] = tier.voters

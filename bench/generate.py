"""The bench data generator: an invented prefecture city keeping three years of supervision in
duban, at tier S, M or L (bench/tiers.py).

    units in a tree (bureaus, districts, enterprises, liaison groups) with heads, deputies,
    liaisons and staff; leaders with the units they supervise; the supervision office;
    a three-year key-work plan of projects and their measures with time nodes, indicators,
    weekly progress reports (most accepted, some late or missing) and indicator readings;
    a rectification plan of findings with measures, closures and rechecks; meetings with
    invitations and attendance; leave and travel; messages; a review session with its ballots.

Everything is deterministic (one seeded Random). Large tables are written by plain INSERTs
(bench.fast); item states are then computed by the product's own code (states_refresh), so
pages read exactly what the running system would hold.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from bench import texts
from bench.fast import insert, reset_sequences
from bench.tiers import Tier
from duban.org.demo import NameGen
from duban.org.models import Person, Rank, Role, RoleGrant, Unit, UnitKind
from duban.supervision.models import (
    Indicator,
    IndicatorReading,
    Item,
    ItemLog,
    LogKind,
    Plan,
    PlanKind,
    PlanStatus,
    ProgressReport,
    ReportStatus,
    TimeNode,
)
from duban.supervision.schedule import slots_between
from duban.supervision.services.plans import ladder_reset

PASSWORD = "Bench@2026"
UTC = datetime.UTC


@dataclass
class City:
    """What the measurements need to know about the generated data."""

    today: datetime.date
    root: int = 0
    office_unit: int = 0
    plan: int = 0  # the three-year key-work plan
    rect_plan: int = 0
    session: int = 0
    personas: dict = field(default_factory=dict)  # role → username
    counts: dict = field(default_factory=dict)
    units: list = field(default_factory=list)  # [(id, kind)]
    heads: dict = field(default_factory=dict)  # unit id → person id
    liaisons: dict = field(default_factory=dict)
    members: dict = field(default_factory=lambda: defaultdict(list))  # unit id → person ids
    leaders: list = field(default_factory=list)
    office: list = field(default_factory=list)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A Beijing wall-clock time on `day`, as an aware UTC datetime."""
    local = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone())
    return local.astimezone(UTC)


def build(tier: Tier, today: datetime.date | None = None, seed: int = 8) -> City:
    from bench import generate_more

    rng = random.Random(seed)
    city = City(today=today or timezone.localdate())
    with transaction.atomic():
        _org(rng, tier, city)
        _key_work(rng, tier, city)
        generate_more.rectification(rng, tier, city)
        generate_more.meetings(rng, tier, city)
        generate_more.leave(rng, tier, city)
        generate_more.messages(rng, tier, city)
    generate_more.review(rng, tier, city)
    return city


# ---------------------------------------------------------------- the organisation


def _org(rng: random.Random, tier: Tier, city: City) -> None:
    names = NameGen(seed=rng.randrange(10**6))
    root = Unit.objects.create(name="江城市", kind=UnitKind.INSTITUTION, order=1)
    office = Unit.objects.create(name="市委督查室", kind=UnitKind.DEPARTMENT, parent=root, order=2)
    Unit.objects.create(name="市直机关工委", kind=UnitKind.PARTY_COMMITTEE, parent=root, order=3)
    city.root, city.office_unit = root.pk, office.pk
    n_groups = max(2, tier.units // 25)
    wanted = tier.units - 3 - n_groups
    specs = []
    for bureau in texts.BUREAUS:
        specs.append((f"市{bureau}", UnitKind.DEPARTMENT, None))
    for name in texts.AFFILIATED:
        specs.append((f"市{name}", UnitKind.AFFILIATED, None))
    for district in texts.DISTRICTS:
        specs.append((f"{district}区人民政府", UnitKind.AFFILIATED, None))
    # Districts' own bureaus and streets fill the larger tiers (a third level of the tree).
    serial = 0
    while len(specs) < wanted:
        district = texts.DISTRICTS[serial % len(texts.DISTRICTS)]
        bureau = texts.BUREAUS[(serial // len(texts.DISTRICTS)) % len(texts.BUREAUS)]
        specs.append(
            (f"{district}区{bureau.removesuffix('委员会').removesuffix('局')}局", UnitKind.DEPARTMENT, district)
        )
        serial += 1
    rng.shuffle(specs)
    specs = specs[:wanted]
    district_units = {}
    units = []
    for order, (name, kind, district) in enumerate(sorted(specs, key=lambda s: s[2] is not None), start=10):
        parent = district_units.get(district, root) if district else root
        unit = Unit.objects.create(name=name, kind=kind, parent=parent, order=order)
        if name.endswith("区人民政府"):
            district_units[name.removesuffix("区人民政府")] = unit
        units.append(unit)
    for i in range(n_groups):
        group = Unit.objects.create(name=f"第{i + 1}联络组", kind=UnitKind.GRID_GROUP, parent=office, order=500 + i)
        group.covered_units.add(*units[i::n_groups])
    city.units = [(u.pk, u.kind) for u in units]

    hashed = make_password(PASSWORD)
    people, grants = [], []
    serial = 0

    def person(unit_id, rank, position, username=None):
        nonlocal serial
        serial += 1
        p = Person(
            username=username or f"p{serial:05d}",
            name=names(),
            unit_id=unit_id,
            rank=rank,
            position=position,
            password=hashed,
            must_change_password=False,
            phone=f"139{serial:08d}",
        )
        people.append(p)
        return p

    leaders = [
        person(root.pk, Rank.SCHOOL, "市长" if i == 0 else "副市长", "leader" if i == 0 else None) for i in range(8)
    ]
    office_people = [person(office.pk, Rank.SECTION, "督查专员", "office" if i == 0 else None) for i in range(3)]
    heads, liaisons, deputies = {}, {}, {}
    for unit in units:
        heads[unit.pk] = person(unit.pk, Rank.DIVISION, "局长")
        deputies[unit.pk] = person(unit.pk, Rank.DEPUTY_DIVISION, "副局长")
        liaisons[unit.pk] = person(unit.pk, Rank.SECTION, "综合科科长")
    # The bench's personas: the biggest unit's head and liaison.
    heads[units[0].pk].username, liaisons[units[0].pk].username = "head", "liaison"
    deputies[units[0].pk].username = "deputy"
    remaining = max(0, tier.people - len(people))
    weights = [rng.paretovariate(1.5) for _ in units]
    weights[0] = max(weights) * 1.5
    for unit in rng.choices(units, weights=weights, k=remaining):
        person(unit.pk, rng.choice([Rank.STAFF, Rank.STAFF, Rank.SECTION, Rank.DEPUTY_SECTION]), "科员")
    people[-1].username = "staff"
    Person.objects.bulk_create(people, batch_size=2000)
    by_name = dict(Person.objects.values_list("username", "pk"))
    for p in people:
        p.pk = by_name[p.username]
        city.members[p.unit_id].append(p.pk)
    for i, leader in enumerate(leaders):
        if i < 2:
            grants.append(RoleGrant(person=leader, role=Role.LEADER))
        else:
            grants.extend(RoleGrant(person=leader, role=Role.LEADER, unit=u) for u in units[i - 2 :: 6])
    grants.append(RoleGrant(person=leaders[1], role=Role.DISCIPLINE))
    grants.extend(RoleGrant(person=p, role=Role.OFFICE) for p in office_people)
    for unit in units:
        grants.append(RoleGrant(person=heads[unit.pk], role=Role.UNIT_HEAD, unit=unit))
        grants.append(RoleGrant(person=liaisons[unit.pk], role=Role.LIAISON, unit=unit))
    # Everyone else holds the staff role (职工) of their unit: they see disclosures and their own work.
    granted = {g.person.pk for g in grants}
    grants.extend(RoleGrant(person=p, role=Role.STAFF, unit_id=p.unit_id) for p in people if p.pk not in granted)
    RoleGrant.objects.bulk_create(grants, batch_size=2000)
    city.heads = {u: p.pk for u, p in heads.items()}
    city.liaisons = {u: p.pk for u, p in liaisons.items()}
    city.leaders = [p.pk for p in leaders]
    city.office = [p.pk for p in office_people]
    city.personas = {
        "office": "office",
        "head": "head",
        "liaison": "liaison",
        "deputy": "deputy",
        "leader": "leader",
        "staff": "staff",
    }
    city.counts.update(units=Unit.objects.count(), people=len(people))


# ---------------------------------------------------------------- the key-work plan


def _key_work(rng: random.Random, tier: Tier, city: City) -> None:
    today = city.today
    first_year = today.year - 2
    office = Person.objects.get(username="office")
    plan = Plan.objects.create(
        title=f"{first_year}—{today.year}年重点工作三年行动计划",
        kind=PlanKind.ANNUAL,
        year=today.year,
        start_date=datetime.date(first_year, 1, 1),
        end_date=datetime.date(today.year, 12, 31),
        owner_unit_id=city.office_unit,
        status=PlanStatus.ACTIVE,
        created_by=office,
    )
    ladder_reset(plan=plan)
    city.plan = plan.pk
    _, _, counts = _items(rng, city, plan.pk, tier.items, first_year, office.pk)
    city.counts.update(counts)


def _items(rng, city: City, plan_id: int, n_items: int, first_year: int, office_id: int, *, parents=True):
    """Projects (about one in three) each followed by their measures, with nodes, indicators,
    reports and readings. Returns (first id, last id, row counts)."""
    today = city.today
    unit_ids = [u for u, _ in city.units]
    weights = [3.0 if i == 0 else 1.0 + (i % 7) for i in range(len(unit_ids))]
    item_id = (Item.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_item = item_id
    report_id = (ProgressReport.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    items, co_units, nodes, logs, indicators, readings, reports = [], [], [], [], [], [], []
    counts = {"reports": 0, "indicator_readings": 0}
    first_indicator = Indicator.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    project = None
    ordinal = 0
    child_ordinal = 0
    years = [first_year, first_year + 1, first_year + 2]
    for n in range(n_items):
        year = years[n * 3 // n_items]
        is_project = parents and (project is None or child_ordinal >= 2 or rng.random() < 0.15)
        if is_project or not parents:
            ordinal += 1
            child_ordinal = 0
            lead = rng.choices(unit_ids, weights=weights)[0]
            start = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(0, 75))
            due = start + datetime.timedelta(days=rng.randrange(250, 450))
            title = texts.item_title(rng, n + 1)
            parent_id, own_ordinal = None, ordinal
            project = (item_id, lead, start, due, title)
        else:
            child_ordinal += 1
            parent_id, lead, start, due, title = project
            own_ordinal = child_ordinal
            lead = lead if rng.random() < 0.7 else rng.choice(unit_ids)
            due = due - datetime.timedelta(days=rng.randrange(0, 60))
            title = texts.measure_title(rng) + f"（{n + 1}）"
        # Completion: most items due in the past are done (some late); a few stay overdue.
        completed = None
        if due < today and rng.random() < 0.88:
            completed = min(today, due + datetime.timedelta(days=rng.choice([-20, -10, -3, 0, 0, 5, 15])))
            completed = max(completed, start)
        elif due >= today and rng.random() < 0.05:
            completed = today - datetime.timedelta(days=rng.randrange(1, 30))
            completed = max(completed, start)
        behind = rng.random() < 0.15
        members = city.members[lead]
        responsible = rng.choice(members) if members else None
        patron = rng.choice(city.leaders)
        created = at(start - datetime.timedelta(days=5), 9)
        items.append(
            (
                item_id,
                plan_id,
                parent_id,
                own_ordinal,
                title,
                f"{title}：按照年度目标要求，{rng.choice(texts.VERBS)}{rng.choice(texts.TASKS)}，确保按期完成。",
                lead,
                patron,
                responsible,
                start,
                due,
                due,
                "weekly",
                5,
                completed,
                "",
                "",
                1,
                office_id,
                created,
            )
        )
        if rng.random() < 0.4:
            others = [u for u in rng.sample(unit_ids, 2) if u != lead]
            co_units.extend((item_id, u) for u in others[:1])
        span = (due - start).days
        n_nodes = rng.randint(1, 3)
        for k in range(n_nodes):
            node_due = start + datetime.timedelta(days=span * (k + 1) // n_nodes)
            done = (
                node_due
                if (completed or node_due < today - datetime.timedelta(days=7)) and rng.random() < 0.9
                else None
            )
            nodes.append(
                (
                    item_id,
                    f"第{k + 1}阶段：{rng.choice(texts.TASKS)}",
                    node_due,
                    (k + 1) * 100 // n_nodes,
                    k + 1,
                    done,
                    "",
                )
            )
        logs.append((item_id, LogKind.CREATED, office_id, created, "创建事项", {}))
        if completed:
            logs.append((item_id, LogKind.COMPLETED, city.liaisons.get(lead), at(completed, 17), "办结", {}))
        indicator_id = None
        if rng.random() < 0.2:
            indicator_id = len(indicators) + 1
            indicators.append((item_id, "完成投资", "万元", 0, rng.choice([500, 1200, 3000, 8000]), "up", 1))
        # Weekly report slots from the start to today (or completion).
        last = min(today, completed) if completed else today
        slots = list(slots_between("weekly", 5, start, start, last))
        liaison = city.liaisons.get(lead)
        for index, slot in enumerate(slots):
            share = (slot.period_end - start).days / max(span, 1)
            percent = max(0, min(100, int(share * (70 if behind else 100)) + rng.randint(-5, 5)))
            if completed and index == len(slots) - 1:
                percent = 100
            current = slot.due_date >= today - datetime.timedelta(days=2)
            roll = rng.random()
            if current:
                status = (
                    ReportStatus.OPEN if roll < 0.5 else ReportStatus.DRAFT if roll < 0.7 else ReportStatus.SUBMITTED
                )
            elif roll < 0.9:
                status = ReportStatus.ACCEPTED
            elif roll < 0.93:
                status = ReportStatus.SUBMITTED
            else:
                status = ReportStatus.OPEN  # never filed: a missing report
            filled = status != ReportStatus.OPEN
            late = rng.random() < 0.1
            submitted_on = slot.due_date + datetime.timedelta(days=2 if late else 0)
            submitted_at = (
                at(submitted_on, 16)
                if status
                in (
                    ReportStatus.SUBMITTED,
                    ReportStatus.ACCEPTED,
                )
                else None
            )
            accepted = status == ReportStatus.ACCEPTED
            reports.append(
                (
                    report_id,
                    item_id,
                    slot.period_start,
                    slot.period_end,
                    slot.due_date,
                    status,
                    texts.progress_text(rng, percent) if filled else "",
                    rng.choice(texts.PROBLEMS) if filled else "",
                    rng.choice(texts.NEXT) if filled else "",
                    percent if filled else None,
                    liaison if filled else None,
                    at(slot.due_date, 15) if filled else None,
                    liaison if submitted_at else None,
                    submitted_at,
                    submitted_on if submitted_at else None,
                    office_id if accepted else None,
                    at(slot.due_date + datetime.timedelta(days=3), 11) if accepted else None,
                    "",
                    1,
                )
            )
            if accepted and indicator_id is not None:
                target = indicators[-1][4]
                readings.append(
                    (indicator_id, report_id, slot.period_end, round(target * percent / 100, 2), at(slot.due_date, 15))
                )
            report_id += 1
        item_id += 1
        if len(reports) >= 50000:
            counts["reports"] += _flush_reports(reports, readings, first_indicator)
            counts["indicator_readings"] += len(readings)
            reports, readings = [], []
    insert(
        Item,
        [
            "id",
            "plan",
            "parent",
            "ordinal",
            "title",
            "description",
            "lead_unit",
            "patron_leader",
            "responsible_person",
            "start_date",
            "due_date",
            "original_due_date",
            "cadence",
            "cadence_day",
            "completed_on",
            "remarks",
            "source_text",
            "version",
            "created_by",
            "created_at",
        ],
        items,
    )
    through = Item.co_units.through
    insert(through, ["item", "unit"], co_units)
    insert(TimeNode, ["item", "title", "due_date", "target_percent", "order", "done_on", "done_note"], nodes)
    insert(ItemLog, ["item", "kind", "actor", "at", "text", "data"], logs)
    insert(
        Indicator,
        ["id", "item", "name", "unit_of_measure", "baseline", "target", "direction", "order"],
        [(first_indicator + i + 1, *row) for i, row in enumerate(indicators)],
    )
    counts["reports"] += _flush_reports(reports, readings, first_indicator)
    counts["indicator_readings"] += len(readings)
    reset_sequences(Item, ProgressReport, Indicator)
    counts.update(items=len(items), time_nodes=len(nodes))
    return first_item, item_id - 1, counts


REPORT_FIELDS = [
    "id",
    "item",
    "period_start",
    "period_end",
    "due_date",
    "status",
    "progress_text",
    "problems",
    "next_steps",
    "percent",
    "filled_by",
    "filled_at",
    "submitted_by",
    "submitted_at",
    "submitted_on",
    "reviewed_by",
    "reviewed_at",
    "review_comment",
    "version",
]


def _flush_reports(reports, readings, first_indicator: int) -> int:
    insert(ProgressReport, REPORT_FIELDS, reports)
    insert(
        IndicatorReading,
        ["indicator", "report", "period_end", "value", "recorded_at"],
        [(first_indicator + r[0], *r[1:]) for r in readings],
    )
    return len(reports)


def load_city() -> City:
    """The City of an already generated database (bench.quick measures pages on a kept one)."""
    from duban.assessment.models import ReviewSession

    city = City(today=timezone.localdate())
    city.plan = Plan.objects.filter(kind=PlanKind.ANNUAL).order_by("pk").values_list("pk", flat=True).first()
    city.rect_plan = Plan.objects.filter(kind=PlanKind.RECTIFICATION).values_list("pk", flat=True).first()
    city.session = ReviewSession.objects.order_by("pk").values_list("pk", flat=True).first()
    city.personas = {name: name for name in ("office", "head", "liaison", "deputy", "leader", "staff")}
    return city

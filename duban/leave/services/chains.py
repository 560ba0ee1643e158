"""Approval chains: which rule applies to a request, who acts on each of its steps, and
what each step is called.

Who acts (never the requester):
- 本单位负责人: the UNIT_HEAD grants exactly on the requester's unit; with none, the parent
  units upwards; at the top with nobody, the supervising leader;
- 主管领导: the LEADER grants whose scope covers the requester's unit, else the
  institution-wide LEADER grants;
- 办公室 / 人事部门 / 政工部门 / 指定部门: the head and liaisons of that unit exactly
  (the departments are named in LeaveSettings).
"""

from dataclasses import dataclass

from duban.leave.models import DEPARTMENT_APPROVERS, Approver, ChainRule, LeaveSettings, StepAction, is_blocking
from duban.org.models import Person, Role, RoleGrant
from duban.org.tree import UnitTree

KEEPERS = (Role.UNIT_HEAD, Role.LIAISON)


def rule_for(absence_type, rank) -> ChainRule | None:
    """The first rule (by order) whose ranks include `rank`, or that names no ranks."""
    for rule in absence_type.rules.order_by("order", "id"):
        if not rule.ranks or rank in rule.ranks:
            return rule
    return None


def label_for(step) -> str:
    """主管领导审批, 人事部门办理, 办公室备案, 本单位负责人告知 …"""
    if step.approver == Approver.UNIT and step.unit_id:
        who = step.unit.name
    else:
        who = str(Approver(step.approver).label)
    return f"{who}{StepAction(step.action).label}"


def _people(requester, **grant):
    return list(
        Person.objects.filter(is_active=True, **{f"grants__{k}": v for k, v in grant.items()})
        .exclude(pk=requester.pk)
        .distinct()
        .order_by("name", "pk")
    )


def _keepers(unit_id, requester) -> list:
    if unit_id is None:
        return []
    return _people(requester, role__in=KEEPERS, unit_id=unit_id)


def supervising_leaders(requester, tree: UnitTree | None = None) -> list:
    """Leaders whose scope covers the requester's unit; else the institution-wide leaders."""
    tree = tree or UnitTree.load()
    unit_id = requester.unit_id
    grants = RoleGrant.objects.filter(role=Role.LEADER, unit__isnull=False, person__is_active=True).exclude(
        person=requester
    )
    leader_ids = {g.person_id for g in grants if unit_id in tree.scope_ids(g.unit_id)}
    if leader_ids:
        return list(Person.objects.filter(pk__in=leader_ids).order_by("name", "pk"))
    return _people(requester, role=Role.LEADER, unit__isnull=True)


def unit_heads(requester, tree: UnitTree | None = None) -> list:
    """The requester's unit head; walking up the parents; at the top, the supervising leader."""
    tree = tree or UnitTree.load()
    unit_id = requester.unit_id
    seen = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        heads = _people(requester, role=Role.UNIT_HEAD, unit_id=unit_id)
        if heads:
            return heads
        node = tree.nodes.get(unit_id)
        unit_id = node.parent_id if node else None
    return supervising_leaders(requester, tree)


def assignees_for(step, person, tree: UnitTree | None = None) -> list:
    """The people who act on a chain step (or a request step) for this requester."""
    if step.approver == Approver.UNIT_HEAD:
        return unit_heads(person, tree)
    if step.approver == Approver.SUPERVISING_LEADER:
        return supervising_leaders(person, tree)
    if step.approver in DEPARTMENT_APPROVERS:
        unit_id = getattr(LeaveSettings.current(), f"{DEPARTMENT_APPROVERS[step.approver]}_id")
        return _keepers(unit_id, person)
    if step.approver == Approver.UNIT:
        return _keepers(step.unit_id, person)
    return []


@dataclass
class PlannedStep:
    chain_step: object
    label: str
    assignees: list
    blocking: bool


def plan(absence_type, person) -> tuple[ChainRule | None, list[PlannedStep]]:
    """The rule that applies and its steps with their people (nothing is written)."""
    rule = rule_for(absence_type, person.rank)
    if rule is None:
        return None, []
    tree = UnitTree.load()
    steps = [
        PlannedStep(s, label_for(s), assignees_for(s, person, tree), is_blocking(s.action, absence_type))
        for s in rule.steps.select_related("unit").order_by("order", "id")
    ]
    return rule, steps


def describe(absence_type, person) -> list[dict]:
    """The chain in words for the request form: [{label, names, blocking}]."""
    _rule, steps = plan(absence_type, person)
    return [{"label": s.label, "names": [p.name for p in s.assignees], "blocking": s.blocking} for s in steps]

"""Reads of the organisation, shaped for the pages and the API (no N+1)."""

from django.db.models import Count, Q

from duban.org.models import Person
from duban.org.tree import UnitTree


def people_filtered(*, tree: UnitTree, q: str = "", unit: str = "", rank: str = "", role: str = "", status: str = ""):
    people = Person.objects.select_related("unit")
    if status == "inactive":
        people = people.filter(is_active=False)
    elif status != "all":
        people = people.filter(is_active=True)
    if q:
        people = people.filter(Q(name__icontains=q) | Q(username__icontains=q) | Q(position__icontains=q))
    if unit == "none":
        people = people.filter(unit__isnull=True)
    elif unit.isdecimal():
        people = people.filter(unit_id__in=tree.subtree_ids(int(unit)))
    if rank:
        people = people.filter(rank=rank)
    if role:
        people = people.filter(grants__role=role).distinct()
    return people


def people_counts_by_unit() -> dict[int, int]:
    rows = Person.objects.filter(is_active=True, unit__isnull=False).values("unit_id").annotate(n=Count("id"))
    return {row["unit_id"]: row["n"] for row in rows}


def unit_heads() -> dict[int, list[str]]:
    """Names of unit heads per unit, for the tree and unit pages."""
    from duban.org.models import Role, RoleGrant

    result: dict[int, list[str]] = {}
    rows = RoleGrant.objects.filter(role=Role.UNIT_HEAD, person__is_active=True).values_list("unit_id", "person__name")
    for unit_id, name in rows:
        result.setdefault(unit_id, []).append(name)
    return result


def grid_member_counts() -> dict[int, int]:
    """Members of each grid group (task-force grants on it)."""
    from duban.org.models import Role, RoleGrant

    rows = (
        RoleGrant.objects.filter(role=Role.TASKFORCE, person__is_active=True).values("unit_id").annotate(n=Count("id"))
    )
    return {row["unit_id"]: row["n"] for row in rows}

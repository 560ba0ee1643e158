"""Who is meant by 'the liaison group of this unit', 'the unit', 'the office'."""

from duban.org.models import Person, Role, RoleGrant
from duban.org.tree import UnitTree


def grid_reviewers(unit_id: int, tree: UnitTree | None = None) -> list[Person]:
    """Active members of every liaison group (工作专班/联络组) whose coverage includes the unit."""
    tree = tree or UnitTree.load()
    grants = RoleGrant.objects.filter(role=Role.TASKFORCE, person__is_active=True, unit__isnull=False).select_related(
        "person"
    )
    found = {}
    for grant in grants:
        if unit_id in tree.scope_ids(grant.unit_id):
            found.setdefault(grant.person_id, grant.person)
    return list(found.values())


def unit_people(item) -> list[Person]:
    """The lead unit's head and liaison, and the item's responsible person."""
    found = {
        p.pk: p
        for p in Person.objects.filter(
            is_active=True, grants__role__in=[Role.UNIT_HEAD, Role.LIAISON], grants__unit_id=item.lead_unit_id
        ).distinct()
    }
    if item.responsible_person_id and item.responsible_person.is_active:
        found.setdefault(item.responsible_person_id, item.responsible_person)
    return list(found.values())


def office_people() -> list[Person]:
    return list(Person.objects.filter(is_active=True, grants__role=Role.OFFICE).distinct())

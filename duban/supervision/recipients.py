"""Who is meant by 'the responsible person', 'the unit head', … for an item."""

from duban.org.models import Person, Role, RoleGrant
from duban.supervision.models import Recipient

UNIT_ROLES = {Recipient.UNIT_HEAD: Role.UNIT_HEAD, Recipient.LIAISON: Role.LIAISON}


class Directory:
    """The unit heads, liaisons and office people for a batch of items, read in two
    queries, so the reminder sweep answers `people_for` without a query per reminder."""

    def __init__(self, unit_ids):
        self.by_unit: dict[tuple[int, str], list[Person]] = {}
        grants = (
            RoleGrant.objects.filter(role__in=list(UNIT_ROLES.values()), unit_id__in=set(unit_ids))
            .filter(person__is_active=True)
            .select_related("person")
        )
        people: dict[int, Person] = {}
        for grant in grants:
            person = people.setdefault(grant.person_id, grant.person)
            self.by_unit.setdefault((grant.unit_id, grant.role), []).append(person)
        self._office: list[Person] | None = None

    @property
    def office(self) -> list[Person]:
        if self._office is None:
            self._office = list(Person.objects.filter(is_active=True, grants__role=Role.OFFICE).distinct())
        return self._office

    def in_unit(self, unit_id, roles) -> list[Person]:
        found = {p.pk: p for role in roles for p in self.by_unit.get((unit_id, role), ())}
        return [found[pk] for pk in sorted(found)]  # as the query orders them: by id


def people_for(item, recipients, directory: Directory | None = None) -> list[Person]:
    """Active people for the given Recipient values, without duplicates, in a stable order."""
    wanted = set(recipients)
    found: dict[int, Person] = {}
    if Recipient.RESPONSIBLE in wanted and item.responsible_person_id:
        found[item.responsible_person_id] = item.responsible_person
    if Recipient.PATRON in wanted and item.patron_leader_id:
        found[item.patron_leader_id] = item.patron_leader
    roles = [role for recipient, role in UNIT_ROLES.items() if recipient in wanted]
    if roles or Recipient.OFFICE in wanted:
        directory = directory or Directory([item.lead_unit_id])
    for person in directory.in_unit(item.lead_unit_id, roles) if roles else ():
        found.setdefault(person.pk, person)
    for person in directory.office if Recipient.OFFICE in wanted else ():
        found.setdefault(person.pk, person)
    return [p for p in found.values() if p.is_active]

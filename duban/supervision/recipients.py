"""Who is meant by 'the responsible person', 'the unit head', … for an item."""

from duban.org.models import Person, Role
from duban.supervision.models import Recipient


def people_for(item, recipients) -> list[Person]:
    """Active people for the given Recipient values, without duplicates, in a stable order."""
    wanted = set(recipients)
    found: dict[int, Person] = {}
    if Recipient.RESPONSIBLE in wanted and item.responsible_person_id:
        found[item.responsible_person_id] = item.responsible_person
    if Recipient.PATRON in wanted and item.patron_leader_id:
        found[item.patron_leader_id] = item.patron_leader
    roles = []
    if Recipient.UNIT_HEAD in wanted:
        roles.append(Role.UNIT_HEAD)
    if Recipient.LIAISON in wanted:
        roles.append(Role.LIAISON)
    if roles:
        for person in Person.objects.filter(
            is_active=True, grants__role__in=roles, grants__unit_id=item.lead_unit_id
        ).distinct():
            found.setdefault(person.pk, person)
    if Recipient.OFFICE in wanted:
        for person in Person.objects.filter(is_active=True, grants__role=Role.OFFICE).distinct():
            found.setdefault(person.pk, person)
    return [p for p in found.values() if p.is_active]

"""Who may see and do what in review sessions and assessment."""

from duban.org.access import Access
from duban.org.models import Role


def can_manage(access: Access) -> bool:
    """Sessions, codes, paper entry, close and reopen: the office."""
    return access.has(Role.OFFICE)


def can_see_sessions(access: Access) -> bool:
    """The list of sessions and their turnout: the office, leaders and discipline."""
    return access.has(Role.OFFICE, Role.LEADER, Role.DISCIPLINE)


def can_see_result(access: Access, session) -> bool:
    """A closed session's result: the office, leaders and discipline. Never before close."""
    return session.is_closed and can_see_sessions(access)


def own_subject_rows(access: Access, session):
    """A subject may read their own line of a closed session's result."""
    if not session.is_closed or access.person is None or not access.person.is_authenticated:
        return []
    return list(session.subjects.filter(person=access.person).values_list("id", flat=True))


def can_see_periods(access: Access) -> bool:
    """Assessment periods, their published rules and results: the office, leaders and discipline
    see every unit; unit heads and liaisons see the rules and their own units' rows."""
    return access.has(Role.OFFICE, Role.LEADER, Role.DISCIPLINE, Role.UNIT_HEAD, Role.LIAISON)


def sees_all_units(access: Access) -> bool:
    return access.has(Role.OFFICE, Role.LEADER, Role.DISCIPLINE)


def period_units_visible(access: Access, unit_ids):
    """Which of the assessed units' rows this person may read."""
    if sees_all_units(access):
        return list(unit_ids)
    return [u for u in unit_ids if access.covers(u, Role.UNIT_HEAD, Role.LIAISON)]


def can_see_unpublished_examples(access: Access) -> bool:
    return access.has(Role.OFFICE, Role.LEADER, Role.DISCIPLINE)

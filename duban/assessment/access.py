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


def is_assessor(access: Access, period) -> bool:
    """Named as an assessor (评分人) of the period: may score its manual rules while published."""
    person = access.person
    if person is None or not person.is_authenticated:
        return False
    return period.assessors.filter(pk=person.pk).exists()


def assesses_a_published_period(access: Access) -> bool:
    from duban.assessment.models import AssessmentPeriod, PeriodState

    person = access.person
    if person is None or not person.is_authenticated:
        return False
    return AssessmentPeriod.objects.filter(assessors=person).exclude(state=PeriodState.DRAFT).exists()


def can_list_periods(access: Access) -> bool:
    """The periods list: whoever may see periods, and assessors of a published period."""
    return can_see_periods(access) or assesses_a_published_period(access)


def periods_visible(access: Access, queryset):
    """Drafts exist only for the office; an assessor without a viewing role sees their periods."""
    from duban.assessment.models import PeriodState

    if can_manage(access):
        return queryset
    queryset = queryset.exclude(state=PeriodState.DRAFT)
    if not can_see_periods(access):
        queryset = queryset.filter(assessors=access.person)
    return queryset


def can_see_period(access: Access, period) -> bool:
    from duban.assessment.models import PeriodState

    if can_manage(access):
        return True
    if period.state == PeriodState.DRAFT:
        return False
    return can_see_periods(access) or is_assessor(access, period)


def sees_all_units(access: Access) -> bool:
    return access.has(Role.OFFICE, Role.LEADER, Role.DISCIPLINE)


def period_units_visible(access: Access, unit_ids):
    """Which of the assessed units' rows this person may read."""
    if sees_all_units(access):
        return list(unit_ids)
    return [u for u in unit_ids if access.covers(u, Role.UNIT_HEAD, Role.LIAISON)]


def can_see_unpublished_examples(access: Access) -> bool:
    """Unpublished examples, the full text and everything linked: office, leaders, discipline.
    Everyone else reads published examples and their public text only."""
    return access.has(Role.OFFICE, Role.LEADER, Role.DISCIPLINE)


def can_see_example(access: Access, example) -> bool:
    return example.published or can_see_unpublished_examples(access)


def example_people_visible(access: Access, example) -> bool:
    """The people named in a bad example are never shown beyond the office, leaders and
    discipline; a good example's people are part of what is published."""
    from duban.assessment.models import ExampleKind

    return can_see_unpublished_examples(access) or example.kind == ExampleKind.GOOD


def example_evidence_visible(access: Access, example) -> bool:
    """Evidence follows the people: a bad example's files usually name them."""
    return bool(example.evidence) and example_people_visible(access, example)

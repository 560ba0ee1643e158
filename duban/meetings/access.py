"""Who may see and do what with meetings. Views, the API and the feed ask here."""

from django.db.models import Q

from duban.org.access import ALL, Access
from duban.org.models import ADMIN_ROLES, Role

# Roles that see every meeting and every attendance record.
SEE_ALL = (Role.OFFICE, Role.LEADER, Role.DISCIPLINE)
# Roles that organise meetings of the units in their scope.
UNIT_ORGANISERS = (Role.UNIT_HEAD, Role.LIAISON)


def can_see_meetings(access: Access) -> bool:
    """The meeting list: everyone with a role other than the three administrator roles."""
    return bool(access.roles - {role.value for role in ADMIN_ROLES})


def can_create_meetings(access: Access) -> bool:
    """The office organises institution meetings; unit heads and liaisons organise their units'."""
    return access.has(Role.OFFICE, *UNIT_ORGANISERS)


def host_units(access: Access):
    """Units a person may host a meeting for: ALL for the office, else their scope."""
    if access.has(Role.OFFICE):
        return ALL
    return access.scope(*UNIT_ORGANISERS)


def can_manage(access: Access, meeting) -> bool:
    """Edit, invite, announce, cancel, tick attendance, decide leave, record decisions:
    the office, the meeting's organiser, and heads/liaisons over the host unit."""
    if not access.grants:
        return False
    if access.has(Role.OFFICE) or meeting.organiser_id == access.person.pk:
        return True
    return access.covers(meeting.host_unit_id, *UNIT_ORGANISERS)


def sees_all(access: Access) -> bool:
    return access.has(*SEE_ALL)


def meetings_visible(access: Access, queryset):
    """Restrict a Meeting queryset: all for office/leaders/discipline; else meetings one is
    invited to, organises, hosts (as head/liaison), or whose agenda has a slot of one's units."""
    if not access.grants:
        return queryset.none()
    if sees_all(access):
        return queryset
    person = access.person
    condition = Q(invitations__person=person) | Q(organiser=person)
    units = access.scope(*UNIT_ORGANISERS)
    if units == ALL:
        return queryset
    if units:
        condition |= Q(host_unit_id__in=units) | Q(slots__unit_id__in=units) | Q(unit_invites__unit_id__in=units)
    return queryset.filter(pk__in=queryset.model.objects.filter(condition).values("pk"))


def can_see(access: Access, meeting) -> bool:
    return meetings_visible(access, type(meeting).objects.filter(pk=meeting.pk)).exists()


def can_file_slot(access: Access, slot) -> bool:
    """A unit's agenda slot is filed by its head or liaison (or whoever manages the meeting)."""
    if can_manage(access, slot.meeting):
        return True
    return slot.unit_id is not None and access.covers(slot.unit_id, *UNIT_ORGANISERS)


def can_see_stats(access: Access) -> bool:
    """Attendance statistics: the office, leaders, discipline (all people); unit heads and
    liaisons (the people of their units)."""
    return access.has(*SEE_ALL, *UNIT_ORGANISERS)


def stats_units(access: Access):
    """ALL, or the unit ids whose people's attendance a person may see."""
    if sees_all(access):
        return ALL
    return access.scope(*UNIT_ORGANISERS)


def meetings_listed(access: Access, queryset):
    """meetings_visible, less the drafts (筹备中) of meetings one does not manage: invitees
    see a meeting once it is announced."""
    visible = meetings_visible(access, queryset)
    if access.has(Role.OFFICE):
        return visible
    manages = Q(organiser=access.person)
    units = access.scope(*UNIT_ORGANISERS)
    if units == ALL:
        return visible
    if units:
        manages |= Q(host_unit_id__in=units)
    return visible.filter(~Q(status="draft") | manages)


def can_open(access: Access, meeting) -> bool:
    """The meeting's pages: those who manage it, and those who see it once it is announced."""
    if can_manage(access, meeting):
        return True
    return meeting.status != "draft" and can_see(access, meeting)


def can_see_sheet(access: Access, meeting) -> bool:
    """Everyone's attendance, answers' notes and meeting leave: those who manage the meeting
    and those who see every meeting. Other invitees see only their own record."""
    return can_manage(access, meeting) or sees_all(access)

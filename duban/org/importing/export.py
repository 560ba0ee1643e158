"""The Excel export of the people list, in the import layout plus a 角色 column."""

from django.core.exceptions import PermissionDenied
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from duban.audit.models import EventKind
from duban.audit.services import security_event_record
from duban.lib.xlsx import HeaderColumn, header_write, rows_write
from duban.org.access import access_for
from duban.org.importing.columns import ERR_NO_BROWSE, PEOPLE_COLUMNS, ROLE_HEADER, SHEET_PEOPLE
from duban.org.models import Person, Rank, Role


def _roles_text(person: Person) -> str:
    labels = dict(Role.choices)
    parts = []
    for grant in sorted(person.grants.all(), key=lambda g: (g.role, g.unit_id or 0)):
        label = str(labels.get(grant.role, grant.role))
        parts.append(f"{label}（{grant.unit.name}）" if grant.unit_id else label)
    return "、".join(parts)


def people_export(*, acting_user, people, filters: dict | None = None, request=None) -> tuple[Workbook, int]:
    """The people list as a workbook in the import layout plus a 角色 column.
    Phone and e-mail only where the reader may see them. Records the export."""
    access = access_for(acting_user)
    if not access.can_browse_org():
        raise PermissionDenied(ERR_NO_BROWSE)
    columns = [c.header_column() for c in PEOPLE_COLUMNS] + [HeaderColumn(ROLE_HEADER, width=36)]
    rank_labels = {value: str(label) for value, label in Rank.choices}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_PEOPLE
    header_write(sheet, columns)
    rows = []
    for person in people.prefetch_related("grants__unit"):
        contact = access.can_see_contact(person)
        rows.append(
            [
                person.name,
                person.username,
                person.unit.name if person.unit_id else "",
                rank_labels.get(person.rank, person.rank),
                person.position,
                person.phone if contact else "",
                person.email if contact else "",
                _roles_text(person),
            ]
        )
    rows_write(sheet, rows, columns)
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    security_event_record(
        kind=EventKind.EXPORT,
        actor=acting_user,
        request=request,
        target="人员名单",
        detail={"filters": {k: v for k, v in (filters or {}).items() if v}, "rows": len(rows)},
    )
    return workbook, len(rows)

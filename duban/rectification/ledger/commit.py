"""The import services: the dry-run preview and the commit.

`ledger_import_commit` validates again (the ledger may have changed since the
preview) and, when every row is valid, writes every new and changed finding and
measure in one transaction through the finding and measure services (so each write
is checked, logged on the measure's timeline and audited), then records one security
event. Any refusal rolls everything back.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from duban.org.access import access_for
from duban.rectification import access as rules
from duban.rectification.ledger.columns import ERR_COMMIT_REFUSED, ERR_NOT_OFFICE
from duban.rectification.ledger.plan import LedgerImport, MeasureEntry
from duban.rectification.ledger.reading import ledger_read
from duban.rectification.ledger.validation import import_build
from duban.rectification.models import Finding
from duban.rectification.services.findings import finding_save, measure_save
from duban.supervision.ledger_import.commit import import_write
from duban.supervision.models import Item, Plan


@dataclass
class LedgerImportDone:
    counts: dict[str, int]


class _Refused(Exception):
    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row, self.message = row, message


def _require_office(acting_user) -> None:
    if not rules.can_manage(access_for(acting_user)):
        raise PermissionDenied(ERR_NOT_OFFICE)


def ledger_import_preview(*, acting_user, plan: Plan, path, today: datetime.date | None = None) -> LedgerImport:
    """The dry run: parse and validate, write nothing. Raises ImportFileError."""
    _require_office(acting_user)
    return import_build(plan, ledger_read(path), today or timezone.localdate())


def ledger_import_commit(
    *, acting_user, plan: Plan, path, request=None, filename: str = "", today: datetime.date | None = None
) -> LedgerImportDone | LedgerImport:
    """Validate again and write everything, or nothing. Returns the counts, or the
    dry run with its errors when the file is (now) invalid. Raises ImportFileError."""
    _require_office(acting_user)
    result, done = import_write(
        acting_user=acting_user,
        plan=plan,
        parsed=ledger_read(path),
        build=import_build,
        apply=_apply,
        today=today or timezone.localdate(),
        target=f"整改台账：{plan.title}",
        request=request,
        filename=filename,
        refusals=(_Refused,),
        refusal_message=lambda error: ERR_COMMIT_REFUSED.format(row=error.row, message=error.message),
    )
    return LedgerImportDone(counts=result.counts()) if done else result


def _apply(acting_user, plan: Plan, result: LedgerImport, today: datetime.date) -> None:
    taken = set(Finding.objects.filter(plan=plan).values_list("ordinal", flat=True))
    taken |= {entry.ordinal for entry in result.findings if entry.ordinal}
    next_ordinal = max(taken, default=0) + 1
    for entry in result.findings:
        try:
            finding = entry.existing
            if finding is None:
                if entry.ordinal is None:
                    entry.ordinal, next_ordinal = next_ordinal, next_ordinal + 1
                units = list(dict.fromkeys(m.lead_unit for m in entry.measures))
                finding = Finding(plan=plan, ordinal=entry.ordinal, description=entry.description)
                finding = finding_save(acting_user=acting_user, finding=finding, units=units)
            elif entry.changes:
                finding.description = entry.description
                finding = finding_save(acting_user=acting_user, finding=finding, expected_version=finding.version)
        except ValidationError as error:
            raise _Refused(entry.row, " ".join(error.messages))
        for measure in entry.measures:
            if measure.action != "unchanged":
                _measure_apply(acting_user, finding, measure, today)


def _measure_apply(acting_user, finding: Finding, entry: MeasureEntry, today: datetime.date) -> None:
    if entry.existing is None:
        start = min(today, entry.due) if entry.due else today
        item = Item(plan=finding.plan, start_date=start)
    else:
        item = Item.objects.get(pk=entry.existing.pk)
    item.title, item.lead_unit, item.due_date = entry.title, entry.lead_unit, entry.due
    if entry.leader is not None:
        item.patron_leader = entry.leader
    if entry.person is not None:
        item.responsible_person = entry.person
    if entry.remarks:
        item.remarks = entry.remarks
    try:
        measure_save(
            acting_user=acting_user,
            finding=finding,
            item=item,
            measure_type=entry.measure_type,
            co_units=entry.co_units,
        )
    except ValidationError as error:
        raise _Refused(entry.row, " ".join(error.messages))

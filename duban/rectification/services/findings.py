"""Findings and their measures."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from duban.lib.refusals import ERR_STALE as SHARED_ERR_STALE
from duban.lib.refusals import version_lock
from duban.lib.uploads import UploadRejected, check_evidence
from duban.org.access import access_for
from duban.rectification import access as rules
from duban.rectification.models import ClosureState, Finding, Measure, MeasureType
from duban.rectification.services import PermissionDenied, Refused
from duban.supervision.models import Attachment, Cadence, Item, LogKind
from duban.supervision.services.items import item_save, log

ERR_NOT_OFFICE = "只有督查办可以维护整改台账。"
# A save over someone else's change: the message shared by every versioned record.
ERR_STALE = SHARED_ERR_STALE
ERR_DUE_REQUIRED = "“{type}”措施必须填写整改时限。"
ERR_PLAN_MISMATCH = "整改措施必须和问题属于同一个整改方案。"
ERR_CLOSED = "该措施已销号，不能修改；如需调整请先重新打开。"
ERR_TYPE_LOCKED = "已提出销号申请的措施不能修改类型。"
ERR_DOC_FIELDS = "请填写制度文件的标题、文号和印发日期。"
ERR_DOC_FILE = "请上传制度文件。"
ERR_CANNOT_DOC = "只有牵头单位、责任人或督查办可以登记制度文件。"


def require_office(acting_user) -> None:
    if not rules.can_manage(access_for(acting_user)):
        raise PermissionDenied(ERR_NOT_OFFICE)


def next_ordinal(plan) -> int:
    return (Finding.objects.filter(plan=plan).aggregate(m=Max("ordinal"))["m"] or 0) + 1


@transaction.atomic
def finding_save(*, acting_user, finding: Finding, units=None, expected_version: int | None = None) -> Finding:
    """Create or update a finding (validated by its form). `expected_version` is the
    version the editor loaded: a save over someone else's change is refused (Stale)."""
    require_office(acting_user)
    if finding.pk is None:
        finding.created_by = acting_user
        if not finding.ordinal:
            finding.ordinal = next_ordinal(finding.plan)
    else:
        finding.version = version_lock(finding, expected_version) + 1
    finding.save()
    if units is not None:
        finding.units.set(units)
    return finding


def finding_refresh(finding: Finding, today: datetime.date | None = None) -> Finding:
    """A finding is closed when it has measures and all of them are closed; its date is
    the last closure's."""
    states = list(finding.measures.values_list("closure", "closed_on"))
    if states and all(state == ClosureState.CLOSED for state, _ in states):
        closed_on = max(d for _, d in states)
    else:
        closed_on = None
    if finding.closed_on != closed_on:
        finding.closed_on = closed_on
        finding.save(update_fields=["closed_on"])
    return finding


def _shape_item(item: Item, measure_type: str) -> None:
    """Type rules: 长期坚持 has no end date and reports monthly; the others need a deadline."""
    if measure_type == MeasureType.ONGOING:
        item.due_date = None
        if item.cadence == Cadence.WEEKLY:
            item.cadence, item.cadence_day = Cadence.MONTHLY, 25
    elif item.due_date is None:
        raise Refused(ERR_DUE_REQUIRED.format(type=MeasureType(measure_type).label))


@transaction.atomic
def measure_save(
    *, acting_user, finding: Finding, item: Item, measure_type: str, co_units=None, expected_version: int | None = None
) -> Measure:
    """Create or update a measure: its item (lead unit, people, dates) and its type.
    `expected_version` is the version of the item the editor loaded (item_save refuses a stale one)."""
    require_office(acting_user)
    if item.pk and item.plan_id != finding.plan_id:
        raise Refused(ERR_PLAN_MISMATCH)
    item.plan = finding.plan
    measure = Measure.objects.filter(pk=item.pk).first() if item.pk else None
    if measure is not None:
        if measure.closure == ClosureState.CLOSED:
            raise Refused(ERR_CLOSED)
        if measure.type != measure_type and measure.closure != ClosureState.OPEN:
            raise Refused(ERR_TYPE_LOCKED)
    _shape_item(item, measure_type)
    if item.pk is None:
        item.ordinal = (Item.objects.filter(plan=finding.plan).aggregate(m=Max("ordinal"))["m"] or 0) + 1
    item_save(acting_user=acting_user, item=item, co_units=co_units, expected_version=expected_version)
    if measure is None:
        measure = Measure.objects.create(item=item, finding=finding, type=measure_type)
    else:
        measure.finding, measure.type = finding, measure_type
        measure.save(update_fields=["finding", "type"])
    finding_refresh(finding)
    return measure


@transaction.atomic
def measure_document_save(*, acting_user, measure: Measure, title: str, number: str, issued_on, upload=None) -> Measure:
    """Record the document a 建章立制 measure produced (title, number, date, file)."""
    access = access_for(acting_user)
    item = measure.item
    if not (rules.can_request_closure(access, measure) or rules.can_manage(access)):
        raise PermissionDenied(ERR_CANNOT_DOC)
    if measure.closure == ClosureState.CLOSED:
        raise Refused(ERR_CLOSED)
    title, number = (title or "").strip(), (number or "").strip()
    if isinstance(issued_on, str):
        try:
            issued_on = datetime.date.fromisoformat(issued_on.strip())
        except ValueError:
            issued_on = None
    if not (title and number and issued_on):
        raise Refused(ERR_DOC_FIELDS)
    if upload is None and measure.doc_file_id is None:
        raise Refused(ERR_DOC_FILE)
    if upload is not None:
        measure.doc_file = store_attachment(acting_user=acting_user, item=item, upload=upload)
    measure.doc_title, measure.doc_number, measure.doc_date = title[:200], number[:60], issued_on
    measure.save(update_fields=["doc_title", "doc_number", "doc_date", "doc_file"])
    log(item, LogKind.UPDATED, acting_user, f"登记制度文件《{measure.doc_title}》（{measure.doc_number}）")
    return measure


def store_attachment(*, acting_user, item: Item, upload) -> Attachment:
    """Check and keep one evidence file on the measure's item."""
    import mimetypes

    try:
        name = check_evidence(upload, settings.UPLOAD_MAX_BYTES)
    except UploadRejected as error:
        raise Refused(str(error))
    attachment = Attachment(
        item=item,
        original_name=name,
        size=upload.size,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        uploaded_by=acting_user,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment

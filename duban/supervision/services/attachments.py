"""Evidence files on items and their reports."""

import mimetypes

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from duban.lib.uploads import UploadRejected, check_evidence
from duban.org.access import access_for
from duban.supervision import access as rules
from duban.supervision.models import Attachment, Item, LogKind, ProgressReport
from duban.supervision.models.reports import UNFINISHED
from duban.supervision.services import Refused
from duban.supervision.services.items import log

ERR_CANNOT_ATTACH = "只有牵头单位、事项责任人或督查办可以上传附件。"
ERR_REPORT_CLOSED = "该报告已提交，不能再增删附件。"
ERR_CANNOT_DELETE = "只有上传人或督查办可以删除附件。"
MAX_FILES = 10


def _may_attach(access, item) -> bool:
    return rules.can_fill_report(access, item) or rules.can_manage(access)


@transaction.atomic
def attachments_add(*, acting_user, item: Item, uploads, report: ProgressReport | None = None) -> list[Attachment]:
    """Check every file first, then store them all (none is stored if one is refused)."""
    if not _may_attach(access_for(acting_user), item):
        raise PermissionDenied(ERR_CANNOT_ATTACH)
    if report is not None and report.status not in UNFINISHED:
        raise Refused(ERR_REPORT_CLOSED)
    uploads = list(uploads)[:MAX_FILES]
    names = []
    for upload in uploads:
        try:
            names.append(check_evidence(upload, settings.UPLOAD_MAX_BYTES))
        except UploadRejected as error:
            raise Refused(str(error))
    stored = []
    for upload, name in zip(uploads, names, strict=True):
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        attachment = Attachment(
            item=item, report=report, original_name=name, size=upload.size, content_type=content_type
        )
        attachment.uploaded_by = acting_user
        attachment.file.save(name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    if stored:
        log(item, LogKind.UPDATED, acting_user, "上传附件：" + "、".join(names), report=report)
    return stored


@transaction.atomic
def attachment_delete(*, acting_user, attachment: Attachment) -> None:
    access = access_for(acting_user)
    if not (attachment.uploaded_by_id == acting_user.pk or rules.can_manage(access)):
        raise PermissionDenied(ERR_CANNOT_DELETE)
    if attachment.report_id and attachment.report.status not in UNFINISHED:
        raise Refused(ERR_REPORT_CLOSED)
    log(attachment.item, LogKind.UPDATED, acting_user, f"删除附件：{attachment.original_name}")
    attachment.file.delete(save=False)
    attachment.delete()

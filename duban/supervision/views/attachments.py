"""Evidence files: upload on an item, download (always as an attachment), delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.org.access import require
from duban.supervision.models import Attachment
from duban.supervision.services import attachments as services
from duban.supervision.views.common import item_for


@require("can_browse_org")
@require_POST
def attachment_upload(request, pk):
    item = item_for(request, pk)
    try:
        stored = services.attachments_add(acting_user=request.user, item=item, uploads=request.FILES.getlist("files"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if stored:
            messages.success(request, _("已上传 %(n)d 个附件。") % {"n": len(stored)})
        else:
            messages.error(request, _("请选择要上传的文件。"))
    return redirect(f"{item.get_absolute_url()}#attachments")


@require("can_browse_org")
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    item_for(request, attachment.item_id)  # 404 unless the item is visible
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    # Never rendered inline (no HTML or SVG can run from here); nosniff is set site-wide.
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)


@require("can_browse_org")
@require_POST
def attachment_delete(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("item", "report"), pk=pk)
    item = item_for(request, attachment.item_id)
    try:
        services.attachment_delete(acting_user=request.user, attachment=attachment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("附件已删除。"))
    return redirect(f"{item.get_absolute_url()}#attachments")

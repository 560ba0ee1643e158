"""The 整改台账 in Excel: the export (anyone who sees the ledger, restricted to their
findings and measures), and the import (the office only): upload, dry-run preview,
commit, all on one URL (the uploaded file is kept under a token between the steps).
Thin: authorize, validate, call one service, render."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from duban.lib.xlsx_web import UploadStash, xlsx_response, xlsx_upload_form
from duban.org.access import access_for, require
from duban.org.importing.columns import TOKEN_MAX_AGE
from duban.org.importing.storage import import_file_delete, import_file_path, import_file_store
from duban.rectification import access as rules
from duban.rectification import ledger
from duban.rectification.ledger.columns import ERR_EXPIRED, ERR_NO_FILE, ERR_UNREADABLE, MAX_ROWS
from duban.rectification.models import RectificationPlan

STASH = UploadStash(
    session_key="rect_ledger_imports",
    store=import_file_store,
    path_of=import_file_path,
    delete=import_file_delete,
    max_age=TOKEN_MAX_AGE,
)


def _plan(request, pk):
    """A rectification plan whose ledger the person may see."""
    if not rules.can_see_ledger(access_for(request.user)):
        raise PermissionDenied
    return get_object_or_404(RectificationPlan.objects.select_related("plan"), pk=pk).plan


def _office_plan(request, pk):
    plan = _plan(request, pk)
    if not rules.can_manage(access_for(request.user)):
        raise PermissionDenied
    return plan


@require("can_browse_org")
def ledger_export(request, pk):
    plan = _plan(request, pk)
    workbook, _rows = ledger.ledger_export(acting_user=request.user, plan=plan, request=request)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(workbook, f"{plan.title}整改台账-{stamp}.xlsx", f"rectification-ledger-{plan.pk}-{stamp}.xlsx")


@require("can_browse_org")
def import_template(request):
    if not rules.can_manage(access_for(request.user)):
        raise PermissionDenied
    return xlsx_response(ledger.template_workbook(), "整改台账导入模板.xlsx", "rectification-ledger-template.xlsx")


# --- Import -------------------------------------------------------------------------


LedgerUploadForm = xlsx_upload_form(
    check=ledger.upload_check,
    error=ledger.ImportFileError,
    no_file=ERR_NO_FILE,
    unreadable=ERR_UNREADABLE,
    help_text=gettext_lazy("导出的整改台账或导入模板，保存为 .xlsx 格式。"),
)


def _page(request, template, plan, **context):
    return render(request, "rectification/xlsx/" + template, {"plan": plan, **context})


@require("can_browse_org")
@never_cache
def ledger_import(request, pk):
    """GET: the upload form; POST a file: keep it and go to its preview (?token=…);
    GET ?token=…: the dry run; POST token: the commit."""
    plan = _office_plan(request, pk)
    token = request.POST.get("token") or request.GET.get("token")
    if token:
        return _preview(request, plan, token)
    bound = request.method == "POST"
    form = LedgerUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        token = STASH.remember(request, form.cleaned_data["file"], plan=plan.pk)
        return redirect(reverse("rectification:ledger_import", args=[plan.pk]) + f"?token={token}")
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    return _page(request, "import_upload.html", plan, form=form, max_rows=MAX_ROWS, max_mb=max_mb)


def _preview(request, plan, token: str):
    upload_url = reverse("rectification:ledger_import", args=[plan.pk])
    stashed = STASH.fetch(request, token, plan=plan.pk)
    if stashed is None:
        messages.error(request, ERR_EXPIRED)
        return redirect(upload_url)
    path, filename = stashed.path, stashed.filename
    committing = request.method == "POST"
    try:
        if committing:
            outcome = ledger.ledger_import_commit(
                acting_user=request.user, plan=plan, path=path, request=request, filename=filename
            )
            if isinstance(outcome, ledger.LedgerImportDone):
                STASH.forget(request, token)
                return _page(request, "import_done.html", plan, counts=outcome.counts, filename=filename)
            result = outcome
        else:
            result = ledger.ledger_import_preview(acting_user=request.user, plan=plan, path=path)
    except ledger.ImportFileError as error:
        STASH.forget(request, token)
        messages.error(request, str(error))
        return redirect(upload_url)
    context = {"result": result, "counts": result.counts(), "filename": filename, "token": token}
    return _page(request, "import_preview.html", plan, committing=committing, **context)

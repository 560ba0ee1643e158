"""The 整改台账 in Excel: the export (anyone who sees the ledger, restricted to their
findings and measures), and the import (the office only): upload, dry-run preview,
commit, all on one URL (the uploaded file is kept under a token between the steps).
Thin: authorize, validate, call one service, render."""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from duban.lib.forms import StyledFormMixin
from duban.lib.xlsx import XLSX_CONTENT_TYPE, content_disposition, workbook_bytes
from duban.org.access import access_for, require
from duban.org.importing.columns import TOKEN_MAX_AGE
from duban.org.importing.storage import import_file_delete, import_file_path, import_file_store
from duban.rectification import access as rules
from duban.rectification import ledger
from duban.rectification.ledger.columns import ERR_EXPIRED, ERR_NO_FILE, ERR_UNREADABLE, MAX_ROWS
from duban.rectification.models import RectificationPlan

# request.session[SESSION_KEY] = {token: {"user": id, "plan": id, "created": unix time, "filename": name}}
SESSION_KEY = "rect_ledger_imports"


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


def _download(workbook, filename: str, fallback: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    response["Cache-Control"] = "no-store"
    return response


@require("can_browse_org")
def ledger_export(request, pk):
    plan = _plan(request, pk)
    workbook, _rows = ledger.ledger_export(acting_user=request.user, plan=plan, request=request)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _download(workbook, f"{plan.title}整改台账-{stamp}.xlsx", f"rectification-ledger-{plan.pk}-{stamp}.xlsx")


@require("can_browse_org")
def import_template(request):
    if not rules.can_manage(access_for(request.user)):
        raise PermissionDenied
    return _download(ledger.template_workbook(), "整改台账导入模板.xlsx", "rectification-ledger-template.xlsx")


# --- Import -------------------------------------------------------------------------


class LedgerUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        error_messages={"required": ERR_NO_FILE, "empty": ERR_UNREADABLE},
        widget=forms.FileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        help_text=gettext_lazy("导出的整改台账或导入模板，保存为 .xlsx 格式。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            ledger.upload_check(upload)
        except ledger.ImportFileError as error:
            raise ValidationError(str(error))
        return upload


def _page(request, template, plan, **context):
    return render(request, "rectification/xlsx/" + template, {"plan": plan, **context})


def _remember(request, plan, upload) -> str:
    token = import_file_store(upload)
    entries = request.session.get(SESSION_KEY, {})
    entries = {t: e for t, e in entries.items() if time.time() - e.get("created", 0) <= TOKEN_MAX_AGE}
    entries[token] = {"user": request.user.pk, "plan": plan.pk, "created": time.time(), "filename": upload.name[:200]}
    request.session[SESSION_KEY] = entries
    return token


def _forget(request, token: str) -> None:
    entries = request.session.get(SESSION_KEY, {})
    if entries.pop(token, None) is not None:
        request.session[SESSION_KEY] = entries
    import_file_delete(token)


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
        token = _remember(request, plan, form.cleaned_data["file"])
        return redirect(reverse("rectification:ledger_import", args=[plan.pk]) + f"?token={token}")
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    return _page(request, "import_upload.html", plan, form=form, max_rows=MAX_ROWS, max_mb=max_mb)


def _preview(request, plan, token: str):
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("user") != request.user.pk or entry.get("plan") != plan.pk:
        raise Http404
    upload_url = reverse("rectification:ledger_import", args=[plan.pk])
    if time.time() - entry.get("created", 0) > TOKEN_MAX_AGE:
        _forget(request, token)
        messages.error(request, ERR_EXPIRED)
        return redirect(upload_url)
    path = import_file_path(token)
    if path is None:
        _forget(request, token)
        raise Http404
    filename = entry.get("filename", "")
    committing = request.method == "POST"
    try:
        if committing:
            outcome = ledger.ledger_import_commit(
                acting_user=request.user, plan=plan, path=path, request=request, filename=filename
            )
            if isinstance(outcome, ledger.LedgerImportDone):
                _forget(request, token)
                return _page(request, "import_done.html", plan, counts=outcome.counts, filename=filename)
            result = outcome
        else:
            result = ledger.ledger_import_preview(acting_user=request.user, plan=plan, path=path)
    except ledger.ImportFileError as error:
        _forget(request, token)
        messages.error(request, str(error))
        return redirect(upload_url)
    context = {"result": result, "counts": result.counts(), "filename": filename, "token": token}
    return _page(request, "import_preview.html", plan, committing=committing, **context)

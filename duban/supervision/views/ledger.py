"""The ledger (督办台账) in Excel: the export (anyone who sees the plan, restricted to
their items and the plan page's filters) and the import (the office only): upload,
dry-run preview, commit. Thin: authorize, validate, call one service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from duban.lib.xlsx_web import UploadStash, xlsx_response, xlsx_upload_form
from duban.org.access import access_for
from duban.org.importing.columns import TOKEN_MAX_AGE
from duban.org.importing.storage import import_file_delete, import_file_path, import_file_store
from duban.org.models import Unit
from duban.supervision import ledger_import
from duban.supervision.access import can_manage, items_visible
from duban.supervision.exports.ledger_xlsx import ledger_export as ledger_export_service
from duban.supervision.ledger_import.columns import ERR_EXPIRED, ERR_NO_FILE, ERR_UNREADABLE, MAX_ROWS
from duban.supervision.models import Item, Status
from duban.supervision.summaries import ledger_filter
from duban.supervision.views.common import plan_for
from duban.supervision.views.plans import ITEM_SORTS

STASH = UploadStash(
    session_key="ledger_imports",
    store=import_file_store,
    path_of=import_file_path,
    delete=import_file_delete,
    max_age=TOKEN_MAX_AGE,
)


@login_required
def ledger_export(request, pk):
    plan = plan_for(request, pk)
    items = items_visible(access_for(request.user), Item.objects.filter(plan=plan))
    status, unit, q = request.GET.get("status", ""), request.GET.get("unit", ""), request.GET.get("q", "").strip()
    items = ledger_filter(items, status=status, unit=unit, q=q)
    # The plan page's sort, when one is chosen; by default the ledger's own order (each
    # project followed by its measures).
    sort = request.GET.get("sort", "")
    order = None
    if sort.lstrip("-") in ITEM_SORTS and sort != "ordinal":
        prefix = "-" if sort.startswith("-") else ""
        order = [prefix + name for name in ITEM_SORTS[sort.lstrip("-")]] + ["pk"]
    unit_name = Unit.objects.filter(pk=int(unit)).values_list("name", flat=True).first() if unit.isdecimal() else ""
    filters = {
        "状态": str(Status(status).label) if status in Status.values else "",
        "牵头单位": unit_name,
        "关键词": q,
    }
    workbook, _rows = ledger_export_service(
        acting_user=request.user, plan=plan, items=items, filters=filters, order=order, request=request
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(workbook, f"{plan.title}督办台账-{stamp}.xlsx", f"ledger-{plan.pk}-{stamp}.xlsx")


# --- Import -------------------------------------------------------------------------


LedgerUploadForm = xlsx_upload_form(
    check=ledger_import.upload_check,
    error=ledger_import.ImportFileError,
    no_file=ERR_NO_FILE,
    unreadable=ERR_UNREADABLE,
    help_text=gettext_lazy("导出的台账或导入模板，保存为 .xlsx 格式。"),
)


def _office_plan(request, pk):
    plan = plan_for(request, pk)
    if not can_manage(access_for(request.user)):
        raise PermissionDenied
    return plan


def _page(request, template, plan, **context):
    context.update(plan=plan, tab="ledger", can_manage=True)
    return render(request, "supervision/ledger/" + template, context)


@login_required
def ledger_import_upload(request, pk):
    plan = _office_plan(request, pk)
    bound = request.method == "POST"
    form = LedgerUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        token = STASH.remember(request, form.cleaned_data["file"], plan=plan.pk)
        return redirect("supervision:ledger_import_preview", pk=plan.pk, token=token)
    max_mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    return _page(request, "import_upload.html", plan, form=form, max_rows=MAX_ROWS, max_mb=max_mb)


@login_required
def ledger_import_template(request, pk):
    plan = _office_plan(request, pk)
    workbook = ledger_import.template_workbook(plan)
    return xlsx_response(workbook, f"{plan.title}督办台账导入模板.xlsx", "ledger-template.xlsx", no_store=False)


@login_required
@never_cache
def ledger_import_preview(request, pk, token):
    plan = _office_plan(request, pk)
    upload_url = reverse("supervision:ledger_import", args=[plan.pk])
    stashed = STASH.fetch(request, token, plan=plan.pk)
    if stashed is None:
        messages.error(request, ERR_EXPIRED)
        return redirect(upload_url)
    path, filename = stashed.path, stashed.filename
    try:
        if request.method == "POST":
            outcome = ledger_import.ledger_import_commit(
                acting_user=request.user, plan=plan, path=path, request=request, filename=filename
            )
            if isinstance(outcome, ledger_import.LedgerImportResult):
                STASH.forget(request, token)
                return _page(request, "import_preview.html", plan, result=outcome, filename=filename)
            result = outcome
        else:
            result = ledger_import.ledger_import_preview(acting_user=request.user, plan=plan, path=path)
    except ledger_import.ImportFileError as error:
        STASH.forget(request, token)
        messages.error(request, str(error))
        return redirect(upload_url)
    context = {"import_plan": result, "filename": filename, "token": token, "committing": request.method == "POST"}
    return _page(request, "import_preview.html", plan, **context)

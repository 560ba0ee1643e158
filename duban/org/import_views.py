"""Pages of the Excel import of units and people, and the export of the people list.
Thin: authorize, validate, call one service in duban.org.importing, render."""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from duban.lib.forms import StyledFormMixin
from duban.lib.listing import sort_queryset
from duban.lib.xlsx import XLSX_CONTENT_TYPE, content_disposition, workbook_bytes
from duban.org import importing, selectors
from duban.org.access import access_for, require
from duban.org.forms import PeopleFilterForm
from duban.org.views import PEOPLE_SORTS

# request.session[SESSION_KEY] = {token: {"user": id, "created": unix time, "filename": name}}
SESSION_KEY = "org_imports"


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        error_messages={"required": importing.ERR_NO_FILE, "empty": importing.ERR_UNREADABLE},
        widget=forms.FileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        help_text=gettext_lazy("请使用导入模板填写，保存为 .xlsx 格式。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            importing.upload_check(upload)
        except importing.ImportFileError as error:
            raise ValidationError(str(error))
        return upload


def _limits() -> dict:
    return {"max_rows": importing.MAX_ROWS, "max_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}


@require("can_edit_org")
def import_upload(request):
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        upload = form.cleaned_data["file"]
        token = importing.import_file_store(upload)
        entries = request.session.get(SESSION_KEY, {})
        entries = {t: e for t, e in entries.items() if time.time() - e.get("created", 0) <= importing.TOKEN_MAX_AGE}
        entries[token] = {"user": request.user.pk, "created": time.time(), "filename": upload.name[:200]}
        request.session[SESSION_KEY] = entries
        return redirect("org:import_preview", token=token)
    return render(request, "org/import_upload.html", {"form": form, **_limits()})


@require("can_edit_org")
def import_template(request):
    workbook = importing.template_workbook()
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition("单位和人员导入模板.xlsx", "duban-import-template.xlsx")
    return response


def _forget(request, token: str) -> None:
    entries = request.session.get(SESSION_KEY, {})
    if token in entries:
        del entries[token]
        request.session[SESSION_KEY] = entries
    importing.import_file_delete(token)


@require("can_edit_org")
@never_cache
def import_preview(request, token):
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("user") != request.user.pk:
        raise Http404
    if time.time() - entry.get("created", 0) > importing.TOKEN_MAX_AGE:
        _forget(request, token)
        messages.error(request, importing.ERR_EXPIRED)
        return redirect("org:import")
    path = importing.import_file_path(token)
    if path is None:
        _forget(request, token)
        raise Http404
    filename = entry.get("filename", "")
    try:
        if request.method == "POST":
            outcome = importing.import_commit(acting_user=request.user, path=path, request=request, filename=filename)
            if isinstance(outcome, importing.ImportResult):
                _forget(request, token)
                context = {"result": outcome, "filename": filename}
                return render(request, "org/import_preview.html", context)
            plan = outcome
        else:
            plan = importing.import_preview(acting_user=request.user, path=path)
    except importing.ImportFileError as error:
        _forget(request, token)
        messages.error(request, str(error))
        return redirect("org:import")
    context = {"plan": plan, "filename": filename, "token": token, "committing": request.method == "POST"}
    return render(request, "org/import_preview.html", context)


@require("can_browse_org")
def people_export(request):
    access = access_for(request.user)
    form = PeopleFilterForm(request.GET or None, tree=access.tree)
    filters = {k: v or "" for k, v in form.cleaned_data.items()} if form.is_valid() else {}
    queryset = selectors.people_filtered(tree=access.tree, **filters)
    queryset, sort = sort_queryset(queryset, request.GET.get("sort", ""), PEOPLE_SORTS, "unit")
    recorded = dict(filters)
    if filters.get("unit", "").isdecimal() and int(filters["unit"]) in access.tree.nodes:
        recorded["unit"] = access.tree.nodes[int(filters["unit"])].name
    if sort != "unit":
        recorded["sort"] = sort
    workbook, _count = importing.people_export(
        acting_user=request.user, people=queryset, filters=recorded, request=request
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(_("人员名单") + f"-{stamp}.xlsx", f"people-{stamp}.xlsx")
    response["Cache-Control"] = "no-store"
    return response

"""The web side of the Excel imports and exports, shared by their views: sending a
workbook, the upload form, and the uploads kept (under a token listed in the session)
between an import's preview and its commit. Model-free: the caller passes its storage
functions, its messages and what an upload belongs to.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy

from duban.lib.forms import StyledFormMixin
from duban.lib.xlsx import XLSX_CONTENT_TYPE, content_disposition, workbook_bytes

XLSX_ACCEPT = ".xlsx," + XLSX_CONTENT_TYPE


def xlsx_response(workbook, filename: str, fallback: str, *, no_store: bool = True) -> HttpResponse:
    """A workbook as a download named `filename` (`fallback` for old clients)."""
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    if no_store:
        response["Cache-Control"] = "no-store"
    return response


def xlsx_upload_form(*, check: Callable, error: type[Exception], no_file: str, unreadable: str, help_text):
    """A form with one .xlsx file field; `check(upload)` raises `error` (with the message
    to show) when the file is unusable as a whole."""

    class XlsxUploadForm(StyledFormMixin, forms.Form):
        file = forms.FileField(
            label=gettext_lazy("Excel 文件"),
            error_messages={"required": no_file, "empty": unreadable},
            widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}),
            help_text=help_text,
        )

        def clean_file(self):
            upload = self.cleaned_data["file"]
            try:
                check(upload)
            except error as problem:
                raise ValidationError(str(problem))
            return upload

    return XlsxUploadForm


@dataclass(frozen=True)
class Stashed:
    path: Path
    filename: str


@dataclass(frozen=True)
class UploadStash:
    """Uploads kept between the preview and the commit: the file in storage under a token,
    the token in `request.session[session_key]` as {token: {"user": id, "created": unix
    time, "filename": name, **scope}} so only its uploader (in the same scope, e.g. the
    same plan) can use it, for `max_age` seconds."""

    session_key: str
    store: Callable  # store(upload) -> token
    path_of: Callable  # path_of(token) -> Path | None
    delete: Callable  # delete(token)
    max_age: int

    def remember(self, request, upload, **scope) -> str:
        token = self.store(upload)
        now = time.time()
        entries = request.session.get(self.session_key, {})
        entries = {t: e for t, e in entries.items() if now - e.get("created", 0) <= self.max_age}
        entries[token] = {"user": request.user.pk, **scope, "created": now, "filename": upload.name[:200]}
        request.session[self.session_key] = entries
        return token

    def forget(self, request, token: str) -> None:
        entries = request.session.get(self.session_key, {})
        if entries.pop(token, None) is not None:
            request.session[self.session_key] = entries
        self.delete(token)

    def fetch(self, request, token: str, **scope) -> Stashed | None:
        """The upload of a token, or None when it has expired (it is then forgotten).
        Http404 for a token of someone else, another scope, or a file that is gone."""
        entry = request.session.get(self.session_key, {}).get(token)
        if not entry or entry.get("user") != request.user.pk or any(entry.get(k) != v for k, v in scope.items()):
            raise Http404
        if time.time() - entry.get("created", 0) > self.max_age:
            self.forget(request, token)
            return None
        path = self.path_of(token)
        if path is None:
            self.forget(request, token)
            raise Http404
        return Stashed(path=path, filename=entry.get("filename", ""))

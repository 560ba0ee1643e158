"""The locked result of a review session: the page, the .xlsx and the .docx. Only after the
close; the office, leaders and discipline read all of it, a subject only their own row."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from duban.assessment import access as rules
from duban.assessment import exports
from duban.assessment.models import ReviewSession, SessionLogKind
from duban.lib.xlsx import content_disposition
from duban.lib.xlsx_web import xlsx_response
from duban.org.access import access_for
from duban.supervision.documents import DOCX_CONTENT_TYPE


def _session(pk) -> ReviewSession:
    return get_object_or_404(ReviewSession.objects.select_related("organiser"), pk=pk)


@login_required
def result(request, pk):
    session = _session(pk)
    access = access_for(request.user)
    full = rules.can_see_result(access, session)
    own = [] if full else rules.own_subject_rows(access, session)
    if not full and not own:
        is_subject = session.subjects.filter(person=request.user).exists()
        if session.is_closed or not (rules.can_see_sessions(access) or is_subject):
            raise PermissionDenied
        context = {"session": session, "crumbs": rules.can_see_sessions(access), "can_manage": rules.can_manage(access)}
        return render(request, "assessment/result_pending.html", context)
    table = exports.result_table(session, only=None if full else set(own))
    logs = session.logs.filter(kind__in=[SessionLogKind.CLOSED, SessionLogKind.REOPENED]).select_related("actor")
    return render(
        request,
        "assessment/result.html",
        {
            "session": session,
            "table": table,
            "full": full,
            "logs": list(logs),
            "can_manage": rules.can_manage(access),
        },
    )


def _exportable(request, pk) -> ReviewSession:
    session = _session(pk)
    if not rules.can_see_result(access_for(request.user), session):
        raise PermissionDenied
    return session


def _stamp(session) -> str:
    return (session.closed_at or timezone.localdate()).strftime("%Y%m%d")


@login_required
def result_xlsx(request, pk):
    session = _exportable(request, pk)
    stamp = _stamp(session)
    return xlsx_response(
        exports.result_workbook(session),
        f"{session.title}测评结果-{stamp}.xlsx",
        f"review-result-{session.pk}-{stamp}.xlsx",
    )


@login_required
def result_docx(request, pk):
    session = _exportable(request, pk)
    stamp = _stamp(session)
    response = HttpResponse(exports.result_docx(session), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(
        f"{session.title}测评结果-{stamp}.docx", f"review-result-{session.pk}-{stamp}.docx"
    )
    response["Cache-Control"] = "no-store"
    return response

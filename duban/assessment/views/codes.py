"""Ballot codes: printed slips, the one-at-a-time screen, voiding, and the meeting-room
turnout screen. A plain code is only ever in the response that hands it out: the slips
document or the screen page, never stored, logged or put in the session."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from duban.assessment.forms import GenerateCodesForm, ScreenForm
from duban.assessment.models import BallotCode, CodeBatch
from duban.assessment.sealing import digest, pretty
from duban.assessment.services import codes as services
from duban.assessment.slips import DOCX_CONTENT_TYPE, slips_document
from duban.assessment.views.sessions import error_text, manager, session_for, tabs, viewer
from duban.lib.xlsx import content_disposition
from duban.supervision.views.common import form_error


def _ballot_url(request):
    return lambda code: request.build_absolute_uri(reverse("vote:ballot", args=[code]))


def _groups_with_counts(session):
    rows = services.turnout(session)
    for row in rows:
        row["available"] = services.codes_available(row["group"])
    return rows


def _batches(session):
    """Printed batches, and screen codes still unused (worth voiding when a voter walked off)."""
    batches = (
        CodeBatch.objects.filter(session=session)
        .select_related("group", "created_by")
        .annotate(
            n_used=Count("codes", filter=Q(codes__used=True)),
            n_open=Count("codes", filter=Q(codes__used=False, codes__voided=False)),
            n_void=Count("codes", filter=Q(codes__voided=True, codes__used=False)),
        )
        .order_by("-created_at", "-id")
    )
    return [b for b in batches if b.kind == CodeBatch.Kind.SLIPS or b.n_open]


@login_required
@never_cache
def codes(request, pk):
    manager(request)
    session = session_for(pk)
    form = GenerateCodesForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        group = form.cleaned_data["group"]
        try:
            plain = services.codes_generate(
                acting_user=request.user, group=group, count=form.cleaned_data["count"], kind=CodeBatch.Kind.SLIPS
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            content = slips_document(
                title=session.title,
                group=group.name,
                codes=plain,
                ballot_url=_ballot_url(request),
                host=request.get_host(),
            )
            response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
            response["Content-Disposition"] = content_disposition(
                f"投票码票签-{group.name}-{len(plain)}张.docx", f"ballot-slips-{session.pk}-{group.pk}.docx"
            )
            return response
    rows = _groups_with_counts(session)
    if not form.is_bound:
        first = next((r for r in rows if r["available"]), None)
        if first:
            form = GenerateCodesForm(session=session, initial={"group": first["group"].pk, "count": first["available"]})
    context = tabs(request, session, "codes", form=form, rows=rows, batches=_batches(session))
    return render(request, "assessment/codes.html", context)


@login_required
@require_POST
def batch_void(request, pk, bid):
    manager(request)
    session = session_for(pk)
    batch = get_object_or_404(CodeBatch.objects.select_related("group"), pk=bid, session=session)
    try:
        n = services.batch_void(acting_user=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已作废 %(n)s 个未使用的投票码。") % {"n": n})
    if request.POST.get("next") == "screen":
        return redirect(f"{reverse('assessment:screen', args=[session.pk])}?group={batch.group_id}")
    return redirect("assessment:codes", pk=session.pk)


@login_required
@never_cache
def screen(request, pk):
    """For a room where voters come up one at a time: each press of 下一位 makes one code
    and shows it, big, with its QR code, until the next press."""
    manager(request)
    session = session_for(pk)
    shown = None
    if request.method == "POST":
        form = ScreenForm(request.POST, session=session)
        if form.is_valid():
            group = form.cleaned_data["group"]
            try:
                (code,) = services.codes_generate(
                    acting_user=request.user, group=group, count=1, kind=CodeBatch.Kind.SCREEN
                )
            except ValidationError as error:
                form_error(form, error)
            else:
                url = _ballot_url(request)(code)
                shown = {
                    "code": pretty(code),
                    "qr": segno.make(url, error="m").svg_inline(scale=4, omitsize=True, svgclass="as-qr-svg"),
                    "group": group,
                    "batch": BallotCode.objects.filter(digest=digest(code)).values_list("batch_id", flat=True).first(),
                }
    else:
        form = ScreenForm(session=session, initial={"group": request.GET.get("group")})
    rows = _groups_with_counts(session)
    context = tabs(request, session, "codes", form=form, shown=shown, rows=rows, host=request.get_host())
    return render(request, "assessment/screen.html", context)


def _turnout_context(session):
    rows = services.turnout(session)
    ballots = sum(r["ballots"] for r in rows)
    cast = sum(r["cast"] for r in rows)
    return {
        "rows": rows,
        "total_ballots": ballots,
        "total_cast": cast,
        "total_percent": round(cast * 100 / ballots) if ballots else 0,
    }


@login_required
def turnout(request, pk):
    viewer(request)
    session = session_for(pk)
    return render(request, "assessment/turnout.html", tabs(request, session, "turnout", **_turnout_context(session)))


@login_required
@never_cache
def turnout_live(request, pk):
    """The numbers only, for HTMX every 3 s. Status 286 tells HTMX to stop polling once closed."""
    viewer(request)
    session = session_for(pk)
    response = render(request, "assessment/_turnout_numbers.html", {"session": session, **_turnout_context(session)})
    if session.is_closed:
        response.status_code = 286
    return response

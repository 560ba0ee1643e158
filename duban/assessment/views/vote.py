"""The voter's pages: no login, made for phones in a meeting room.

What these views keep out of everything they touch (docs/BALLOT_ANONYMITY.md):
- the code and the receipt are never written to logs, the messages framework, the Django
  session or a cookie; the receipt is rendered once, in the response to the accepted POST,
  never put into a URL;
- the person who happens to be logged in is never looked at: pages are rendered without
  context processors, so not even the navigation reads `request.user`;
- failed look-ups are rate-limited per client address in the cache only, under a keyed hash
  of the address, never in the database.

The forms are exempt from CSRF checks, and set no CSRF cookie: CSRF protects what a browser's
cookies authorise, and nothing here is authorised by a cookie (the code or receipt typed or
scanned is the whole credential). It is also needed: with `Referrer-Policy: no-referrer` the
browser sends `Origin: null` on a POST, which Django's origin check refuses.
"""

import hashlib
import hmac
from functools import wraps
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from duban.assessment.models import ReportMode, Subject, cell
from duban.assessment.rules import Shape, ballot_errors, clean_marks, rated_count, top_counts
from duban.assessment.sealing import normalise, pretty
from duban.assessment.services import Refused
from duban.assessment.services import voting as svc

MARK_PREFIX = "m_"  # form field of one rating: m_<cell>, e.g. m_12 or m_12:3

# Refusals about the code itself (a full page), as opposed to what is wrong with the ballot.
CODE_REFUSALS = {
    svc.ERR_FORMAT,
    svc.ERR_UNKNOWN,
    svc.ERR_USED,
    svc.ERR_VOIDED,
    svc.ERR_NOT_STARTED,
    svc.ERR_ENDED,
}
REFUSAL_TITLES = {
    svc.ERR_FORMAT: "投票码有误",
    svc.ERR_UNKNOWN: "投票码无效",
    svc.ERR_USED: "投票码已使用",
    svc.ERR_VOIDED: "投票码已作废",
    svc.ERR_NOT_STARTED: "测评尚未开始",
    svc.ERR_ENDED: "测评已结束",
}
ERR_TOO_MANY = "尝试次数过多，请 %(minutes)d 分钟后再试，或向会场工作人员求助。"
ERR_NO_REPORT = "没有找到这份述职报告。"

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
}


# --- Rate limit of failed look-ups ------------------------------------------------------


def _limit() -> tuple[int, int]:
    """(failures allowed, window in seconds) per client address."""
    return (
        int(getattr(settings, "DUBAN_VOTE_FAILURES", 20)),
        int(getattr(settings, "DUBAN_VOTE_FAILURE_WINDOW", 600)),
    )


def _limit_key(request, kind: str) -> str:
    # Keyed hash: even the cache does not hold the address itself.
    address = request.META.get("REMOTE_ADDR", "")
    mac = hmac.new(settings.SECRET_KEY.encode(), f"vote:{kind}:{address}".encode(), hashlib.sha256)
    return "vote-fail:" + mac.hexdigest()[:32]


def _blocked(request, kind: str) -> bool:
    allowed, _window = _limit()
    return cache.get(_limit_key(request, kind), 0) >= allowed


def _failed(request, kind: str) -> None:
    """Count one failed look-up (an unknown code or receipt: a guess, or a typo)."""
    key = _limit_key(request, kind)
    _allowed, window = _limit()
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)


# --- Rendering --------------------------------------------------------------------------


def voter_page(view):
    """Headers of every voter page: the code is in the URL, so no caching and no referrer."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Render without context processors (no user, no navigation, no messages)."""
    response = HttpResponse(render_to_string(template, context), status=status)
    if status >= 400:
        # django.request would log "Forbidden: /v/<code>/": the path holds the code.
        response._has_been_logged = True
    return response


def _refused(request, message: str, status: int = 403) -> HttpResponse:
    context = {
        "title": _(REFUSAL_TITLES.get(message, "无法投票")),
        "message": message,
        "used": message == svc.ERR_USED,
        "retry": message in (svc.ERR_FORMAT, svc.ERR_UNKNOWN, svc.ERR_VOIDED),
    }
    return _render(request, "vote/refused.html", context, status=status)


def _too_many(request) -> HttpResponse:
    _allowed, window = _limit()
    message = _(ERR_TOO_MANY) % {"minutes": max(window // 60, 1)}
    return _render(request, "vote/refused.html", {"title": _("请稍后再试"), "message": message}, status=429)


def _find(request, code: str):
    """The code's BallotCode, or a refusal page (counting unknown codes against the address)."""
    if _blocked(request, "code"):
        return None, _too_many(request)
    try:
        return svc.code_find(code), None
    except Refused as exc:
        message = exc.messages[0]
        if message == svc.ERR_UNKNOWN:
            _failed(request, "code")
        return None, _refused(request, message)


# --- Start: type the code from the slip ---------------------------------------------------


@voter_page
@require_http_methods(["GET", "POST"])
def start(request):
    error, typed = "", ""
    if request.method == "POST":
        typed = request.POST.get("code", "")[:40]
        if _blocked(request, "code"):
            return _too_many(request)
        try:
            svc.code_find(typed)
        except Refused as exc:
            error = exc.messages[0]
            if error == svc.ERR_UNKNOWN:
                _failed(request, "code")
        else:
            return HttpResponseRedirect(reverse("vote:ballot", args=[normalise(typed)]))
    return _render(request, "vote/start.html", {"error": error, "typed": typed}, status=400 if error else 200)


# --- The ballot ---------------------------------------------------------------------------


def rule_lines(shape: Shape) -> list[str]:
    """The quota and validity rules in plain words."""
    lines = []
    limit = shape.top_max()
    if limit is not None:
        if shape.dimensions:
            lines.append(_("每个测评维度评为“%(grade)s”的不超过 %(n)d 人") % {"grade": shape.top_label, "n": limit})
        else:
            lines.append(_("每张选票评为“%(grade)s”的不超过 %(n)d 人") % {"grade": shape.top_label, "n": limit})
    if shape.require_all:
        lines.append(_("须对全部 %(n)d 人作出评价") % {"n": len(shape.subjects)})
    else:
        lines.append(_("至少须评价 %(n)d 人") % {"n": shape.min_required()})
    if shape.dimensions:
        names = "、".join(f"“{d[1]}”" for d in shape.dimensions)
        lines.append(_("每人须在%(names)s %(n)d 个维度上分别评价") % {"names": names, "n": len(shape.dimensions)})
    return lines


def _raw_marks(post) -> dict:
    return {k[len(MARK_PREFIX) :]: v for k, v in post.items() if k.startswith(MARK_PREFIX)}


def _rows(session, shape: Shape, marks: dict, code: str) -> list[dict]:
    labels = {g[0]: g[1] for g in shape.grades}
    subjects = Subject.objects.filter(session=session).select_related("unit").order_by("order", "id")
    rows = []
    for number, subject in enumerate(subjects, start=1):
        cells = []
        for d in shape.dimensions or [(None, "", None)]:
            key = cell(subject.pk, d[0])
            cells.append(
                {
                    "key": key,
                    "field": MARK_PREFIX + key,
                    "dimension": d[1],
                    "value": marks.get(key),
                    "label": labels.get(marks.get(key), ""),
                }
            )
        rows.append(
            {
                "number": number,
                "subject": subject,
                "onsite": subject.report_mode == ReportMode.ONSITE,
                "where": " · ".join(x for x in (subject.unit.name if subject.unit else "", subject.position) if x),
                "report_url": reverse("vote:report", args=[code, subject.pk]) if subject.report else "",
                "cells": cells,
                "rated": all(c["value"] is not None for c in cells),
            }
        )
    return rows


def _ballot_context(found, shape: Shape, marks: dict, code: str) -> dict:
    return {
        "session": found.session,
        "shape": shape,
        "code": code,
        "grades": [{"order": g[0], "label": g[1]} for g in shape.grades],
        "rows": _rows(found.session, shape, marks, code),
        "rules": rule_lines(shape),
        "total": len(shape.subjects),
        "rated": rated_count(shape, marks),
        "top_count": max(top_counts(shape, marks).values(), default=0),
        "top_max": shape.top_max(),
        "min_required": shape.min_required(),
        "dims": len(shape.dimensions) or 1,
    }


@voter_page
@require_http_methods(["GET", "POST"])
def ballot(request, code):
    code = normalise(code)
    found, refusal = _find(request, code)
    if refusal:
        return refusal
    shape = svc.session_shape(found.session)
    if request.method == "GET":
        return _render(request, "vote/ballot.html", _ballot_context(found, shape, {}, code))

    raw = _raw_marks(request.POST)
    try:
        marks = clean_marks(shape, raw)
    except ValueError as exc:
        context = _ballot_context(found, shape, {}, code)
        context["errors"] = [str(exc)]
        return _render(request, "vote/ballot.html", context, status=400)
    editing = "edit" in request.POST
    if editing or request.POST.get("confirm") != "1":
        errors = ballot_errors(shape, marks)
        if editing or errors:
            context = _ballot_context(found, shape, marks, code)
            context["errors"] = errors
            return _render(request, "vote/ballot.html", context, status=400 if errors else 200)
        return _render(request, "vote/confirm.html", _confirm_context(found, shape, marks, code))

    # A confirmed ballot: the service checks it (a ballot it refuses comes back with the errors).
    try:
        cast = svc.ballot_cast(code_text=code, raw_marks=marks, found=found, shape=shape)
    except Refused as exc:
        if exc.messages and exc.messages[0] in CODE_REFUSALS:
            return _refused(request, exc.messages[0])
        context = _ballot_context(found, shape, marks, code)
        context["errors"] = exc.messages
        return _render(request, "vote/ballot.html", context, status=400)
    context = {
        "session": found.session,
        "receipt": pretty(cast.receipt) if cast.receipt else "",
        "fingerprint": pretty(cast.fingerprint) if cast.fingerprint else "",
        "check_url": request.build_absolute_uri(reverse("vote:check")),
    }
    return _render(request, "vote/thanks.html", context)


def _confirm_context(found, shape: Shape, marks: dict, code: str) -> dict:
    context = _ballot_context(found, shape, marks, code)
    counts = {g[0]: 0 for g in shape.grades}
    for value in marks.values():
        counts[value] += 1
    context["grade_counts"] = [{"label": g[1], "n": counts[g[0]]} for g in shape.grades]
    context["hidden"] = [(MARK_PREFIX + k, v) for k, v in marks.items()]
    context["unrated"] = sum(1 for r in context["rows"] if not r["rated"])
    return context


# --- A subject's written report ---------------------------------------------------------------


@voter_page
@require_http_methods(["GET"])
def report(request, code, sid):
    found, refusal = _find(request, normalise(code))
    if refusal:
        return refusal
    subject = Subject.objects.filter(session_id=found.session_id, pk=sid).first()
    if subject is None or not subject.report:
        return _render(request, "vote/refused.html", {"title": _("报告不存在"), "message": _(ERR_NO_REPORT)}, 404)
    name = subject.report_name or PurePath(subject.report.name).name
    extension = PurePath(name).suffix.lower() or PurePath(subject.report.name).suffix.lower()
    try:
        handle = subject.report.open("rb")
    except OSError:
        return _render(request, "vote/refused.html", {"title": _("报告不存在"), "message": _(ERR_NO_REPORT)}, 404)
    # Never served as HTML: a PDF opens in the phone's viewer, anything else downloads.
    inline = extension == ".pdf"
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    return response


# --- Checking a receipt -----------------------------------------------------------------------


@voter_page
@require_http_methods(["GET", "POST"])
def receipt_check(request):
    context = {"typed": "", "error": "", "result": None}
    status = 200
    if request.method == "POST":
        context["typed"] = request.POST.get("receipt", "")[:40]
        if _blocked(request, "receipt"):
            return _too_many(request)
        try:
            result = svc.receipt_check(context["typed"])
        except Refused as exc:
            context["error"] = exc.messages[0]
            status = 400
        else:
            if result.state == "unknown":
                _failed(request, "receipt")
            context["result"] = {
                "state": result.state,
                "session": result.session,
                "fingerprint": pretty(result.fingerprint) if result.fingerprint else "",
            }
    return _render(request, "vote/check.html", context, status=status)

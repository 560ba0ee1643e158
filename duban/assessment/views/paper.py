"""Paper ballots typed twice (双人录入): the overview per group, the typing form and the
resolution of a slip whose two typings differ. The office only. Thin: authorize, validate,
call one service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.assessment import access as rules
from duban.assessment.forms_paper import PaperEntryForm, PaperResolveForm
from duban.assessment.models import PaperEntry, ReviewSession, VoterGroup
from duban.assessment.rules import Shape, ballot_errors, rated_count
from duban.assessment.services import Refused
from duban.assessment.services import paper as services
from duban.org.access import access_for
from duban.supervision.views.common import form_error

STATE_WORDS = {
    "single": (gettext_lazy("待第二人录入"), "yellow"),
    "matched": (gettext_lazy("一致"), "green"),
    "mismatch": (gettext_lazy("不一致，待核对"), "red"),
    "resolved": (gettext_lazy("已核对"), "blue"),
}


def _session(request, pk) -> ReviewSession:
    """A session whose paper slips the person may type: the office."""
    if not rules.can_manage(access_for(request.user)):
        raise PermissionDenied
    return get_object_or_404(ReviewSession.objects.select_related("organiser"), pk=pk)


def _state(slip) -> dict:
    word, colour = STATE_WORDS[slip.state]
    return {"word": word, "colour": colour}


def _group_rows(session, slips) -> list[dict]:
    rows = []
    for group in session.groups.order_by("order", "id"):
        mine = [s for s in slips if s.group_id == group.pk]
        counts = {state: sum(1 for s in mine if s.state == state) for state in STATE_WORDS}
        rows.append(
            {
                "group": group,
                "typed": len(mine),
                "counted": counts["matched"] + counts["resolved"],
                **counts,
            }
        )
    return rows


@login_required
def paper_index(request, pk):
    session = _session(request, pk)
    slips = services.paper_slips(session)
    groups = _group_rows(session, slips)
    waiting = []
    for slip in slips:
        if slip.state == "single":
            typed_by_me = slip.entries[0].clerk_id == request.user.pk
            waiting.append({"slip": slip, "clerk": slip.entries[0].clerk, "mine": typed_by_me})
    mine = []
    for slip in slips:
        if any(e.clerk_id == request.user.pk for e in slip.entries):
            mine.append({"slip": slip, "state": _state(slip)})
    totals = {key: sum(row[key] for row in groups) for key in ("typed", "counted", *STATE_WORDS)}
    totals["ballots"] = sum(row["group"].ballots for row in groups)
    return render(
        request,
        "assessment/paper_index.html",
        {
            "session": session,
            "can_manage": True,
            "groups": groups,
            "totals": totals,
            "mismatches": [s for s in slips if s.state == "mismatch"],
            "waiting": waiting,
            "mine": mine,
            "state_words": STATE_WORDS,
        },
    )


def _next_slip(session, group, slip_no, user) -> int | None:
    """The next number this clerk has not typed yet in the group (after the one just saved)."""
    done = set(PaperEntry.objects.filter(session=session, group=group, clerk=user).values_list("slip_no", flat=True))
    for number in [*range(slip_no + 1, group.ballots + 1), *range(1, slip_no + 1)]:
        if number not in done:
            return number
    return None


def _entry_notes(session, group, slip_no, user) -> tuple[dict | None, list[str]]:
    """This clerk's own earlier typing of the slip (to correct it) and what to know about it."""
    if group is None or not slip_no:
        return None, []
    entries = list(PaperEntry.objects.filter(session=session, group=group, slip_no=slip_no))
    own = next((e for e in entries if e.clerk_id == user.pk), None)
    others = [e for e in entries if e.clerk_id != user.pk]
    notes = []
    if own is not None:
        notes.append(_("您已录入过这张选票，下面是您的录入；再次保存将替换您原来的录入。"))
    elif len(others) >= 2:
        notes.append(_("这张选票已有两位工作人员录入，不能再录入第三份。如不一致，请到核对页按原票确定。"))
    elif others:
        notes.append(_("另一位工作人员已录入这张选票，请您对照原票独立录入第二份。"))
    return (own.marks if own else None), notes


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def paper_enter(request, pk):
    session = _session(request, pk)
    if not session.is_open:
        if session.is_draft:
            messages.error(request, _("测评尚未开始，不能录入纸质选票。"))
        else:
            messages.error(request, _("测评已结束，结果已锁定，不能再录入纸质选票。"))
        return redirect("assessment:paper_index", session.pk)
    shape = Shape.of(session)
    groups = session.groups.order_by("order", "id")
    if request.method == "POST":
        form = PaperEntryForm(request.POST, session=session, shape=shape)
        if form.is_valid():
            group, slip_no = form.cleaned_data["group"], form.cleaned_data["slip_no"]
            try:
                entry = services.paper_enter(
                    acting_user=request.user, group=group, slip_no=slip_no, raw_marks=form.raw_marks()
                )
            except Refused as error:
                form_error(form, error)
            else:
                _saved_messages(request, session, shape, group, entry)
                query = {"group": group.pk}
                following = _next_slip(session, group, entry.slip_no, request.user)
                if following:
                    query["slip"] = following
                return redirect(reverse("assessment:paper_enter", args=[session.pk]) + "?" + urlencode(query))
        notes = []
    else:
        group = groups.filter(pk=_int(request.GET.get("group"))).first() or groups.first()
        slip_no = _int(request.GET.get("slip"))
        own, notes = _entry_notes(session, group, slip_no, request.user)
        form = PaperEntryForm(
            session=session,
            shape=shape,
            initial={"group": group, "slip_no": slip_no},
            initial_marks=own,
        )
    return render(
        request,
        "assessment/paper_enter.html",
        {
            "session": session,
            "form": form,
            "rows": form.grid_rows(),
            "shape": shape,
            "grades": shape.grades,
            "dimensions": shape.dimensions,
            "notes": notes,
            "grid_errors": form.grid_errors() if form.is_bound else [],
            "top_max": shape.top_max(),
            "min_required": shape.min_required(),
            "group_sizes": {g.pk: g.ballots for g in groups},
        },
        status=400 if form.is_bound else 200,
    )


def _saved_messages(request, session, shape, group, entry) -> None:
    slip = next(s for s in services.paper_slips(session, group) if s.slip_no == entry.slip_no)
    rated = rated_count(shape, entry.marks)
    base = _("已保存“%(group)s”第 %(n)s 号选票（评价 %(rated)s / %(total)s 人）。") % {
        "group": group.name,
        "n": entry.slip_no,
        "rated": rated,
        "total": len(shape.subjects),
    }
    state = {
        "single": _("等待另一位工作人员录入第二份。"),
        "matched": _("与另一位工作人员的录入一致，该票将计入。"),
        "mismatch": _("与另一位工作人员的录入不一致，须对照原票核对后才计入。"),
        "resolved": "",
    }[slip.state]
    if slip.state == "mismatch":
        messages.error(request, base + state)
    else:
        messages.success(request, base + state)
    problems = ballot_errors(shape, entry.marks)
    if problems:
        messages.warning(
            request,
            _("第 %(n)s 号选票不符合测评规则，已按原样保存，结束测评时将计为废票：%(problems)s")
            % {"n": entry.slip_no, "problems": "".join(problems)},
        )


@login_required
def paper_resolve(request, pk, gid, slip):
    session = _session(request, pk)
    group = get_object_or_404(VoterGroup, pk=gid, session=session)
    found = next((s for s in services.paper_slips(session, group) if s.slip_no == slip), None)
    if found is None:
        raise Http404
    if found.state != "mismatch" and found.state != "resolved":
        messages.info(request, _("这张选票两份录入一致或尚未完成两份录入，无需核对。"))
        return redirect("assessment:paper_index", session.pk)
    shape = Shape.of(session)
    first, second = found.entries[0], found.entries[1]
    differing = found.differences()
    agreed = {k: v for k, v in first.marks.items() if second.marks.get(k) == v}
    resolvable = found.state == "mismatch" and session.is_open
    if request.method == "POST" and resolvable:
        form = PaperResolveForm(request.POST, shape=shape, agreed=agreed, differing=differing)
        if form.is_valid():
            try:
                resolution = services.paper_resolve(
                    acting_user=request.user,
                    group=group,
                    slip_no=found.slip_no,
                    raw_marks=form.raw_marks(),
                    note=form.cleaned_data["note"],
                )
            except Refused as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("“%(group)s”第 %(n)s 号选票已按原票核对确定，将计入结果。")
                    % {"group": group.name, "n": found.slip_no},
                )
                problems = ballot_errors(shape, resolution.marks)
                if problems:
                    messages.warning(
                        request,
                        _("这张选票不符合测评规则，结束测评时将计为废票：%(problems)s")
                        % {"problems": "".join(problems)},
                    )
                return redirect("assessment:paper_index", session.pk)
    else:
        initial = found.resolution.marks if found.resolution else agreed
        form = PaperResolveForm(shape=shape, agreed=initial, differing=[] if found.resolution else differing)
    return render(
        request,
        "assessment/paper_resolve.html",
        {
            "session": session,
            "group": group,
            "slip": found,
            "first": first,
            "second": second,
            "form": form,
            "rows": form.grid_rows(typings=[first.marks, second.marks], differing=set(differing)),
            "grades": shape.grades,
            "dimensions": shape.dimensions,
            "differing": differing,
            "resolvable": resolvable,
            "grid_errors": form.grid_errors() if form.is_bound else [],
        },
        status=400 if form.is_bound else 200,
    )

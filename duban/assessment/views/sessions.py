"""The office's pages to set up a review session: the list, the session, its subjects, its
scale and its voter groups, and the acts of opening, closing and reopening it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.assessment import access as rules
from duban.assessment.forms import (
    BulkSubjectsForm,
    ReopenForm,
    SessionForm,
    SubjectForm,
    dimension_formset,
    grade_formset,
    group_formset,
    match_people,
    ordered_rows,
)
from duban.assessment.models import BallotCode, ReportMode, ReviewSession, SessionState, Subject
from duban.assessment.rules import Shape
from duban.assessment.services import sessions as services
from duban.assessment.services.codes import turnout
from duban.org.access import access_for
from duban.supervision.views.common import form_error

# --- Fetch and authorize -------------------------------------------------------------


def viewer(request):
    """The office, leaders and discipline see sessions; everyone else gets 403."""
    access = access_for(request.user)
    if not rules.can_see_sessions(access):
        raise PermissionDenied
    return access


def manager(request):
    access = viewer(request)
    if not rules.can_manage(access):
        raise PermissionDenied
    return access


def session_for(pk) -> ReviewSession:
    return get_object_or_404(ReviewSession.objects.select_related("organiser"), pk=pk)


def error_text(error) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


def tabs(request, session, tab, **extra):
    """The context every page of one session shares (header, crumbs, tabs)."""
    access = access_for(request.user)
    return {"session": session, "tab": tab, "can_manage": rules.can_manage(access), **extra}


# --- The list and the session ----------------------------------------------------------


@login_required
def session_list(request):
    access = viewer(request)
    sessions = ReviewSession.objects.select_related("organiser").annotate(
        n_subjects=Count("subjects", distinct=True),
        n_onsite=Count("subjects", filter=Q(subjects__report_mode=ReportMode.ONSITE), distinct=True),
    )
    state = request.GET.get("state", "")
    if state in SessionState.values:
        sessions = sessions.filter(state=state)
    sessions = list(sessions)
    ballots = dict(
        ReviewSession.objects.filter(pk__in=[s.pk for s in sessions])
        .annotate(n=Sum("groups__ballots"))
        .values_list("pk", "n")
    )
    used = dict(
        BallotCode.objects.filter(session__in=sessions, used=True)
        .values("session")
        .annotate(n=Count("id"))
        .values_list("session", "n")
    )
    for s in sessions:
        s.n_ballots = ballots.get(s.pk) or 0
        s.n_used = used.get(s.pk, 0)
    context = {
        "sessions": sessions,
        "state": state,
        "states": SessionState.choices,
        "can_manage": rules.can_manage(access),
    }
    return render(request, "assessment/session_list.html", context)


@login_required
def session_create(request):
    access = manager(request)
    form = SessionForm(request.POST or None, tree=access.tree, initial={"year": _this_year() - 1})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                acting_user=request.user, session=form.save(commit=False), scale=form.cleaned_data["scale"]
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("述职评议已创建。下一步：添加被测评人和测评人类别。"))
            return redirect("assessment:subjects", pk=session.pk)
    return render(request, "assessment/session_form.html", {"form": form, "session": None})


def _this_year() -> int:
    return timezone.localdate().year


@login_required
def session_edit(request, pk):
    access = manager(request)
    session = session_for(pk)
    if session.is_closed:
        messages.error(request, services.ERR_CLOSED)
        return redirect(session)
    form = SessionForm(request.POST or None, instance=session, tree=access.tree)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_save(acting_user=request.user, session=form.save(commit=False))
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(session)
    return render(request, "assessment/session_form.html", tabs(request, session, "detail", form=form))


@login_required
def session_detail(request, pk):
    viewer(request)
    session = session_for(pk)
    subjects = session.subjects.aggregate(
        total=Count("id"),
        onsite=Count("id", filter=Q(report_mode=ReportMode.ONSITE)),
        reports=Count("id", filter=~Q(report="")),
    )
    shape = Shape.of(session)
    rows = turnout(session)
    context = tabs(
        request,
        session,
        "detail",
        problems=services.readiness(session) if session.is_draft else [],
        subjects=subjects,
        grades=list(session.grades.order_by("order")),
        dimensions=list(session.dimensions.all()),
        turnout=rows,
        total_ballots=sum(r["ballots"] for r in rows),
        total_cast=sum(r["cast"] for r in rows),
        top_max=shape.top_max(),
        top_label=shape.top_label,
        logs=session.logs.select_related("actor").order_by("-at", "-id"),
        reopen_form=ReopenForm(),
    )
    return render(request, "assessment/session_detail.html", context)


@login_required
@require_POST
def session_open(request, pk):
    manager(request)
    session = session_for(pk)
    try:
        services.session_open(acting_user=request.user, session=session)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("测评已开始，投票码现在可以使用。"))
    return redirect(session)


@login_required
@require_POST
def session_close(request, pk):
    manager(request)
    session = session_for(pk)
    try:
        session = services.session_close(acting_user=request.user, session=session)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        counted = session.result["ballots"]
        messages.success(
            request,
            _("测评已结束，结果已锁定：有效票 %(valid)s 张，无效票 %(invalid)s 张。")
            % {"valid": counted["valid"], "invalid": counted["invalid"]},
        )
    return redirect(session)


@login_required
@require_POST
def session_reopen(request, pk):
    manager(request)
    session = session_for(pk)
    try:
        services.session_reopen(acting_user=request.user, session=session, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.warning(request, _("测评已重新开放，原结果已撤回。再次结束测评时重新计票。"))
    return redirect(session)


# --- Subjects -------------------------------------------------------------------------


@login_required
def subjects(request, pk):
    access = viewer(request)
    session = session_for(pk)
    editable = rules.can_manage(access) and session.is_draft
    form = SubjectForm(tree=access.tree, instance=Subject(session=session), initial={"order": _next_order(session)})
    bulk = BulkSubjectsForm()
    if request.method == "POST":
        if not rules.can_manage(access):
            raise PermissionDenied
        if not session.is_draft:
            messages.error(request, services.ERR_NOT_DRAFT)
            return redirect("assessment:subjects", pk=session.pk)
        action = request.POST.get("action")
        if action == "bulk":
            bulk = BulkSubjectsForm(request.POST)
            if bulk.is_valid() and _bulk_add(request, session, bulk):
                return redirect("assessment:subjects", pk=session.pk)
        elif action == "modes":
            _save_modes(request, session)
            return redirect("assessment:subjects", pk=session.pk)
        else:
            form = SubjectForm(request.POST, request.FILES, tree=access.tree, instance=Subject(session=session))
            if form.is_valid():
                try:
                    subject = services.part_save(acting_user=request.user, obj=form.save())
                except ValidationError as error:
                    form_error(form, error)
                else:
                    messages.success(request, _("已添加被测评人%(name)s。") % {"name": subject.name})
                    return redirect("assessment:subjects", pk=session.pk)
    rows = list(session.subjects.select_related("unit", "person").order_by("order", "id"))
    context = tabs(
        request,
        session,
        "subjects",
        rows=rows,
        onsite=sum(1 for s in rows if s.report_mode == ReportMode.ONSITE),
        with_report=sum(1 for s in rows if s.report),
        editable=editable,
        form=form,
        bulk=bulk,
        open_add=bulk.is_bound or form.is_bound or not rows,
    )
    return render(request, "assessment/subjects.html", context)


def _next_order(session) -> int:
    last = session.subjects.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def _bulk_add(request, session, bulk) -> bool:
    """Add every pasted name, all or none. Names already in the list are skipped and said so."""
    names = bulk.cleaned_data["names"]
    existing = set(session.subjects.values_list("name", flat=True))
    taken_people = set(session.subjects.exclude(person=None).values_list("person_id", flat=True))
    people = match_people(names)
    order = _next_order(session)
    added, skipped, matched = [], [], 0
    try:
        with transaction.atomic():
            for name in names:
                person = people.get(name)
                if name in existing or (person is not None and person.pk in taken_people):
                    skipped.append(name)
                    continue
                subject = Subject(session=session, order=order, name=name, report_mode=bulk.cleaned_data["report_mode"])
                if person is not None:
                    subject.person, subject.unit, subject.position = person, person.unit, person.position
                    matched += 1
                services.part_save(acting_user=request.user, obj=subject)
                added.append(name)
                order += 1
    except ValidationError as error:
        form_error(bulk, error)
        return False
    if added:
        messages.success(
            request,
            _("已添加 %(n)s 位被测评人，其中 %(m)s 位已从人员名单带出单位和职务。") % {"n": len(added), "m": matched},
        )
    if skipped:
        messages.warning(request, _("以下姓名已在名单中，未重复添加：%(names)s。") % {"names": "、".join(skipped)})
    return True


def _save_modes(request, session) -> None:
    """Mark who reports on site; everyone else reports in writing."""
    onsite = set(request.POST.getlist("onsite"))
    try:
        with transaction.atomic():
            for subject in session.subjects.all():
                mode = ReportMode.ONSITE if str(subject.pk) in onsite else ReportMode.WRITTEN
                if subject.report_mode != mode:
                    subject.report_mode = mode
                    services.part_save(acting_user=request.user, obj=subject)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return
    messages.success(
        request, _("述职方式已保存：现场述职 %(n)s 人。") % {"n": session.subjects.filter(report_mode="onsite").count()}
    )


def _subject_for(session, sid) -> Subject:
    return get_object_or_404(Subject.objects.select_related("person", "unit"), pk=sid, session=session)


@login_required
def subject_edit(request, pk, sid):
    access = manager(request)
    session = session_for(pk)
    subject = _subject_for(session, sid)
    if not session.is_draft:
        messages.error(request, services.ERR_NOT_DRAFT)
        return redirect("assessment:subjects", pk=session.pk)
    form = SubjectForm(request.POST or None, request.FILES or None, tree=access.tree, instance=subject)
    if request.method == "POST" and form.is_valid():
        try:
            services.part_save(acting_user=request.user, obj=form.save())
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("已保存被测评人%(name)s。") % {"name": subject.name})
            return redirect("assessment:subjects", pk=session.pk)
    return render(
        request, "assessment/subject_form.html", tabs(request, session, "subjects", form=form, subject=subject)
    )


@login_required
@require_POST
def subject_delete(request, pk, sid):
    manager(request)
    session = session_for(pk)
    subject = _subject_for(session, sid)
    try:
        services.part_delete(acting_user=request.user, obj=subject)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if subject.report:
            subject.report.delete(save=False)
        messages.success(request, _("已删除被测评人%(name)s。") % {"name": subject.name})
    return redirect("assessment:subjects", pk=session.pk)


@login_required
def subject_report(request, pk, sid):
    viewer(request)
    subject = _subject_for(session_for(pk), sid)
    if not subject.report:
        raise Http404
    try:
        handle = subject.report.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=subject.report_name or subject.report.name)


# --- Scale and groups -----------------------------------------------------------------


def _save_rows(request, session, formset) -> None:
    """Delete, then save the kept rows renumbered 1, 2, 3… in the order the clerk gave. Rows
    already saved first move out of the way, so two grades can swap places."""
    deleted, kept = ordered_rows(formset)
    for obj in deleted:
        services.part_delete(acting_user=request.user, obj=obj)
    objects = []
    for form in kept:
        obj = form.save(commit=False)
        obj.session = session
        objects.append(obj)
    for number, obj in enumerate(objects, start=1):
        if obj.pk:
            obj.order = 1000 + number
            services.part_save(acting_user=request.user, obj=obj)
    for number, obj in enumerate(objects, start=1):
        obj.order = number
        services.part_save(acting_user=request.user, obj=obj)


@login_required
def scale(request, pk):
    access = viewer(request)
    session = session_for(pk)
    editable = rules.can_manage(access) and session.is_draft
    data = request.POST if request.method == "POST" else None
    if data is not None and not editable:
        if not rules.can_manage(access):
            raise PermissionDenied
        messages.error(request, services.ERR_NOT_DRAFT)
        return redirect("assessment:scale", pk=session.pk)
    grades = grade_formset(session, data)
    dimensions = dimension_formset(session, data)
    error = None
    if data is not None and grades.is_valid() and dimensions.is_valid():
        try:
            with transaction.atomic():
                _save_rows(request, session, grades)
                _save_rows(request, session, dimensions)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            messages.success(request, _("评价等次和测评维度已保存。"))
            return redirect("assessment:scale", pk=session.pk)
    context = tabs(
        request,
        session,
        "scale",
        grades=grades,
        dimensions=dimensions,
        editable=editable,
        error=error,
        shape=Shape.of(session),
    )
    return render(request, "assessment/scale.html", context)


@login_required
def groups(request, pk):
    access = viewer(request)
    session = session_for(pk)
    editable = rules.can_manage(access) and not session.is_closed
    data = request.POST if request.method == "POST" else None
    if data is not None and not editable:
        if not rules.can_manage(access):
            raise PermissionDenied
        messages.error(request, services.ERR_CLOSED)
        return redirect("assessment:groups", pk=session.pk)
    formset = group_formset(session, data)
    error = None
    if data is not None and formset.is_valid():
        try:
            with transaction.atomic():
                if session.is_draft:
                    _save_rows(request, session, formset)
                else:
                    for form in formset.forms:
                        if form.has_changed():
                            services.part_save(acting_user=request.user, obj=form.save(commit=False))
        except ValidationError as exc:
            error = error_text(exc)
        else:
            messages.success(request, _("测评人类别已保存。"))
            return redirect("assessment:groups", pk=session.pk)
    rows = {r["group"].pk: r for r in turnout(session)}
    for form in formset.forms:
        form.turnout = rows.get(form.instance.pk)
    context = tabs(
        request,
        session,
        "groups",
        formset=formset,
        editable=editable,
        error=error,
        total_ballots=sum(r["ballots"] for r in rows.values()),
        total_weight=sum(r["group"].weight for r in rows.values()),
    )
    return render(request, "assessment/groups.html", context)

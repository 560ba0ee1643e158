"""Review sessions through the API: read the setup, turnout and the locked result; the office sets
up, opens, closes, reopens and generates codes. No endpoint casts a ballot."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError

from duban.api.auth import acting, api_user
from duban.api.errors import ErrorOut, InvalidOut
from duban.assessment import access as rules
from duban.assessment.api.schemas import (
    CodesIn,
    CodesOut,
    GroupIn,
    GroupOut,
    ReopenReasonIn,
    SessionDetailOut,
    SessionIn,
    SessionOut,
    SubjectIn,
    SubjectOut,
    TurnoutOut,
)
from duban.assessment.models import CodeBatch, ReviewSession, Subject, VoterGroup
from duban.assessment.services import Refused
from duban.assessment.services import codes as code_services
from duban.assessment.services import sessions as services
from duban.org.access import access_for
from duban.org.models import Person, Unit

router = Router(tags=["述职评议"])

READ = {401: ErrorOut, 403: ErrorOut}
ONE = {**READ, 404: ErrorOut}
WRITE = {**ONE, 400: InvalidOut}
SESSIONS = ReviewSession.objects.select_related("organiser").annotate(subject_count=Count("subjects"))


def _access(request):
    access = access_for(api_user(request))
    if not rules.can_see_sessions(access):
        raise PermissionDenied("只有督查办、校领导和纪检可以查看述职评议。")
    return access


def _session(pk: int) -> ReviewSession:
    return get_object_or_404(SESSIONS, pk=pk)


def _out(s: ReviewSession) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "year": s.year,
        "organiser": s.organiser.name,
        "held_on": s.held_on,
        "place": s.place,
        "state": s.state,
        "top_quota_percent": s.top_quota_percent,
        "require_all": s.require_all,
        "min_rated": s.min_rated,
        "subjects": getattr(s, "subject_count", None) or s.subjects.count(),
        "closed_at": s.closed_at,
    }


def _subject_out(subject: Subject) -> dict:
    return {
        "id": subject.pk,
        "order": subject.order,
        "name": subject.name,
        "unit": subject.unit.name if subject.unit else None,
        "position": subject.position,
        "report_mode": subject.report_mode,
        "has_report": bool(subject.report),
    }


def _detail(s: ReviewSession) -> dict:
    return {
        **_out(s),
        "grades": list(s.grades.values("order", "label", "score", "positive")),
        "dimensions": list(s.dimensions.values("id", "name", "weight")),
        "subject_list": [_subject_out(x) for x in s.subjects.select_related("unit").order_by("order", "id")],
        "groups": list(s.groups.order_by("order", "id").values("id", "name", "weight", "ballots")),
    }


@router.get("/assessment/sessions", response={200: list[SessionOut], **READ}, summary="述职评议列表")
def session_list(request):
    """督查办、校领导、纪检可见。"""
    _access(request)
    return [_out(s) for s in SESSIONS.order_by("-year", "-id")]


@router.get("/assessment/sessions/{pk}", response={200: SessionDetailOut, **ONE}, summary="述职评议详情")
def session_detail(request, pk: int):
    _access(request)
    return _detail(_session(pk))


@router.get("/assessment/sessions/{pk}/turnout", response={200: list[TurnoutOut], **ONE}, summary="投票进度")
def session_turnout(request, pk: int):
    """每个测评人类别的应到人数、已发放和已使用的投票码数、已录入的纸质票数。只有数量，不含任何选票内容。"""
    _access(request)
    session = _session(pk)
    return [
        {
            "group_id": row["group"].pk,
            "group": row["group"].name,
            **{k: row[k] for k in ("ballots", "issued", "used", "paper", "cast", "percent")},
        }
        for row in code_services.turnout(session)
    ]


@router.get("/assessment/sessions/{pk}/result", response={200: dict, **ONE, 409: ErrorOut}, summary="计票结果")
def session_result(request, pk: int):
    """测评结束后的锁定结果：每位被测评人的各等次票数、加权得分、好评率（计入好评的等次之和）和名次。
    有效票少于 5 张的测评人类别不分组显示。被测评人本人只能看到自己的一行。未结束时返回 409。"""
    access = access_for(api_user(request))
    session = _session(pk)
    own = rules.own_subject_rows(access, session)
    if not (rules.can_see_sessions(access) or own):
        raise PermissionDenied("无权查看该评议结果。")
    if not session.is_closed:
        raise HttpError(409, "测评尚未结束，没有计票结果。")
    result = dict(session.result)
    if not rules.can_see_result(access, session):
        result["subjects"] = [row for row in result["subjects"] if row["subject"] in own]
    return result


def _require_manage(request):
    if not rules.can_manage(access_for(api_user(request))):
        raise PermissionDenied("只有督查办可以管理述职评议。")


@router.post("/assessment/sessions", response={201: SessionDetailOut, **WRITE}, summary="新建述职评议")
def session_create(request, data: SessionIn):
    _require_manage(request)
    organiser = Unit.objects.filter(pk=data.organiser_id).first()
    if organiser is None:
        raise Refused({"organiser_id": ["单位不存在。"]})
    session = ReviewSession(
        title=data.title.strip(),
        year=data.year,
        organiser=organiser,
        held_on=data.held_on,
        place=data.place,
        instructions=data.instructions,
        top_quota_percent=data.top_quota_percent,
        require_all=data.require_all,
        min_rated=data.min_rated,
        show_receipts=data.show_receipts,
    )
    if not session.title:
        raise Refused({"title": ["请填写名称。"]})
    with acting(request):
        session = services.session_create(acting_user=api_user(request), session=session, scale=data.scale)
    return Status(201, _detail(_session(session.pk)))


@router.post("/assessment/sessions/{pk}/subjects", response={201: SubjectOut, **WRITE}, summary="添加被测评人")
def subject_add(request, pk: int, data: SubjectIn):
    _require_manage(request)
    session = _session(pk)
    subject = Subject(session=session, report_mode=data.report_mode, position=data.position)
    if data.person_id:
        person = Person.objects.select_related("unit").filter(pk=data.person_id).first()
        if person is None:
            raise Refused({"person_id": ["人员不存在。"]})
        subject.person, subject.name, subject.unit = person, person.name, person.unit
        subject.position = data.position or person.position
    else:
        subject.name = data.name.strip()
        if not subject.name:
            raise Refused({"name": ["请填写姓名或选择人员。"]})
        if data.unit_id:
            subject.unit = Unit.objects.filter(pk=data.unit_id).first()
            if subject.unit is None:
                raise Refused({"unit_id": ["单位不存在。"]})
    if session.subjects.filter(person_id=subject.person_id).exists() and subject.person_id:
        raise Refused({"person_id": ["此人已是本次评议的被测评人。"]})
    subject.order = data.order or (session.subjects.count() + 1)
    with acting(request):
        subject = services.part_save(acting_user=api_user(request), obj=subject)
    return Status(201, _subject_out(subject))


@router.post("/assessment/sessions/{pk}/groups", response={201: GroupOut, **WRITE}, summary="添加测评人类别")
def group_add(request, pk: int, data: GroupIn):
    _require_manage(request)
    session = _session(pk)
    if session.groups.filter(name=data.name.strip()).exists():
        raise Refused({"name": ["已有同名的测评人类别。"]})
    group = VoterGroup(
        session=session,
        name=data.name.strip(),
        weight=data.weight,
        ballots=data.ballots,
        order=data.order or session.groups.count() + 1,
    )
    with acting(request):
        group = services.part_save(acting_user=api_user(request), obj=group)
    return Status(201, {"id": group.pk, "name": group.name, "weight": group.weight, "ballots": group.ballots})


@router.post("/assessment/sessions/{pk}/open", response={200: SessionOut, **WRITE}, summary="开始测评")
def session_open(request, pk: int):
    _require_manage(request)
    with acting(request):
        session = services.session_open(acting_user=api_user(request), session=_session(pk))
    return _out(_session(session.pk))


@router.post("/assessment/sessions/{pk}/close", response={200: SessionOut, **WRITE}, summary="结束测评并计票")
def session_close(request, pk: int):
    """计票并锁定结果；纸质选票须全部完成双人录入核对。"""
    _require_manage(request)
    with acting(request):
        session = services.session_close(acting_user=api_user(request), session=_session(pk))
    return _out(_session(session.pk))


@router.post("/assessment/sessions/{pk}/reopen", response={200: SessionOut, **WRITE}, summary="重新开放")
def session_reopen(request, pk: int, data: ReopenReasonIn):
    """须说明理由，记入评议记录；已锁定的结果撤回，待再次结束时重新计票。"""
    _require_manage(request)
    with acting(request):
        session = services.session_reopen(acting_user=api_user(request), session=_session(pk), reason=data.reason)
    return _out(_session(session.pk))


@router.post("/assessment/sessions/{pk}/groups/{gid}/codes", response={201: CodesOut, **WRITE}, summary="生成投票码")
def codes_generate(request, pk: int, gid: int, data: CodesIn):
    """返回投票码明文（仅此一次，系统只保存摘要）。请打印后打乱顺序发放；系统不记录谁拿到了哪个码。"""
    _require_manage(request)
    group = get_object_or_404(VoterGroup, pk=gid, session_id=pk)
    with acting(request):
        codes = code_services.codes_generate(
            acting_user=api_user(request), group=group, count=data.count, kind=CodeBatch.Kind.SLIPS
        )
    return Status(201, {"group": group.name, "codes": codes})

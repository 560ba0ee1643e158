"""Supervision notices (督办单) through the API: the office issues a numbered notice on
an item, the addressed unit answers it, the office closes it.

Who sees a notice is services.actions.notices_visible (the office, discipline and
institution-wide leaders every notice; units those addressed to them; people those on
items they are responsible for or patron of); a notice outside it is 404.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from duban.api.auth import acting, api_user
from duban.api.pagination import Pagination
from duban.supervision.api.actions import action_form, item_for_action, refused
from duban.supervision.api.common import ONE_ERRORS, READ_ERRORS, WRITE_ERRORS, access_of, require
from duban.supervision.api.schemas_more import (
    NoticeAnswerIn,
    NoticeCloseIn,
    NoticeDetailOut,
    NoticeFilter,
    NoticeIn,
    NoticeOut,
)
from duban.supervision.forms_actions import NoticeAnswerForm, NoticeCloseForm, NoticeForm
from duban.supervision.models import Notice, NoticeStatus
from duban.supervision.services import actions as services

router = Router(tags=["督办单"])

# Everything a NoticeOut shows.
NOTICES = Notice.objects.select_related("item__lead_unit", "addressee_unit", "issued_by", "responded_by")


def notice_get(access, pk: int) -> Notice:
    """A notice the caller may see, else 404."""
    notice = services.notices_visible(access, NOTICES.filter(pk=pk)).first()
    if notice is None:
        raise Http404
    return notice


def _detail(access, pk: int) -> Notice:
    notice = notice_get(access, pk)
    notice.permissions = {
        "answer": notice.status == NoticeStatus.ISSUED and services.can_answer_notice(access, notice),
        "close": notice.status == NoticeStatus.ANSWERED and services.can_close_notice(access, notice),
    }
    return notice


@router.post("/items/{int:item_id}/notices", response={201: NoticeDetailOut, **WRITE_ERRORS}, summary="下发督办单")
def notice_create(request, item_id: int, payload: NoticeIn):
    """仅督查办，且事项未办结。督办单按年度自动编号（督办〔年度〕N号），不能撤回；主送单位
    （默认为牵头单位）的负责人、联络员和事项责任人会收到通知。回复时限不能早于今天。"""
    access, item = item_for_action(request, item_id, services.can_issue_notice, services.ERR_CANNOT_ISSUE_NOTICE)
    values = payload.model_dump(mode="json")
    values["title"] = (values["title"] or "").strip() or services.notice_default_title(item)
    if values["addressee_unit_id"] is None:
        values["addressee_unit_id"] = item.lead_unit_id
    form = action_form(NoticeForm, values, item=item, tree=access.tree)
    try:
        with acting(request):
            notice = services.notice_issue(acting_user=api_user(request), item=item, **form.cleaned_data)
    except ValidationError as error:
        raise refused(form, error)
    return Status(201, _detail(access, notice.pk))


@router.get("/notices", response={200: list[NoticeOut], **READ_ERRORS}, summary="督办单列表")
@paginate(Pagination)
def notice_list(request, filters: Query[NoticeFilter]):
    """调用者可见的督办单，新下发的在前：督查办、纪检和全校范围的校领导看到全部；各单位的负责人、
    联络员、工作专班看到主送本单位的；帮包领导和责任人看到其事项的。"""
    access = access_of(request)
    notices = services.notices_visible(access, NOTICES.all())
    if filters.status:
        notices = notices.filter(status=filters.status)
    if filters.plan_id is not None:
        notices = notices.filter(item__plan_id=filters.plan_id)
    return notices.order_by("-issued_at", "-id")


@router.get("/notices/{int:notice_id}", response={200: NoticeDetailOut, **ONE_ERRORS}, summary="督办单详情")
def notice_detail(request, notice_id: int):
    """督办单的要求、回复和调用者可做的操作。看不到的督办单返回 404。"""
    return _detail(access_of(request), notice_id)


@router.post("/notices/{int:notice_id}/answer", response={200: NoticeDetailOut, **WRITE_ERRORS}, summary="回复督办单")
def notice_answer(request, notice_id: int, payload: NoticeAnswerIn):
    """主送单位（或其上级单位）的负责人、联络员回复办理情况，督办单变为“已回复”，下发人会收到
    通知。已回复或已办结的督办单不能再回复（400）。"""
    access = access_of(request)
    notice = notice_get(access, notice_id)
    require(services.can_answer_notice(access, notice), services.ERR_CANNOT_ANSWER)
    form = action_form(NoticeAnswerForm, payload.model_dump())
    try:
        with acting(request):
            services.notice_answer(acting_user=api_user(request), notice=notice, response=form.cleaned_data["response"])
    except ValidationError as error:
        raise refused(form, error)
    return _detail(access, notice.pk)


@router.post("/notices/{int:notice_id}/close", response={200: NoticeDetailOut, **WRITE_ERRORS}, summary="办结督办单")
def notice_close(request, notice_id: int, payload: NoticeCloseIn | None = None):
    """仅督查办，办结已回复的督办单（未回复或已办结的 400），回复人会收到通知。"""
    access = access_of(request)
    notice = notice_get(access, notice_id)
    require(services.can_close_notice(access, notice), services.ERR_CANNOT_CLOSE)
    form = action_form(NoticeCloseForm, payload.model_dump() if payload else {})
    try:
        with acting(request):
            services.notice_close(acting_user=api_user(request), notice=notice, comment=form.cleaned_data["comment"])
    except ValidationError as error:
        raise refused(form, error)
    return _detail(access, notice.pk)

"""The inbox (站内消息) through the API: a person's own messages only, like the inbox
page. Anyone signed in has an inbox (no role needed); another person's message does
not exist for the caller (404). Reads through duban.notify.selectors, marks read with
services.message_mark_read."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from duban.api.auth import api_user
from duban.api.errors import ErrorOut
from duban.api.fields import ObjectId
from duban.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, OFFSET_MAX
from duban.notify import selectors, services
from duban.notify.models import Message, MessageKind

router = Router(tags=["站内消息"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut}
ONE_ERRORS = {**READ_ERRORS, 404: ErrorOut}


class MessageOut(Schema):
    id: int
    kind: MessageKind
    kind_label: str
    title: str
    body: str
    url: str = Field(description="相关网页的地址（可能为空）")
    created_at: datetime.datetime
    read_at: datetime.datetime | None
    is_read: bool

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_is_read(obj) -> bool:
        return obj.read_at is not None


class InboxOut(Schema):
    items: list[MessageOut]
    count: int = Field(description="符合条件的消息总数")
    unread: int = Field(description="未读消息数")


class InboxFilter(Schema):
    unread: bool = Field(False, description="只列出未读消息")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description="跳过的条数")


class ReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[ObjectId] | None = Field(None, description="要标为已读的消息；不填则全部标为已读")


class ReadOut(Schema):
    marked: int = Field(description="本次标为已读的条数（他人的消息和已读的消息不计）")
    unread: int = Field(description="剩余未读消息数")


@router.get("/inbox", response={200: InboxOut, **READ_ERRORS}, summary="我的消息")
def inbox(request, filters: Query[InboxFilter]):
    """调用者本人的消息，新的在前，分页（limit/offset），附未读数。"""
    person = api_user(request)
    messages = selectors.messages_for(person, unread_only=filters.unread)
    return {
        "items": list(messages[filters.offset : filters.offset + filters.limit]),
        "count": messages.count(),
        "unread": selectors.unread_count(person),
    }


@router.post("/inbox/read", response={200: ReadOut, **READ_ERRORS}, summary="标为已读")
def inbox_read(request, payload: ReadIn | None = None):
    """把本人的消息标为已读：给出 ids 时只标这些（他人的消息忽略），否则全部。"""
    person = api_user(request)
    ids = payload.ids if payload is not None else None
    marked = services.message_mark_read(person=person, message_ids=ids)
    return {"marked": marked, "unread": selectors.unread_count(person)}


@router.get("/inbox/{int:message_id}", response={200: MessageOut, **ONE_ERRORS}, summary="查看消息")
def message_detail(request, message_id: int):
    """本人的一条消息，查看即标为已读；他人的消息返回 404。"""
    person = api_user(request)
    message = get_object_or_404(Message, pk=message_id, recipient=person)
    if message.read_at is None:
        services.message_mark_read(person=person, message_ids=[message.pk])
        message.refresh_from_db(fields=["read_at"])
    return message

"""Input and output schemas of the supervision actions (督办措施).

Like duban.supervision.api.schemas: outputs read the models as they are; nothing here
decides a permission. Docstrings and descriptions are Chinese: ninja publishes them.
"""

import datetime

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from duban.org.api import UnitRef
from duban.supervision.api.schemas import ItemRef, PersonRef, _person
from duban.supervision.models import AccountabilityKind, LogKind, NoticeStatus


# --- 催办 ---------------------------------------------------------------------------
class UrgeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="催办内容，发送给事项责任人和牵头单位的负责人、联络员")


class LogOut(Schema):
    """事项办理记录中的一条。"""

    id: int
    item_id: int
    kind: LogKind
    kind_label: str
    text: str
    actor: PersonRef | None
    at: datetime.datetime
    recipients: int = Field(description="收到消息的人数")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_actor(obj) -> dict | None:
        return _person(obj.actor)

    @staticmethod
    def resolve_recipients(obj) -> int:
        return len((obj.data or {}).get("recipients", []))


# --- 督办单 -------------------------------------------------------------------------
class NoticeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, description="标题；不填为“关于督办“事项名称”的通知”")
    addressee_unit_id: int | None = Field(None, description="主送单位；不填为事项的牵头单位")
    requirement: str = Field(description="督办要求")
    respond_by: datetime.date = Field(description="回复时限，不早于今天")


class NoticeFilter(Schema):
    status: NoticeStatus | None = Field(None, description="督办单状态")
    plan_id: int | None = Field(None, description="所属计划")


class NoticeAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    response: str = Field(description="办理情况")


class NoticeCloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field("", description="办结意见（可不填）")


def _notice_overdue(obj) -> bool:
    return obj.status == NoticeStatus.ISSUED and obj.respond_by < timezone.localdate()


class NoticeBriefOut(Schema):
    """事项页面上列出的督办单（详情见 /notices/{id}，须有权查看该督办单）。"""

    id: int
    number: str = Field(description="文号，如 督办〔2026〕1号")
    status: NoticeStatus
    status_label: str
    addressee_unit: UnitRef = Field(description="主送单位")
    respond_by: datetime.date
    is_overdue: bool = Field(description="待回复且已过回复时限")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_is_overdue(obj) -> bool:
        return _notice_overdue(obj)


class NoticeOut(NoticeBriefOut):
    year: int
    serial: int = Field(description="年度内的序号")
    title: str
    item: ItemRef
    requirement: str
    issued_by: PersonRef
    issued_at: datetime.datetime
    response: str = Field(description="回复的办理情况")
    responded_by: PersonRef | None
    responded_at: datetime.datetime | None

    @staticmethod
    def resolve_issued_by(obj) -> dict:
        return _person(obj.issued_by)

    @staticmethod
    def resolve_responded_by(obj) -> dict | None:
        return _person(obj.responded_by)


class NoticePermissions(Schema):
    answer: bool = Field(description="回复（主送单位的负责人、联络员，待回复时）")
    close: bool = Field(description="办结（督查办，已回复时）")


class NoticeDetailOut(NoticeOut):
    permissions: NoticePermissions


# --- 告诫提醒、问责、批示 -----------------------------------------------------------
class WarningIn(Schema):
    model_config = ConfigDict(extra="forbid")

    unit_id: int = Field(description="告诫单位；其负责人会收到提醒")
    person_id: int | None = Field(None, description="告诫人员（须为事项牵头、协办单位的人员或责任人）")
    text: str = Field(description="告诫内容")


class WarningOut(Schema):
    id: int
    item_id: int
    unit: UnitRef
    person: PersonRef | None
    text: str
    issued_by: PersonRef
    issued_at: datetime.datetime

    @staticmethod
    def resolve_person(obj) -> dict | None:
        return _person(obj.person)

    @staticmethod
    def resolve_issued_by(obj) -> dict:
        return _person(obj.issued_by)


class AccountabilityIn(Schema):
    """决定文件附件只能在网页上上传。"""

    model_config = ConfigDict(extra="forbid")

    kind: AccountabilityKind = Field(description="问责方式")
    reason: str = Field(description="问责事由")
    decided_on: datetime.date = Field(description="决定日期，不晚于今天")
    unit_id: int = Field(description="问责单位")
    person_id: int | None = Field(None, description="问责人员（须为事项牵头、协办单位的人员或责任人）")
    decision_title: str = Field("", description="决定文件标题")
    decision_number: str = Field("", description="决定文号")


class AccountabilityOut(Schema):
    id: int
    item_id: int
    unit: UnitRef
    person: PersonRef | None
    kind: AccountabilityKind
    kind_label: str
    reason: str
    decided_on: datetime.date
    decision_title: str
    decision_number: str
    decision_file_url: str | None = Field(description="决定文件附件的网页下载地址（须登录网页）；没有附件为 null")
    recorded_by: PersonRef
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_person(obj) -> dict | None:
        return _person(obj.person)

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_decision_file_url(obj) -> str | None:
        return reverse("supervision:accountability_file", args=[obj.pk]) if obj.decision_file else None

    @staticmethod
    def resolve_recorded_by(obj) -> dict:
        return _person(obj.recorded_by)


class InstructionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="批示内容")


class InstructionOut(Schema):
    id: int
    item_id: int
    leader: PersonRef
    text: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_leader(obj) -> dict:
        return _person(obj.leader)


class ActionPermissions(Schema):
    """调用者对该事项可采取的督办措施（与事项页面的按钮相同）。"""

    urge: bool = Field(description="催办（督查办，未办结的事项）")
    notice: bool = Field(description="下发督办单（督查办，未办结的事项）")
    warning: bool = Field(description="告诫提醒（督查办、纪检）")
    accountability: bool = Field(description="记录问责（纪检、督查办）")
    instruction: bool = Field(description="领导批示（能查看该事项的校领导）")
    see_accountability: bool = Field(description="查看问责记录")


class RecordsOut(Schema):
    notices: list[NoticeBriefOut]
    instructions: list[InstructionOut]
    warnings: list[WarningOut]
    accountability: list[AccountabilityOut] | None = Field(
        description="问责记录；仅督查办、纪检、能查看该事项的校领导和牵头单位负责人可见，其他人为 null"
    )
    permissions: ActionPermissions


# --- 通报 ---------------------------------------------------------------------------
class CircularIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str
    body: str = Field(description="正文，每行一段")
    number: str = Field("", description="文号（可不填）")
    unit_ids: list[int] | None = Field(
        None, description="通报单位；不填则为有逾期或滞后事项的单位，[] 表示不点名任何单位"
    )


class CircularOut(Schema):
    id: int
    plan_id: int
    number: str
    title: str
    body: str
    units: list[UnitRef] = Field(description="通报单位")
    issued_by: PersonRef
    issued_at: datetime.datetime

    @staticmethod
    def resolve_units(obj) -> list:
        return list(obj.units.all())

    @staticmethod
    def resolve_issued_by(obj) -> dict:
        return _person(obj.issued_by)


class LaggingUnitOut(Schema):
    unit: UnitRef
    overdue: int = Field(description="逾期事项数")
    behind: int = Field(description="滞后事项数")
    total: int

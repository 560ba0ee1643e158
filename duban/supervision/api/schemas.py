"""Input and output schemas of the supervision API.

Outputs read the models (and the cached ItemState) as they are; nothing here decides a
status or a permission. Docstrings and descriptions are Chinese: ninja publishes them.
"""

import datetime
from typing import Literal

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from duban.org.api import UnitRef
from duban.supervision.models import Cadence, PlanKind, PlanStatus, ReportStatus, Status
from duban.supervision.models.reports import DeferralStatus
from duban.supervision.status import Colour


# --- References -------------------------------------------------------------------
class PersonRef(Schema):
    id: int
    name: str


def _person(person) -> dict | None:
    return {"id": person.pk, "name": person.name} if person is not None else None


# --- Plans ------------------------------------------------------------------------
class PhaseOut(Schema):
    id: int
    name: str
    start_date: datetime.date
    end_date: datetime.date
    order: int


class PlanItemCounts(Schema):
    """调用者可见事项按状态的数量。"""

    total: int = 0
    not_started: int = 0
    on_track: int = 0
    behind: int = 0
    due_soon: int = 0
    overdue: int = 0
    deferred: int = 0
    completed: int = 0


class PlanOut(Schema):
    id: int
    title: str
    kind: PlanKind
    kind_label: str
    year: int | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    owner_unit: UnitRef | None
    status: PlanStatus
    status_label: str
    description: str
    due_soon_days: int
    pace_tolerance: int
    report_grace_days: int
    phases: list[PhaseOut]
    counts: PlanItemCounts = Field(description="调用者可见的事项按状态计数（未计算状态的事项只计入 total）")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_phases(obj) -> list:
        return list(obj.phases.all())

    @staticmethod
    def resolve_counts(obj) -> dict:
        return getattr(obj, "counts", None) or {}


class PlanFilter(Schema):
    year: int | None = Field(None, description="年度")
    kind: PlanKind | None = Field(None, description="计划类型")
    status: PlanStatus | None = Field(None, description="计划状态；不填则列出全部")


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str
    kind: PlanKind = PlanKind.ANNUAL
    year: int | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    owner_unit_id: int | None = Field(None, description="牵头督办单位")
    status: PlanStatus = PlanStatus.ACTIVE
    description: str = ""
    due_soon_days: int = Field(10, description="临期提前天数")
    pace_tolerance: int = Field(10, description="滞后容差（百分点）")
    report_grace_days: int = Field(2, description="缺报宽限天数")


class PlanPatch(Schema):
    """只修改请求中出现的字段。"""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    kind: PlanKind | None = None
    year: int | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    owner_unit_id: int | None = None
    status: PlanStatus | None = None
    description: str | None = None
    due_soon_days: int | None = None
    pace_tolerance: int | None = None
    report_grace_days: int | None = None


# --- Items ------------------------------------------------------------------------
class StateOut(Schema):
    """定时计算并缓存的事项状态（列表和看板读取它）。"""

    status: Status
    status_label: str
    colour: Colour
    progress: int = Field(description="最近采纳报告的完成进度（%）；已办结为 100")
    expected: int | None = Field(description="今天应有的进度（%）")
    reason: str
    days_left: int | None = Field(description="距完成时限的天数，逾期为负数")
    missing_reports: int = Field(description="缺报次数")
    computed_on: datetime.date | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(Status(obj.status).label)


class ItemOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    ordinal: int
    title: str
    description: str
    lead_unit: UnitRef
    co_units: list[UnitRef] = Field(description="责任（协办）单位")
    co_unit_ids: list[int]
    patron_leader: PersonRef | None = Field(description="帮包领导")
    responsible_person: PersonRef | None = Field(description="责任人")
    phase_id: int | None
    start_date: datetime.date
    due_date: datetime.date | None = Field(description="完成时限（长期坚持的事项为空）")
    original_due_date: datetime.date | None = Field(description="原定完成时限（批准延期后保留）")
    is_deferred: bool
    completed_on: datetime.date | None
    cadence: Cadence
    cadence_day: int
    remarks: str
    state: StateOut | None = Field(description="缓存的状态；尚未计算时为 null")
    version: int = Field(description="版本号；修改时带回，他人已修改则 409")

    @staticmethod
    def resolve_co_units(obj) -> list:
        return list(obj.co_units.all())

    @staticmethod
    def resolve_co_unit_ids(obj) -> list[int]:
        return [unit.pk for unit in obj.co_units.all()]

    @staticmethod
    def resolve_patron_leader(obj) -> dict | None:
        return _person(obj.patron_leader)

    @staticmethod
    def resolve_responsible_person(obj) -> dict | None:
        return _person(obj.responsible_person)

    @staticmethod
    def resolve_state(obj):
        try:
            return obj.state
        except ObjectDoesNotExist:
            return None


class NodeOut(Schema):
    id: int
    title: str
    due_date: datetime.date
    target_percent: int | None
    order: int
    done_on: datetime.date | None
    done_note: str


class ReadingOut(Schema):
    indicator_id: int
    value: float
    period_end: datetime.date
    report_id: int | None


class IndicatorOut(Schema):
    id: int
    name: str
    unit_of_measure: str
    baseline: float
    target: float
    direction: str
    latest: ReadingOut | None = Field(description="最近一次采纳报告中的读数")

    @staticmethod
    def resolve_latest(obj):
        return getattr(obj, "latest", None)


class VerdictOut(Schema):
    """按当前事实实时计算的状态（与缓存的 state 可能相差一次定时刷新）。"""

    status: Status
    status_label: str
    colour: Colour
    expected: int | None
    days_left: int | None
    reason: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(Status(obj.status).label)


class DeferralOut(Schema):
    id: int
    item_id: int
    requested_by: PersonRef
    requested_at: datetime.datetime
    reason: str
    old_due_date: datetime.date
    new_due_date: datetime.date
    status: DeferralStatus
    status_label: str
    decided_by: PersonRef | None
    decided_at: datetime.datetime | None
    decision_comment: str

    @staticmethod
    def resolve_requested_by(obj) -> dict:
        return _person(obj.requested_by)

    @staticmethod
    def resolve_decided_by(obj) -> dict | None:
        return _person(obj.decided_by)

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class ItemPermissions(Schema):
    """调用者对该事项可做的操作（与网页按钮相同）。"""

    manage: bool = Field(description="修改事项、倒排工期、办结、重新打开")
    fill: bool = Field(description="填报进展")
    submit: bool = Field(description="提交报告")
    review: bool = Field(description="审核报告")
    defer: bool = Field(description="申请延期")
    decide: bool = Field(description="审批延期")


# Reads the lists duban.supervision.api.items prepares (a related manager cannot be
# replaced on the instance, hence node_list / indicator_list).
class ItemDetailOut(ItemOut):
    nodes: list[NodeOut]
    indicators: list[IndicatorOut]
    pending_deferral: DeferralOut | None = Field(description="待审批的延期申请")
    current_report_id: int | None = Field(description="当前待填报（或待提交、被退回）的报告")
    verdict: VerdictOut
    permissions: ItemPermissions

    @staticmethod
    def resolve_nodes(obj) -> list:
        return obj.node_list

    @staticmethod
    def resolve_indicators(obj) -> list:
        return obj.indicator_list


class ItemFilter(Schema):
    status: Status | None = Field(None, description="缓存的状态")
    lead_unit_id: int | None = Field(None, description="牵头单位")
    q: str = Field("", max_length=100, description="按事项名称、工作内容搜索")


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str
    lead_unit_id: int = Field(description="牵头单位")
    co_unit_ids: list[int] = Field(default_factory=list, description="责任（协办）单位")
    patron_leader_id: int | None = Field(None, description="帮包领导（须有校领导角色）")
    responsible_person_id: int | None = Field(None, description="责任人（须为牵头单位人员）")
    parent_id: int | None = Field(None, description="上级事项（同一计划的顶层事项）")
    phase_id: int | None = Field(None, description="阶段（仅分阶段的计划）")
    ordinal: int | None = Field(None, description="序号；不填则排在最后")
    description: str = ""
    start_date: datetime.date | None = Field(None, description="开始日期；不填为今天")
    due_date: datetime.date | None = Field(None, description="完成时限；长期坚持的事项可不填")
    cadence: Cadence = Cadence.WEEKLY
    cadence_day: int = Field(5, description="每周：周几（1–7）；每月：几号（1–28）；自定义：间隔天数")
    remarks: str = ""


class ItemPatch(Schema):
    """只修改请求中出现的字段。带上读取时的 version，他人其间已修改时返回 409 而不覆盖。"""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, description="读取时的版本号；给出且已不是当前版本时 409（不给则不检查）")
    title: str | None = None
    lead_unit_id: int | None = None
    co_unit_ids: list[int] | None = None
    patron_leader_id: int | None = None
    responsible_person_id: int | None = None
    parent_id: int | None = None
    phase_id: int | None = None
    ordinal: int | None = None
    description: str | None = None
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    cadence: Cadence | None = None
    cadence_day: int | None = None
    remarks: str | None = None


class ReverseScheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    steps: list[str] = Field(description="工作步骤，按先后顺序；最后一步落在完成时限")
    every: Literal["week", "day"] = Field("week", description="相邻节点间隔一周或一天")


class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=300, description="完成情况或说明")


class ReopenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", description="重新打开的原因")


# --- Reports ----------------------------------------------------------------------
class ItemRef(Schema):
    id: int
    title: str
    plan_id: int
    lead_unit: UnitRef


class ReportReadingOut(Schema):
    indicator_id: int
    value: float


class ReportOut(Schema):
    id: int
    item: ItemRef
    period_start: datetime.date
    period_end: datetime.date
    due_date: datetime.date = Field(description="填报截止")
    status: ReportStatus
    status_label: str
    progress_text: str
    problems: str
    next_steps: str
    percent: int | None
    readings: list[ReportReadingOut]
    filled_by: PersonRef | None
    filled_at: datetime.datetime | None
    submitted_by: PersonRef | None
    submitted_at: datetime.datetime | None
    reviewed_by: PersonRef | None
    reviewed_at: datetime.datetime | None
    review_comment: str
    is_missing: bool = Field(description="过了填报截止加计划的宽限天数仍未提交")
    is_late: bool = Field(description="提交晚于填报截止")
    version: int = Field(description="版本号；填报、提交时带回，他人已修改则 409")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_readings(obj) -> list:
        return list(obj.readings.all())

    @staticmethod
    def resolve_filled_by(obj) -> dict | None:
        return _person(obj.filled_by)

    @staticmethod
    def resolve_submitted_by(obj) -> dict | None:
        return _person(obj.submitted_by)

    @staticmethod
    def resolve_reviewed_by(obj) -> dict | None:
        return _person(obj.reviewed_by)

    @staticmethod
    def resolve_is_missing(obj) -> bool:
        return obj.is_missing(timezone.localdate(), obj.item.plan.report_grace_days)


class ReportFillIn(Schema):
    model_config = ConfigDict(extra="forbid")

    progress_text: str = Field(description="工作进展")
    problems: str = Field("", description="存在问题")
    next_steps: str = Field("", description="下一步计划")
    percent: int = Field(description="完成进度（0–100），不能低于上次采纳的进度")
    readings: dict[int, float | None] = Field(
        default_factory=dict, description="指标读数：{指标 ID: 数值}；null 表示清除本期读数"
    )
    submit: bool = Field(False, description="同时提交（仅牵头单位负责人）")
    version: int | None = Field(None, description="读取时的版本号；给出且已不是当前版本时 409（不给则不检查）")


class ReportSubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, description="读取时的版本号；给出且已不是当前版本时 409（不给则不检查）")


class ReportReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["accept", "return"] = Field(description="accept 采纳，return 退回修改")
    comment: str = Field("", description="审核意见；退回时必填")


# --- Deferrals --------------------------------------------------------------------
class DeferralIn(Schema):
    model_config = ConfigDict(extra="forbid")

    new_due_date: datetime.date = Field(description="申请延至，须晚于当前完成时限")
    reason: str = Field(description="延期理由")


class DeferralDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "refuse"] = Field(description="approve 同意延期，refuse 不同意")
    comment: str = Field("", description="审批意见；不同意时必填")

"""Input and output schemas of the rectification API.

Outputs read the models as they are (and counts the endpoints prepare); nothing here
decides a state or a permission. Docstrings and descriptions are Chinese: ninja
publishes them.
"""

import datetime
import operator
from typing import Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict

from duban.org.api import UnitRef
from duban.rectification.models import (
    ClosureState,
    ClosureStatus,
    EvidenceKind,
    FeedbackState,
    MeasureType,
    RecheckState,
    ReviewVerdict,
    RoundState,
    Severity,
    Source,
)
from duban.supervision.api.schemas import ItemOut, PersonRef, _person
from duban.supervision.models import PlanStatus


class FileOut(Schema):
    id: int
    name: str
    size: int
    url: str = Field(description="下载地址（须登录网页）")


def _file(attachment) -> dict | None:
    if attachment is None:
        return None
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "size": attachment.size,
        "url": reverse("supervision:attachment_download", args=[attachment.pk]),
    }


# Resolvers that many outputs share (one line in each schema).
def _person_of(attr: str) -> staticmethod:
    """Resolve a PersonRef field from the person in `obj.<attr>`."""
    return staticmethod(lambda obj: _person(getattr(obj, attr)))


def _label_of(field: str) -> staticmethod:
    """Resolve a `<field>_label` from the choice's display text."""
    return staticmethod(lambda obj: str(getattr(obj, f"get_{field}_display")()))


def _of_item(attr: str) -> staticmethod:
    """Resolve from the item of `obj.measure` (its title, its lead unit)."""
    return staticmethod(lambda obj: getattr(obj.measure.item, attr))


def _prepared(path: str) -> staticmethod:
    """Resolve from an attribute of the object (`obj.<path>`, dotted: "plan.title"), e.g.
    a list the endpoint prepared on it."""
    return staticmethod(lambda obj: operator.attrgetter(path)(obj))


def _relapse_id(obj):
    try:
        return obj.relapse.pk
    except Exception:  # RelatedObjectDoesNotExist: no relapse
        return None


# --- Plans ------------------------------------------------------------------------
class RectificationPlanCounts(Schema):
    """调用者可见的问题和措施数量。"""

    findings: int = 0
    findings_closed: int = 0
    measures: int = 0
    measures_closed: int = 0
    measures_pending: int = Field(0, description="销号申请在审核或审批中的措施")
    relapses: int = Field(0, description="累计反弹次数")


class DisclosureSettings(Schema):
    disclosed: bool = Field(description="向职工公开")
    show_counts: bool
    show_percent: bool
    show_findings: bool
    show_units: bool
    show_monthly: bool
    public_page: bool = Field(description="开放免登录公开页")


class FeedbackSettings(Schema):
    open: bool = Field(description="接受职工意见")
    anonymous: bool = Field(description="允许匿名")
    daily_limit: int = Field(description="每人每天意见上限")


class RectPlanOut(Schema):
    id: int
    title: str
    year: int | None
    start_date: datetime.date | None
    end_date: datetime.date | None
    owner_unit: UnitRef | None
    status: PlanStatus
    status_label: str
    description: str
    source: Source
    source_label: str
    reference: str = Field(description="来源文件")
    recheck_days: list[int] = Field(description="销号后第几天复查")
    disclosure: DisclosureSettings
    feedback: FeedbackSettings
    counts: RectificationPlanCounts

    @staticmethod
    def resolve_id(obj) -> int:
        return obj.plan_id

    resolve_title = _prepared("plan.title")
    resolve_year = _prepared("plan.year")
    resolve_start_date = _prepared("plan.start_date")
    resolve_end_date = _prepared("plan.end_date")
    resolve_owner_unit = _prepared("plan.owner_unit")
    resolve_status = _prepared("plan.status")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.plan.get_status_display())

    resolve_description = _prepared("plan.description")
    resolve_source_label = _label_of("source")

    @staticmethod
    def resolve_recheck_days(obj) -> list[int]:
        return obj.schedule()

    @staticmethod
    def resolve_disclosure(obj) -> dict:
        names = ("disclosed", "show_counts", "show_percent", "show_findings", "show_units", "show_monthly")
        return {**{name: getattr(obj, name) for name in names}, "public_page": obj.public_page}

    @staticmethod
    def resolve_feedback(obj) -> dict:
        return {
            "open": obj.feedback_open,
            "anonymous": obj.feedback_anonymous,
            "daily_limit": obj.feedback_daily_limit,
        }

    @staticmethod
    def resolve_counts(obj) -> dict:
        return getattr(obj, "counts", None) or {}


class RectPlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str
    year: int | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    owner_unit_id: int | None = Field(None, description="牵头督办单位")
    status: PlanStatus = PlanStatus.ACTIVE
    description: str = ""
    source: Source = Field(Source.INSPECTION, description="问题来源")
    reference: str = Field("", max_length=200, description="来源文件，例如：巡视反馈意见")
    recheck_days: list[int] = Field([30, 90, 180], description="销号后第几天复查（1–730）")
    disclosed: bool = False
    show_counts: bool = True
    show_percent: bool = True
    show_findings: bool = True
    show_units: bool = True
    show_monthly: bool = True
    public_page: bool = False
    feedback_open: bool = True
    feedback_anonymous: bool = True
    feedback_daily_limit: int = Field(5, ge=1, le=100)


class RectPlanPatch(Schema):
    """只修改请求中出现的字段。"""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    year: int | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    owner_unit_id: int | None = None
    status: PlanStatus | None = None
    description: str | None = None
    source: Source | None = None
    reference: str | None = Field(None, max_length=200)
    recheck_days: list[int] | None = None
    disclosed: bool | None = None
    show_counts: bool | None = None
    show_percent: bool | None = None
    show_findings: bool | None = None
    show_units: bool | None = None
    show_monthly: bool | None = None
    public_page: bool | None = None
    feedback_open: bool | None = None
    feedback_anonymous: bool | None = None
    feedback_daily_limit: int | None = Field(None, ge=1, le=100)


# --- Findings and measures -----------------------------------------------------------
class DocumentOut(Schema):
    """建章立制措施登记的制度文件。"""

    title: str
    number: str
    date: datetime.date | None
    file: FileOut | None


class MeasureOut(Schema):
    id: int
    finding_id: int
    finding_ordinal: int
    type: MeasureType
    type_label: str
    closure: ClosureState
    closure_label: str
    closed_on: datetime.date | None
    closed_by: PersonRef | None = Field(description="审批销号的人")
    relapse_count: int
    document: DocumentOut | None = Field(description="制度文件；未登记为 null")
    item: ItemOut = Field(description="措施对应的督办事项（牵头单位、责任人、时限、状态）")

    @staticmethod
    def resolve_id(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_finding_ordinal(obj) -> int:
        return obj.finding.ordinal

    resolve_type_label = _label_of("type")
    resolve_closure_label = _label_of("closure")
    resolve_closed_by = _person_of("closed_by")

    @staticmethod
    def resolve_document(obj):
        if not (obj.doc_title or obj.doc_file_id):
            return None
        return {"title": obj.doc_title, "number": obj.doc_number, "date": obj.doc_date, "file": _file(obj.doc_file)}


class FindingOut(Schema):
    id: int
    plan_id: int
    ordinal: int
    reference: str
    category: str
    severity: Severity
    severity_label: str
    description: str
    units: list[UnitRef] = Field(description="涉及单位")
    unit_ids: list[int]
    public_summary: str = Field(description="向职工公开的摘要")
    disclosed: bool = Field(description="可向职工公开")
    internal_note: str = Field(description="内部备注，任何时候都不公开")
    origin_round_id: int | None = Field(description="发现于哪一轮回头看")
    origin_feedback_id: int | None = Field(description="来自哪条职工意见")
    closed_on: datetime.date | None
    is_closed: bool
    measures_total: int
    measures_closed: int
    version: int = Field(description="版本号；修改时原样带回，他人已修改则 409")

    resolve_severity_label = _label_of("severity")

    @staticmethod
    def resolve_units(obj) -> list:
        return list(obj.units.all())

    @staticmethod
    def resolve_unit_ids(obj) -> list[int]:
        return [unit.pk for unit in obj.units.all()]

    @staticmethod
    def resolve_measures_total(obj) -> int:
        return getattr(obj, "measures_total", 0) or 0

    @staticmethod
    def resolve_measures_closed(obj) -> int:
        return getattr(obj, "measures_closed", 0) or 0


class FindingDetailOut(FindingOut):
    measures: list[MeasureOut] = Field(description="调用者可见的整改措施")

    resolve_measures = _prepared("measure_list")


class FindingFilter(Schema):
    plan_id: int | None = Field(None, description="整改方案")
    unit_id: int | None = Field(None, description="涉及单位")
    closed: bool | None = Field(None, description="true 已销号，false 未销号")
    category: str = Field("", max_length=40, description="问题类别")
    severity: Severity | None = None


class FindingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ordinal: int | None = Field(None, ge=1, description="序号；不填则排在最后")
    reference: str = Field("", description="出处，例如：反馈意见第3条")
    category: str = Field(description="问题类别")
    severity: Severity = Severity.GENERAL
    description: str = Field(description="问题描述")
    unit_ids: list[int] = Field(default_factory=list, description="涉及单位")
    public_summary: str = Field("", description="公开摘要，不要写人名")
    disclosed: bool = True
    internal_note: str = ""


class FindingPatch(Schema):
    """只修改请求中出现的字段；version 必须是读取时的版本号。"""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="读取时的版本号；他人已修改则 409")
    ordinal: int | None = Field(None, ge=1)
    reference: str | None = None
    category: str | None = None
    severity: Severity | None = None
    description: str | None = None
    unit_ids: list[int] | None = None
    public_summary: str | None = None
    disclosed: bool | None = None
    internal_note: str | None = None


class MeasureFilter(Schema):
    plan_id: int | None = Field(None, description="整改方案")
    finding_id: int | None = Field(None, description="问题")
    unit_id: int | None = Field(None, description="牵头单位")
    closure: ClosureState | None = Field(None, description="销号状态")
    type: MeasureType | None = Field(None, description="措施类型")


class MeasureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    type: MeasureType = Field(MeasureType.DEADLINE, description="措施类型")
    title: str
    lead_unit_id: int = Field(description="牵头单位")
    co_unit_ids: list[int] = Field(default_factory=list, description="责任（协办）单位")
    patron_leader_id: int | None = Field(None, description="责任领导（须有校领导角色）")
    responsible_person_id: int | None = Field(None, description="责任人（须为牵头单位人员）")
    description: str = ""
    start_date: datetime.date | None = Field(None, description="开始日期；不填为今天")
    due_date: datetime.date | None = Field(None, description="整改时限；长期坚持的措施不填")
    cadence: str = Field("weekly", description="填报周期：weekly、monthly、custom")
    cadence_day: int = 5
    remarks: str = ""


class MeasurePatch(Schema):
    """只修改请求中出现的字段；finding_id 可把措施移到同一方案的另一个问题下。"""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        None, description="读取时措施对应事项的版本号（item.version）；带上时，其间他人已修改则 409，不覆盖"
    )
    finding_id: int | None = None
    type: MeasureType | None = None
    title: str | None = None
    lead_unit_id: int | None = None
    co_unit_ids: list[int] | None = None
    patron_leader_id: int | None = None
    responsible_person_id: int | None = None
    description: str | None = None
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    cadence: str | None = None
    cadence_day: int | None = None
    remarks: str | None = None


# --- Closure ------------------------------------------------------------------------
class RequirementOut(Schema):
    key: str = Field(description="提交销号申请时的字段名为 evidence.<key>")
    label: str
    kind: EvidenceKind
    kind_label: str
    required: bool

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(EvidenceKind(obj.kind).label)


class RequirementIn(Schema):
    key: str = Field("", description="留空则新建；沿用原 key 可让已提交的材料继续对应")
    label: str
    kind: EvidenceKind
    required: bool = True


class ChecklistIn(Schema):
    lines: list[RequirementIn] = Field(description="按显示顺序；空列表表示恢复默认清单")


class PointOut(Schema):
    key: str
    label: str


class TemplateOut(Schema):
    id: int
    name: str
    points: list[PointOut]
    is_default: bool


class TemplateIn(Schema):
    name: str
    points: list[str] = Field(description="检查要点，每条一句")
    is_default: bool = False


class ChecklistOut(Schema):
    measure_type: MeasureType
    measure_type_label: str
    lines: list[RequirementOut]


class EvidenceOut(Schema):
    key: str
    label: str
    kind: EvidenceKind
    text: str
    file: FileOut | None

    @staticmethod
    def resolve_file(obj):
        return _file(obj.attachment)


class ClosureOut(Schema):
    id: int
    measure_id: int
    measure_title: str
    lead_unit: UnitRef
    status: ClosureStatus
    status_label: str
    statement: str
    evidence: list[EvidenceOut]
    requested_by: PersonRef
    requested_at: datetime.datetime
    review_skipped: bool = Field(description="无联络组覆盖，直接报督查办")
    reviewed_by: PersonRef | None
    reviewed_at: datetime.datetime | None
    review_remark: str
    approved_by: PersonRef | None
    approved_at: datetime.datetime | None
    approve_remark: str
    returned_by: PersonRef | None
    returned_at: datetime.datetime | None
    return_reason: str

    resolve_measure_title = _of_item("title")
    resolve_lead_unit = _of_item("lead_unit")
    resolve_status_label = _label_of("status")

    @staticmethod
    def resolve_evidence(obj) -> list:
        return list(obj.evidence.all())

    resolve_requested_by = _person_of("requested_by")
    resolve_reviewed_by = _person_of("reviewed_by")
    resolve_approved_by = _person_of("approved_by")
    resolve_returned_by = _person_of("returned_by")


class MeasurePermissions(Schema):
    """调用者对该措施可做的操作（与网页按钮相同）。"""

    manage: bool = Field(description="修改措施")
    document: bool = Field(description="登记制度文件")
    request_closure: bool = Field(description="申请销号")
    review_closure: bool = Field(description="联络组审核")
    approve_closure: bool = Field(description="督查办审批")
    recheck: bool = Field(description="复查")


class RecheckOut(Schema):
    id: int
    measure_id: int
    measure_title: str
    lead_unit: UnitRef
    closure_id: int
    offset_days: int = Field(description="销号后第几天")
    due_on: datetime.date
    state: RecheckState
    state_label: str
    checked_by: PersonRef | None
    checked_at: datetime.datetime | None
    remark: str
    relapse_id: int | None = Field(description="判定反弹时的反弹记录")

    resolve_measure_title = _of_item("title")
    resolve_lead_unit = _of_item("lead_unit")
    resolve_state_label = _label_of("state")
    resolve_checked_by = _person_of("checked_by")
    resolve_relapse_id = staticmethod(_relapse_id)


class RelapseOut(Schema):
    id: int
    found_on: datetime.date
    description: str
    found_by: PersonRef | None
    recheck_id: int | None
    review_id: int | None

    resolve_found_by = _person_of("found_by")


class MeasureDetailOut(MeasureOut):
    checklist: list[RequirementOut] = Field(description="该类型措施的销号材料清单")
    closures: list[ClosureOut] = Field(description="历次销号申请，新的在前")
    rechecks: list[RecheckOut]
    relapses: list[RelapseOut]
    permissions: MeasurePermissions

    resolve_checklist = _prepared("checklist_lines")
    resolve_closures = _prepared("closure_list")
    resolve_rechecks = _prepared("recheck_list")
    resolve_relapses = _prepared("relapse_list")


class RemarkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    remark: str = Field("", max_length=300, description="意见")


class ReturnReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="退回理由（必填）")


class ClosureFilter(Schema):
    status: ClosureStatus | None = Field(None, description="申请状态")
    measure_id: int | None = None


# --- Re-checks ------------------------------------------------------------------------
class RecheckFilter(Schema):
    mine: bool = Field(False, description="只列出调用者可以复查的")
    due: bool = Field(False, description="只列出已到复查日期、待复查的")
    state: RecheckState | None = None
    plan_id: int | None = None


class RelapseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(description="反弹的具体情况（必填）")


# --- Look-back ------------------------------------------------------------------------
class ReviewOut(Schema):
    id: int
    measure_id: int
    measure_title: str
    answers: dict[str, str] = Field(description="逐项检查：{要点 key: yes|partly|no}")
    verdict: ReviewVerdict
    verdict_label: str
    remarks: str
    reviewer: PersonRef
    reviewed_at: datetime.datetime
    relapse_id: int | None

    resolve_measure_title = _of_item("title")
    resolve_verdict_label = _label_of("verdict")
    resolve_reviewer = _person_of("reviewer")
    resolve_relapse_id = staticmethod(_relapse_id)


class RoundOut(Schema):
    id: int
    plan_id: int
    number: int
    title: str
    state: RoundState
    state_label: str
    checklist: list[PointOut]
    opened_by: PersonRef
    opened_at: datetime.datetime
    closed_by: PersonRef | None
    closed_at: datetime.datetime | None
    summary: str

    resolve_state_label = _label_of("state")
    resolve_opened_by = _person_of("opened_by")
    resolve_closed_by = _person_of("closed_by")


class RoundDetailOut(RoundOut):
    reviews: list[ReviewOut] = Field(description="调用者可见措施的检查记录")
    new_finding_ids: list[int] = Field(description="本轮发现、新纳入台账的问题")

    resolve_reviews = _prepared("review_list")
    resolve_new_finding_ids = _prepared("new_finding_id_list")


class RoundReportOut(Schema):
    """结束时与开始时台账快照的对比（措施 ID 按类别列出）。"""

    round_id: int
    state: RoundState
    measures: dict[str, list[str]] = Field(
        description="new 新增、reopened 重新打开、still_open 仍未销号、closed_since 期间销号、"
        "still_closed 保持销号、removed 已删除"
    )
    new_findings: list[str]
    round_findings: list[int] = Field(description="本轮发现的问题")
    verdicts: dict[str, int] = Field(description="各检查结论的数量")
    reviewed: int
    measures_total: int


class RoundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field("", max_length=120, description="名称；不填为“第N轮整改落实‘回头看’”")
    checklist: list[str] | None = Field(None, description="检查要点，每条一项；不填用默认模板（四看）")


class LookbackReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    verdict: ReviewVerdict
    answers: dict[str, Literal["yes", "partly", "no"]] = Field(
        default_factory=dict, description="逐项检查：{要点 key: yes 是 | partly 部分 | no 否}"
    )
    remarks: str = Field("", description="检查意见；判定反弹时必填")


class SummaryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field("", description="总结")


# --- Disclosure -----------------------------------------------------------------------
class PublicFindingOut(Schema):
    id: int = Field(description="问题 ID（提意见时用）")
    number: int = Field(description="公开问题中的序号")
    category: str
    summary: str = Field(description="公开摘要（未填写或含人名时为空）")
    closed: bool = Field(description="已销号")
    status_label: str
    closed_on: datetime.date | None
    measures_closed: int = Field(description="已销号措施数")
    measures_total: int = Field(description="措施总数")
    units: list[str] | None = Field(None, description="责任单位（方案设为公开单位时）")


class DisclosureCounts(Schema):
    findings_total: int
    findings_closed: int
    measures_total: int
    measures_closed: int


class MonthOut(Schema):
    month: str = Field(description="年-月")
    label: str
    closed: int = Field(description="当月销号措施数")


class DisclosureOut(Schema):
    """向职工公开的内容：只有公开字段，没有人名、问题原文和内部备注。"""

    plan_id: int
    title: str
    year: int | None
    source_label: str
    reference: str
    counts: DisclosureCounts | None = Field(None, description="问题和措施数量（方案设为公开数量时）")
    percent: int | None = Field(None, description="销号比例（%，方案设为公开比例时）")
    findings: list[PublicFindingOut] | None = Field(None, description="逐条问题（方案设为逐条公开时）")
    monthly: list[MonthOut] | None = Field(None, description="逐月销号措施数（方案设为公开时）")
    feedback_open: bool
    feedback_anonymous: bool


# --- Feedback -------------------------------------------------------------------------
class FeedbackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="意见内容（2000 字以内）")
    anonymous: bool = Field(False, description="匿名（方案允许时）")
    finding_id: int | None = Field(None, description="针对的问题（须已公开）")


class FeedbackOut(Schema):
    """提出人本人看到的意见（含答复）。"""

    id: int
    plan_id: int
    plan_title: str
    finding_id: int | None
    text: str
    anonymous: bool
    sent_on: datetime.date
    state: FeedbackState
    state_label: str
    reply: str
    created_finding_id: int | None

    @staticmethod
    def resolve_plan_title(obj) -> str:
        return obj.plan.title

    resolve_state_label = _label_of("state")


class FeedbackOfficeOut(FeedbackOut):
    """督查办看到的意见：匿名意见没有提出人。"""

    sender: PersonRef | None = Field(description="提出人；匿名意见为 null")
    handled_by: PersonRef | None
    handled_at: datetime.datetime | None

    @staticmethod
    def resolve_sender(obj):
        return None if obj.anonymous else _person(obj.sender)

    resolve_handled_by = _person_of("handled_by")


class FeedbackFilter(Schema):
    plan_id: int | None = None
    state: FeedbackState | None = None


class ReplyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reply: str = Field(description="答复内容（必填）")


class ConvertIn(FindingIn):
    reply: str = Field("", description="给提出人的答复；不填则说明已纳入整改台账")


# --- Statistics -----------------------------------------------------------------------
class StatRowOut(Schema):
    """一行统计：措施数、完成（办结）数、销号数、逾期数、反弹次数及比例（%）。"""

    key: str | int | None = Field(description="单位 ID、来源、类别或措施类型代码")
    label: str
    total: int
    completed: int
    closed: int
    overdue: int
    relapsed: int
    completion_rate: int
    closure_rate: int

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.label)

    @staticmethod
    def resolve_key(obj):
        return obj.key if obj.key is None or isinstance(obj.key, int) else str(obj.key)


class MonthCountOut(Schema):
    month: str = Field(description="年-月")
    closures: int
    relapses: int


class RectificationStatsOut(Schema):
    """调用者可见措施的统计。"""

    totals: StatRowOut
    by_unit: list[StatRowOut]
    by_source: list[StatRowOut]
    by_category: list[StatRowOut]
    by_type: list[StatRowOut]
    by_month: list[MonthCountOut] = Field(description="逐月销号和反弹数")

    @staticmethod
    def resolve_by_month(obj) -> list[dict]:
        return [
            {"month": month, "closures": closures, "relapses": relapses}
            for month, closures, relapses in zip(obj.months, obj.closures_by_month, obj.relapses_by_month, strict=True)
        ]

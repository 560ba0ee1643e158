"""Schemas of the assessment API (docstrings are the published documentation, in Chinese)."""

import datetime
from decimal import Decimal

from ninja import Field, Schema


class GradeOut(Schema):
    order: int
    label: str
    score: Decimal
    positive: bool


class DimensionOut(Schema):
    id: int
    name: str
    weight: Decimal


class SubjectOut(Schema):
    id: int
    order: int
    name: str
    unit: str | None = None
    position: str
    report_mode: str
    has_report: bool


class GroupOut(Schema):
    id: int
    name: str
    weight: Decimal
    ballots: int


class SessionOut(Schema):
    """述职评议（民主测评）"""

    id: int
    title: str
    year: int
    organiser: str
    held_on: datetime.date | None = None
    place: str
    state: str = Field(description="draft 筹备中 / open 测评进行中 / closed 已结束")
    top_quota_percent: int | None = Field(None, description="一张选票评为最高等次的人数上限（被测评人数的百分比）")
    require_all: bool
    min_rated: int | None = None
    subjects: int
    closed_at: datetime.date | None = None


class SessionDetailOut(SessionOut):
    grades: list[GradeOut]
    dimensions: list[DimensionOut]
    subject_list: list[SubjectOut]
    groups: list[GroupOut]


class SessionIn(Schema):
    """新建述职评议：scale 为 hao（好/较好/一般/差）或 youxiu（优秀/称职/基本称职/不称职）。"""

    title: str = Field(max_length=120)
    year: int = Field(ge=2000, le=2100)
    organiser_id: int
    held_on: datetime.date | None = None
    place: str = Field("", max_length=100)
    instructions: str = ""
    top_quota_percent: int | None = Field(None, ge=1, le=100)
    require_all: bool = True
    min_rated: int | None = Field(None, ge=1)
    show_receipts: bool = True
    scale: str = Field("hao", pattern="^(hao|youxiu)$")


class SubjectIn(Schema):
    """被测评人：person_id 与 name 至少填一个；填 person_id 时姓名、单位、职务取自人员信息。"""

    person_id: int | None = None
    name: str = Field("", max_length=40)
    unit_id: int | None = None
    position: str = Field("", max_length=60)
    report_mode: str = Field("written", pattern="^(onsite|written)$")
    order: int | None = Field(None, ge=1, le=999)


class GroupIn(Schema):
    name: str = Field(max_length=40)
    weight: Decimal = Field(Decimal(1), ge=0, le=1000, decimal_places=2)
    ballots: int = Field(ge=1, le=100000)
    order: int | None = Field(None, ge=1, le=999)


class CodesIn(Schema):
    count: int = Field(ge=1, le=2000)


class CodesOut(Schema):
    """生成的投票码明文只在本次响应中出现一次，系统不保存明文。"""

    group: str
    codes: list[str]


class ReopenReasonIn(Schema):
    reason: str = Field(max_length=500)


class TurnoutOut(Schema):
    group_id: int
    group: str
    ballots: int
    issued: int
    used: int
    paper: int
    cast: int
    percent: int


class PeriodOut(Schema):
    """单位考核期"""

    id: int
    title: str
    year: int
    start: datetime.date
    end: datetime.date
    base_score: Decimal
    state: str = Field(description="draft 规则制定中 / published 规则已公布 / closed 结果已确定")


class RuleOut(Schema):
    id: int
    order: int
    metric: str
    title: str
    points: Decimal
    cap: Decimal | None = None
    description: str


class BandOut(Schema):
    label: str
    min_score: Decimal


class PartOut(Schema):
    rule: int
    title: str
    metric: str
    value: str = Field(description="事实：如 18/20 = 90.00%、3 次、评分 8.00、9.00，平均 8.50")
    points: Decimal
    note: str


class UnitScoreOut(Schema):
    unit: int
    name: str
    parts: list[PartOut]
    total: Decimal
    band: str
    rank: int | None = None


class PeriodDetailOut(PeriodOut):
    rules: list[RuleOut]
    bands: list[BandOut]
    fixed: bool = Field(description="true：结果已确定（快照）；false：按当前数据实时计算")
    units: list[UnitScoreOut] = Field(description="调用者可见的单位得分（单位负责人、联络员只见本单位）")


class ManualScoreIn(Schema):
    rule_id: int
    unit_id: int
    score: Decimal = Field(ge=0, le=100000)
    note: str = Field("", max_length=200)


class ExampleOut(Schema):
    """正反面典型（对无权查看未公开内容者，只返回公开内容，不返回人员）"""

    id: int
    kind: str = Field(description="good 正面典型 / bad 反面典型")
    title: str
    text: str
    unit: str | None = None
    recognised_on: datetime.date
    source: str
    published: bool
    people: list[str]
    item_ids: list[int]

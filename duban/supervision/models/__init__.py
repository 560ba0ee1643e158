"""Supervision of key work: plans, items, time nodes, indicators, reports, deferrals,
supervision actions and the reminder ladder."""

from duban.supervision.models.actions import (
    Accountability,
    AccountabilityKind,
    Circular,
    Instruction,
    Notice,
    NoticeStatus,
    Warning,
)
from duban.supervision.models.items import (
    Attachment,
    Cadence,
    Direction,
    Indicator,
    IndicatorReading,
    Item,
    ItemLog,
    ItemState,
    LogKind,
    StateTally,
    TimeNode,
)
from duban.supervision.models.ladder import Recipient, ReminderRung, ReminderSent, RungTrigger
from duban.supervision.models.plans import Plan, PlanKind, PlanPhase, PlanStatus
from duban.supervision.models.reports import Deferral, DeferralStatus, ProgressReport, ReportStatus
from duban.supervision.status import Colour, Status

__all__ = [
    "Accountability",
    "AccountabilityKind",
    "Attachment",
    "Cadence",
    "Circular",
    "Colour",
    "Deferral",
    "DeferralStatus",
    "Direction",
    "Indicator",
    "IndicatorReading",
    "Instruction",
    "Item",
    "ItemLog",
    "ItemState",
    "LogKind",
    "Notice",
    "NoticeStatus",
    "Plan",
    "PlanKind",
    "PlanPhase",
    "PlanStatus",
    "ProgressReport",
    "Recipient",
    "ReminderRung",
    "ReminderSent",
    "ReportStatus",
    "RungTrigger",
    "StateTally",
    "Status",
    "TimeNode",
    "Warning",
]

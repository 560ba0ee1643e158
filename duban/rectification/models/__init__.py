"""Rectification: plans' rectification side, findings, measures, closure, relapse watch,
look-back rounds and staff feedback."""

from duban.rectification.models.closure import (
    ClosureEvidence,
    ClosureRequest,
    ClosureStatus,
    EvidenceKind,
    EvidenceRequirement,
)
from duban.rectification.models.feedback import Feedback, FeedbackState
from duban.rectification.models.findings import ClosureState, Finding, Measure, MeasureType, Severity
from duban.rectification.models.lookback import (
    FOUR_LOOKS,
    LookbackReview,
    LookbackRound,
    LookbackTemplate,
    ReviewVerdict,
    RoundState,
)
from duban.rectification.models.plans import DEFAULT_RECHECK_DAYS, RectificationPlan, Source
from duban.rectification.models.watch import Recheck, RecheckState, Relapse

__all__ = [
    "DEFAULT_RECHECK_DAYS",
    "FOUR_LOOKS",
    "ClosureEvidence",
    "ClosureRequest",
    "ClosureState",
    "ClosureStatus",
    "EvidenceKind",
    "EvidenceRequirement",
    "Feedback",
    "FeedbackState",
    "Finding",
    "LookbackReview",
    "LookbackRound",
    "LookbackTemplate",
    "Measure",
    "MeasureType",
    "Recheck",
    "RecheckState",
    "RectificationPlan",
    "Relapse",
    "ReviewVerdict",
    "RoundState",
    "Severity",
    "Source",
]

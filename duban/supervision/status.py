"""The one rule that decides an item's status and colour.

Pages, the API, reminders, dashboards and exports all ask `evaluate()`; nothing else
decides whether an item is overdue, due soon or behind pace. It works on plain facts
so it can be tested with frozen dates and reused for a single item or thousands.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    ON_TRACK = "on_track", _("正常")
    BEHIND = "behind", _("滞后")
    DUE_SOON = "due_soon", _("临期")
    OVERDUE = "overdue", _("逾期")
    DEFERRED = "deferred", _("已延期")
    COMPLETED = "completed", _("已完成")


class Colour(models.TextChoices):
    GREEN = "green", _("绿")
    BLUE = "blue", _("蓝")
    YELLOW = "yellow", _("黄")
    RED = "red", _("红")
    GREY = "grey", _("灰")


DEFAULT_COLOURS = {
    Status.NOT_STARTED: Colour.GREY,
    Status.ON_TRACK: Colour.GREEN,
    Status.BEHIND: Colour.YELLOW,
    Status.DUE_SOON: Colour.YELLOW,
    Status.OVERDUE: Colour.RED,
    Status.DEFERRED: Colour.YELLOW,
    Status.COMPLETED: Colour.BLUE,
}
# Display order (worst first) for dashboards and sorting.
SEVERITY = [
    Status.OVERDUE,
    Status.BEHIND,
    Status.DUE_SOON,
    Status.DEFERRED,
    Status.ON_TRACK,
    Status.NOT_STARTED,
    Status.COMPLETED,
]
# Needing attention now: overdue, or behind pace (the dashboards' and 我的工作's "需要关注", the
# weekly summary's lagging list, the notices of a plan's laggards).
LAGGING = (Status.OVERDUE, Status.BEHIND)


@dataclass(frozen=True)
class Policy:
    """Thresholds a plan sets (Plan.policy())."""

    due_soon_days: int = 10
    pace_tolerance: int = 10  # percentage points below the expected progress before "behind"
    colours: dict = field(default_factory=lambda: dict(DEFAULT_COLOURS))

    def colour(self, status: str) -> str:
        return self.colours.get(status) or DEFAULT_COLOURS[status]


@dataclass(frozen=True)
class Node:
    due: datetime.date
    done_on: datetime.date | None = None
    target_percent: int | None = None
    title: str = ""


@dataclass(frozen=True)
class Facts:
    start: datetime.date | None
    due: datetime.date | None  # None: a long-term item with no end date
    completed_on: datetime.date | None = None
    progress: int | None = None  # percent in the latest accepted report
    nodes: tuple[Node, ...] = ()
    deferred: bool = False  # an approved deferral moved the due date


@dataclass(frozen=True)
class Verdict:
    status: str
    colour: str
    expected: int | None  # progress expected today, percent
    days_left: int | None  # negative when overdue
    reason: str
    late_nodes: tuple[Node, ...] = ()


def expected_progress(facts: Facts, today: datetime.date) -> int | None:
    """Progress expected today: a straight line from start (0%) to due (100%), bent
    through the time nodes that carry a target percentage."""
    if facts.start is None or facts.due is None or facts.due <= facts.start:
        return None
    if today <= facts.start:
        return 0
    if today >= facts.due:
        return 100
    points = [(facts.start, 0)]
    points += sorted(
        (n.due, n.target_percent)
        for n in facts.nodes
        if n.target_percent is not None and facts.start < n.due < facts.due
    )
    points.append((facts.due, 100))
    for (d0, p0), (d1, p1) in zip(points, points[1:], strict=False):
        if d0 <= today <= d1:
            span = (d1 - d0).days or 1
            return round(p0 + (p1 - p0) * (today - d0).days / span)
    return 100


def evaluate(facts: Facts, today: datetime.date, policy: Policy | None = None) -> Verdict:
    """Status, colour and a one-line reason in Chinese, in this order of precedence:
    completed, overdue, not started, behind pace, due soon, deferred, on track."""
    policy = policy or Policy()

    def verdict(status, reason, expected=None, days_left=None, late=()):
        return Verdict(status, policy.colour(status), expected, days_left, reason, tuple(late))

    days_left = (facts.due - today).days if facts.due else None
    if facts.completed_on is not None:
        return verdict(Status.COMPLETED, "已完成", days_left=days_left)
    if days_left is not None and days_left < 0:
        return verdict(Status.OVERDUE, f"已逾期 {-days_left} 天", days_left=days_left)
    if facts.start is not None and today < facts.start:
        return verdict(Status.NOT_STARTED, f"{(facts.start - today).days} 天后开始", days_left=days_left)

    expected = expected_progress(facts, today)
    late = tuple(n for n in facts.nodes if n.done_on is None and n.due < today)
    if late:
        first = min(late, key=lambda n: n.due)
        reason = (
            f"时间节点“{first.title}”已逾期 {(today - first.due).days} 天" if first.title else "有时间节点逾期未完成"
        )
        return verdict(Status.BEHIND, reason, expected, days_left, late)
    progress = facts.progress or 0
    if expected is not None and progress < expected - policy.pace_tolerance:
        return verdict(Status.BEHIND, f"按进度应完成约 {expected}%，已报 {progress}%", expected, days_left)
    if days_left is not None and days_left <= policy.due_soon_days:
        reason = "今天到期" if days_left == 0 else f"距完成时限还有 {days_left} 天"
        return verdict(Status.DUE_SOON, reason, expected, days_left)
    if facts.deferred:
        return verdict(Status.DEFERRED, "已批准延期，按新时限推进", expected, days_left)
    return verdict(Status.ON_TRACK, "按计划推进", expected, days_left)

"""The status rule, with frozen dates: each status and its boundaries."""

import datetime

import pytest

from duban.supervision.status import Facts, Node, Policy, Status, evaluate, expected_progress

D = datetime.date
START, DUE = D(2026, 1, 1), D(2026, 12, 31)


def ev(today, **facts):
    base = {"start": START, "due": DUE}
    base.update(facts)
    return evaluate(Facts(**base), today, Policy(due_soon_days=10, pace_tolerance=10))


def test_not_started_before_start():
    v = ev(D(2025, 12, 31))
    assert v.status == Status.NOT_STARTED and v.colour == "grey" and v.reason == "1 天后开始"


def test_on_track_when_progress_keeps_pace():
    # Halfway through the year about half is expected.
    v = ev(D(2026, 7, 2), progress=45)
    assert v.status == Status.ON_TRACK and v.colour == "green"
    assert 49 <= v.expected <= 51


@pytest.mark.parametrize(("progress", "status"), [(40, Status.ON_TRACK), (39, Status.BEHIND)])
def test_behind_pace_boundary_is_the_tolerance(progress, status):
    today = D(2026, 7, 2)
    expected = expected_progress(Facts(START, DUE), today)
    v = ev(today, progress=expected - 10 + (progress - 40))
    assert v.status == status


def test_no_report_counts_as_zero_progress():
    assert ev(D(2026, 3, 1)).status == Status.BEHIND
    assert ev(D(2026, 1, 20)).status == Status.ON_TRACK  # expected about 5%: within tolerance


def test_a_late_time_node_makes_it_behind_and_says_which():
    nodes = (Node(D(2026, 3, 1), None, None, "完成方案论证"),)
    v = ev(D(2026, 3, 4), progress=90, nodes=nodes)
    assert v.status == Status.BEHIND and v.reason == "时间节点“完成方案论证”已逾期 3 天"
    done = (Node(D(2026, 3, 1), D(2026, 3, 1), None, "完成方案论证"),)
    assert ev(D(2026, 3, 4), progress=90, nodes=done).status == Status.ON_TRACK


def test_node_targets_bend_the_expected_line():
    nodes = (Node(D(2026, 2, 1), None, 80, "先期完成八成"),)
    assert expected_progress(Facts(START, DUE, nodes=nodes), D(2026, 2, 1)) == 80
    assert ev(D(2026, 2, 1), progress=50, nodes=nodes).status == Status.BEHIND


@pytest.mark.parametrize(
    ("today", "status", "reason"),
    [
        (D(2026, 12, 20), Status.ON_TRACK, "按计划推进"),
        (D(2026, 12, 21), Status.DUE_SOON, "距完成时限还有 10 天"),
        (D(2026, 12, 31), Status.DUE_SOON, "今天到期"),
        (D(2027, 1, 1), Status.OVERDUE, "已逾期 1 天"),
    ],
)
def test_due_soon_and_overdue_boundaries(today, status, reason):
    v = ev(today, progress=99)
    assert (v.status, v.reason) == (status, reason)


def test_overdue_is_red_and_completed_is_blue():
    assert ev(D(2027, 2, 1), progress=99).colour == "red"
    done = ev(D(2027, 2, 1), progress=100, completed_on=D(2026, 12, 30))
    assert done.status == Status.COMPLETED and done.colour == "blue"


def test_deferred_when_on_pace_after_an_approved_deferral():
    v = ev(D(2026, 7, 2), progress=50, deferred=True)
    assert v.status == Status.DEFERRED and v.colour == "yellow"


def test_long_term_items_have_no_deadline_statuses():
    v = evaluate(Facts(START, None, progress=0), D(2030, 1, 1), Policy())
    assert v.status == Status.ON_TRACK and v.days_left is None and v.expected is None


def test_colours_come_from_the_plan():
    policy = Policy(colours={Status.BEHIND: "red"})
    assert evaluate(Facts(START, DUE, progress=0), D(2026, 6, 1), policy).colour == "red"

"""Exactly-once rules under real concurrency (PostgreSQL: SQLite's global lock hides races).

Two people pressing the same button at the same moment: one wins, the other gets the
ordinary refusal, and nothing is written twice.
"""

import datetime

import pytest

from duban.notify.models import Message
from duban.rectification.models import ClosureRequest, ClosureStatus, Feedback, Finding, LookbackRound, Recheck
from duban.rectification.services import Stale
from duban.rectification.services.closure import closure_approve, closure_request, closure_review
from duban.rectification.services.feedback import feedback_send
from duban.rectification.services.findings import finding_save
from duban.rectification.services.lookback import round_open
from duban.rectification.services.watch import rechecks_sweep
from tests.concurrency import race
from tests.markers import CONCURRENT
from tests.rectification.conftest import pdf

pytestmark = [
    CONCURRENT,
    pytest.mark.django_db(transaction=True),
]


def test_one_closure_request_when_two_press_at_once(rect, people):
    def request(person):
        return lambda: closure_request(
            acting_user=person, measure=rect.at_once, statement="已纠正", evidence={"statement": "已纠正"}
        )

    results, errors = race(request(people.outsider), request(people.outsider))
    assert len(results) == 1 and len(errors) == 1
    assert "不能申请销号" in str(errors[0])
    assert ClosureRequest.objects.filter(measure=rect.at_once).count() == 1


def test_one_approval_and_one_set_of_rechecks(rect, people):
    request = closure_request(
        acting_user=people.outsider, measure=rect.at_once, statement="已纠正", evidence={"statement": "已纠正"}
    )
    approve = lambda: closure_approve(acting_user=people.office, closure=request, today=rect.today)  # noqa: E731
    results, errors = race(approve, approve, approve)
    assert len(results) == 1 and len(errors) == 2
    assert ClosureRequest.objects.get(pk=request.pk).status == ClosureStatus.APPROVED
    assert Recheck.objects.filter(measure=rect.at_once).count() == 3


def test_recheck_reminders_are_sent_once(rect, people):
    request = closure_request(
        acting_user=people.liaison,
        measure=rect.deadline,
        statement="完成",
        evidence={"statement": "完成", "proof": pdf()},
    )
    closure_review(acting_user=people.taskforce, closure=request)
    closure_approve(acting_user=people.office, closure=request, today=rect.today)
    later = rect.today + datetime.timedelta(days=200)
    results, errors = race(lambda: rechecks_sweep(later), lambda: rechecks_sweep(later))
    assert errors == [] and sum(results) == 3
    assert Message.objects.filter(recipient=people.taskforce, title__startswith="复查到期").count() == 3


def test_one_open_lookback_round(rect, people):
    results, errors = race(*[lambda: round_open(acting_user=people.office, plan=rect.plan)] * 2)
    assert len(results) == 1 and len(errors) == 1
    assert "正在进行" in str(errors[0])
    assert LookbackRound.objects.filter(plan=rect.plan).count() == 1


def test_feedback_daily_limit_holds_under_concurrency(rect, people):
    rect.profile.disclosed, rect.profile.feedback_daily_limit = True, 1
    rect.profile.save()
    send = lambda: feedback_send(acting_user=people.staff, plan=rect.plan, text="建议公开进展")  # noqa: E731
    results, errors = race(send, send, send)
    assert len(results) == 1 and len(errors) == 2
    assert Feedback.objects.count() == 1


def test_two_clerks_saving_one_finding_at_once(rect, people):
    """Both loaded the finding at the same version: one save goes through, the other is stale."""
    loaded = Finding.objects.get(pk=rect.f2.pk).version

    def save(text):
        def call():
            finding = Finding.objects.get(pk=rect.f2.pk)
            finding.description = text
            return finding_save(acting_user=people.office, finding=finding, expected_version=loaded)

        return call

    results, errors = race(save("第一位的修改"), save("第二位的修改"))
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Stale) and errors[0].current_version == loaded + 1
    saved = Finding.objects.get(pk=rect.f2.pk)
    assert (saved.version, saved.description) == (loaded + 1, results[0].description)

"""Seed 004 played end to end: 22 branch secretaries (8 report on site, 14 in writing), 32
participants with one code each. Voters use the phone pages (390×844); the turnout screen counts
them; the office closes; the tally equals the ballots cast, subject by subject.

Four ballots are clicked through on the phone; the other 28 are posted to the same ballot page by
HTTP, as a phone with scripts off would (clicking 22 × 32 buttons adds minutes and no coverage).
"""

import random
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from duban.assessment.models import Ballot, ReviewSession
from duban.assessment.services.codes import codes_generate
from tests.assessment.conftest import build_review
from tests.browser.test_assessment_office import sign_in
from tests.browser.test_vote_phone import PHONE, grade, viewport_shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABELS = ["好", "较好", "一般", "差"]


def a_ballot(rng, n=22, limit=6):
    """A valid ballot: at most `limit` 好, every subject rated."""
    choices = [rng.choice(LABELS[1:]) for _ in range(n)]
    for i in rng.sample(range(n), rng.randint(0, limit)):
        choices[i] = "好"
    return choices


def test_seed_004_on_phones(live_server, page_factory, people, org):
    review = build_review(people, org)
    assert sum(1 for s in review.subjects if s.report_mode == "onsite") == 8
    codes = []
    for group in review.groups.values():
        codes += codes_generate(acting_user=people.office, group=group, count=group.ballots)
    assert len(codes) == 32
    rng = random.Random(4)
    cast = []

    # The projector before anyone votes.
    office = sign_in(page_factory, live_server.url, "office")
    office.goto(f"{live_server.url}/assessment/sessions/{review.session.pk}/turnout/")
    expect(office.get_by_test_id("turnout-total")).to_contain_text("已投 0 / 应到 32")

    # Four voters on their phones.
    for code in codes[:4]:
        choices = a_ballot(rng)
        phone = page_factory(*PHONE)
        phone.goto(f"{live_server.url}/v/{code}/")
        expect(phone.locator(".v-subject")).to_have_count(22)
        expect(phone.locator(".v-badge-onsite")).to_have_count(8)
        for subject, label in zip(review.subjects, choices, strict=True):
            grade(phone, subject, label)
        expect(phone.locator(".v-count")).to_have_text("已评 22/22")
        phone.get_by_role("button", name="提交").click()
        phone.get_by_role("button", name="确认提交").click()
        expect(phone.get_by_role("heading", name="投票成功，谢谢您！")).to_be_visible()
        cast.append(choices)
        if len(cast) == 1:
            viewport_shot(phone, "seed004-01-phone-receipt")
        phone.context.close()

    # The other 28 post the same form.
    grade_order = {label: i for i, label in enumerate(LABELS, start=1)}
    client = page_factory(*PHONE)
    for code in codes[4:]:
        choices = a_ballot(rng)
        form = {f"m_{s.pk}": str(grade_order[label]) for s, label in zip(review.subjects, choices, strict=True)}
        form["confirm"] = "1"
        response = client.request.post(f"{live_server.url}/v/{code}/", form=form)
        assert response.status == 200 and "投票成功" in response.text()
        cast.append(choices)

    # The turnout screen refreshes by itself to 32 of 32.
    expect(office.get_by_test_id("turnout-total")).to_contain_text("已投 32 / 应到 32", timeout=15000)
    office.screenshot(path="var/screenshots/seed004-02-turnout.png", full_page=True)

    # Close and count.
    office.goto(f"{live_server.url}/assessment/sessions/{review.session.pk}/")
    office.get_by_role("button", name="结束测评并计票").click()
    expect(office.get_by_text("测评已结束，结果已锁定：有效票 32 张，无效票 0 张。")).to_be_visible(timeout=20000)
    session = ReviewSession.objects.get(pk=review.session.pk)
    assert session.is_closed
    assert Ballot.objects.filter(session=session, valid=True).count() == 32
    rows = {row["subject"]: row for row in session.result["subjects"]}
    for i, subject in enumerate(review.subjects):
        expected = {str(grade_order[label]): 0 for label in LABELS}
        for ballot in cast:
            expected[str(grade_order[ballot[i]])] += 1
        assert rows[subject.pk]["counts"] == expected, subject.name
        assert rows[subject.pk]["ratings"] == 32

    office.goto(f"{live_server.url}/assessment/sessions/{session.pk}/result/")
    expect(office.get_by_text("有效票").first).to_be_visible()
    top = max(session.result["subjects"], key=lambda r: Decimal(r["score"]))
    expect(office.locator("tr", has_text=top["name"]).first).to_contain_text(top["score"])
    office.screenshot(path="var/screenshots/seed004-03-result.png", full_page=True)
    assert re.search(r"32", office.locator("body").inner_text())
    assert [e for e in office.console_errors if "status of 403" not in e] == []

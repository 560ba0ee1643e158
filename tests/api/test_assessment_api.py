"""The assessment API: review sessions, unit assessment, typical examples."""

import datetime
from decimal import Decimal

import pytest

from duban.assessment.models import AssessmentPeriod, Example, ExampleKind, Metric, ScoringRule, Subject
from duban.assessment.services.codes import codes_generate
from duban.assessment.services.periods import period_publish, period_save, rule_save
from duban.assessment.services.sessions import session_close
from duban.assessment.services.voting import ballot_cast, code_find
from tests.assessment.conftest import all_marks, build_review


@pytest.fixture
def review(people, org):
    return build_review(people, org)


def test_no_endpoint_casts_a_ballot(api_for, people):
    schema = api_for(people.office).get("/api/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/assessment/")]
    assert paths
    assert not [p for p in paths if "ballot" in p or "vote" in p or "cast" in p]


@pytest.mark.parametrize("persona", ["office", "leader", "discipline"])
def test_sessions_readable_by_office_leaders_discipline(api_for, people, review, persona):
    client = api_for(getattr(people, persona))
    listed = client.get("/api/assessment/sessions")
    assert listed.status_code == 200 and listed.json()[0]["subjects"] == 22
    detail = client.get(f"/api/assessment/sessions/{review.session.pk}").json()
    assert [g["name"] for g in detail["groups"]] == ["委员", "代表", "群众代表"]
    assert detail["grades"][0]["label"] == "好"
    turnout = client.get(f"/api/assessment/sessions/{review.session.pk}/turnout").json()
    assert turnout[0] == {
        "group_id": review.groups["委员"].pk,
        "group": "委员",
        "ballots": 9,
        "issued": 0,
        "used": 0,
        "paper": 0,
        "cast": 0,
        "percent": 0,
    }


@pytest.mark.parametrize("persona", ["head", "liaison", "staff", "outsider", "norole", "sys_admin"])
def test_sessions_refused_to_others(api_for, people, review, persona):
    client = api_for(getattr(people, persona))
    assert client.get("/api/assessment/sessions").status_code == 403
    assert client.get(f"/api/assessment/sessions/{review.session.pk}").status_code == 403
    response = client.post(f"/api/assessment/sessions/{review.session.pk}/close", content_type="application/json")
    assert response.status_code == 403


def test_anonymous_gets_401(client, review):
    assert client.get("/api/assessment/sessions").status_code == 401


def test_result_is_409_until_closed_then_a_subject_sees_only_their_row(api_for, people, review):
    url = f"/api/assessment/sessions/{review.session.pk}/result"
    response = api_for(people.office).get(url)
    assert response.status_code == 409 and response.json()["detail"] == "测评尚未结束，没有计票结果。"
    Subject.objects.filter(pk=review.subjects[3].pk).update(person=people.head)
    code = codes_generate(acting_user=people.office, group=review.groups["委员"], count=1)[0]
    ballot_cast(code_text=code, raw_marks=all_marks(review, top=4))
    session_close(acting_user=people.office, session=review.session)
    full = api_for(people.leader).get(url).json()
    assert len(full["subjects"]) == 22 and full["ballots"]["valid"] == 1
    own = api_for(people.head).get(url).json()
    assert [row["subject"] for row in own["subjects"]] == [review.subjects[3].pk]
    assert api_for(people.staff).get(url).status_code == 403


def test_the_office_sets_up_and_runs_a_session(api_for, people, org):
    client = api_for(people.office)
    created = client.post(
        "/api/assessment/sessions",
        {"title": "2025年度科级干部述职评议", "year": 2025, "organiser_id": org.party.pk, "top_quota_percent": 30},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    for body in ({"person_id": people.head.pk, "report_mode": "onsite"}, {"name": "韩述职", "unit_id": org.hr.pk}):
        response = client.post(f"/api/assessment/sessions/{pk}/subjects", body, content_type="application/json")
        assert response.status_code == 201, response.json()
    again = client.post(
        f"/api/assessment/sessions/{pk}/subjects", {"person_id": people.head.pk}, content_type="application/json"
    )
    assert again.status_code == 400 and "已是本次评议的被测评人" in again.json()["detail"]
    empty = client.post(f"/api/assessment/sessions/{pk}/subjects", {"name": " "}, content_type="application/json")
    assert empty.status_code == 400 and "请填写姓名" in empty.json()["detail"]
    early = client.post(f"/api/assessment/sessions/{pk}/open", content_type="application/json")
    assert early.status_code == 400 and "请先添加测评人类别" in early.json()["detail"]
    group = client.post(
        f"/api/assessment/sessions/{pk}/groups",
        {"name": "代表", "weight": "1", "ballots": 6},
        content_type="application/json",
    ).json()
    assert client.post(f"/api/assessment/sessions/{pk}/open", content_type="application/json").status_code == 200
    codes = client.post(
        f"/api/assessment/sessions/{pk}/groups/{group['id']}/codes", {"count": 6}, content_type="application/json"
    )
    assert codes.status_code == 201
    assert code_find(codes.json()["codes"][0]).group_id == group["id"]
    too_many = client.post(
        f"/api/assessment/sessions/{pk}/groups/{group['id']}/codes", {"count": 1}, content_type="application/json"
    )
    assert too_many.status_code == 400 and "还可生成 0 个投票码" in too_many.json()["detail"]
    closed = client.post(f"/api/assessment/sessions/{pk}/close", content_type="application/json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    no_reason = client.post(f"/api/assessment/sessions/{pk}/reopen", {"reason": ""}, content_type="application/json")
    assert no_reason.status_code == 400 and "请填写重新开放的理由" in no_reason.json()["detail"]


def test_bad_input_is_refused_in_chinese(api_for, people, org):
    client = api_for(people.office)
    response = client.post(
        "/api/assessment/sessions",
        {"title": "x", "year": "明年", "organiser_id": org.party.pk, "scale": "abc"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "应为整数" in response.json()["detail"]
    missing = client.post(
        "/api/assessment/sessions",
        {"title": "x", "year": 2025, "organiser_id": 999999},
        content_type="application/json",
    )
    assert missing.status_code == 400 and "单位不存在" in missing.json()["detail"]


@pytest.fixture
def period(people, org):
    period = period_save(
        acting_user=people.office,
        period=AssessmentPeriod(
            title="2026年度考核", year=2026, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
        ),
        units=[org.academic, org.hr],
        assessors=[people.leader],
    )
    rule_save(acting_user=people.office, rule=ScoringRule(period=period, metric=Metric.MANUAL, points=Decimal(10)))
    return period


def test_a_head_sees_the_rules_and_only_their_units_scores(api_for, people, period, org):
    assert api_for(people.head).get(f"/api/assessment/periods/{period.pk}").status_code == 404  # draft
    period_publish(acting_user=people.office, period=period)
    detail = api_for(people.head).get(f"/api/assessment/periods/{period.pk}").json()
    assert [u["name"] for u in detail["units"]] == ["教务处"]
    assert detail["rules"][0]["metric"] == "manual"
    assert len(api_for(people.leader).get(f"/api/assessment/periods/{period.pk}").json()["units"]) == 2
    assert api_for(people.staff).get("/api/assessment/periods").status_code == 403


def test_manual_scores_through_the_api(api_for, people, period, org):
    period_publish(acting_user=people.office, period=period)
    rule = period.rules.get()
    url = f"/api/assessment/periods/{period.pk}/scores"
    body = {"rule_id": rule.pk, "unit_id": org.academic.pk, "score": "8.5"}
    assert api_for(people.office).post(url, body, content_type="application/json").status_code == 403
    ok = api_for(people.leader).post(url, body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["score"] == "8.50"
    high = api_for(people.leader).post(url, {**body, "score": "12"}, content_type="application/json")
    assert high.status_code == 400 and "0 到 10.00 之间" in high.json()["detail"]
    detail = api_for(people.leader).get(f"/api/assessment/periods/{period.pk}").json()
    academic = next(u for u in detail["units"] if u["name"] == "教务处")
    assert academic["total"] == "8.50"


def test_examples_public_text_only_for_staff(api_for, people, org):
    Example.objects.create(kind=ExampleKind.BAD, title="推诿扯皮", summary="某某科长推诿", unit=org.hr, published=False)
    shown = Example.objects.create(
        kind=ExampleKind.BAD,
        title="回复群众来信超期",
        summary="王某负责的来信超期两个月",
        published_summary="某部门来信办理超期",
        unit=org.hr,
        published=True,
    )
    shown.people.set([people.outsider])
    staff = api_for(people.staff).get("/api/assessment/examples").json()
    assert [e["title"] for e in staff] == ["回复群众来信超期"]
    assert staff[0]["text"] == "某部门来信办理超期" and staff[0]["people"] == []
    office = api_for(people.office).get("/api/assessment/examples?kind=bad").json()
    assert len(office) == 2
    assert api_for(people.norole).get("/api/assessment/examples").status_code == 403


def test_example_people_follow_the_pages_rule(api_for, people, org):
    """A published good example names its people for everyone, as its page does."""
    good = Example.objects.create(
        kind=ExampleKind.GOOD, title="主动服务", summary="…", unit=org.academic, published=True
    )
    good.people.set([people.head])
    shown = api_for(people.staff).get(f"/api/assessment/examples/{good.pk}").json()
    assert shown["people"] == ["赵处长"]

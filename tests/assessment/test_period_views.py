"""Unit assessment pages: who sees which period and which rows, the rules formset, the
assessors' grid (all or nothing), closing, and the workbook."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from duban.assessment.forms_periods import ERR_CAP_NEGATIVE, ERR_END_BEFORE_START, ERR_SCORE_CLEARED
from duban.assessment.models import (
    AssessmentPeriod,
    Band,
    Example,
    ExampleKind,
    ManualScore,
    Metric,
    PeriodState,
    ScoringRule,
)
from duban.assessment.services.periods import (
    ERR_NO_RULES,
    ERR_RULES_LOCKED,
    manual_score_set,
    period_close,
    period_publish,
    period_save,
    rule_save,
)
from tests.supervision.conftest import work  # noqa: F401  (fixture)

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
TODAY = NOW.date()
VIEWERS = ["office", "leader", "discipline", "head", "liaison", "outsider"]
NOT_VIEWERS = ["staff", "norole", "taskforce"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def period(work, org, people):  # noqa: F811
    Item = type(work.teaching)
    Item.objects.filter(pk=work.teaching.pk).update(completed_on=datetime.date(2026, 10, 1))
    Item.objects.filter(pk=work.labs.pk).update(original_due_date=datetime.date(2026, 10, 1))
    period = period_save(
        acting_user=people.office,
        period=AssessmentPeriod(
            title="2026年度督查督办工作考核",
            year=2026,
            start=datetime.date(2026, 1, 1),
            end=datetime.date(2026, 12, 31),
            base_score=Decimal(60),
        ),
        units=[org.academic, org.hr],
        plans=[work.plan],
        assessors=[people.leader, people.discipline],
    )
    for order, (metric, points, cap) in enumerate(
        [
            (Metric.ON_TIME_RATE, Decimal(20), None),
            (Metric.GOOD_EXAMPLES, Decimal(3), Decimal(6)),
            (Metric.MANUAL, Decimal(10), None),
        ],
        start=1,
    ):
        rule_save(
            acting_user=people.office,
            rule=ScoringRule(period=period, order=order, metric=metric, points=points, cap=cap, label=""),
        )
    for label, minimum in (("优秀", 90), ("良好", 80), ("一般", 0)):
        Band.objects.create(period=period, label=label, min_score=minimum)
    return period


@pytest.fixture
def published(period, people):
    return period_publish(acting_user=people.office, period=period)


def url(name, period, **kwargs):
    return reverse(f"assessment:{name}", args=[period.pk], **kwargs)


def manual_rule(period):
    return period.rules.get(metric=Metric.MANUAL)


# --- The list -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", VIEWERS)
def test_list_shows_drafts_to_the_office_only(period, people, client_for, persona):
    response = client_for(getattr(people, persona)).get(reverse("assessment:period_list"))
    assert response.status_code == 200
    assert (period.title in response.content.decode()) == (persona == "office")


@pytest.mark.parametrize("persona", VIEWERS)
def test_list_shows_published_periods(published, people, client_for, persona):
    response = client_for(getattr(people, persona)).get(reverse("assessment:period_list"))
    assert published.title in response.content.decode()


@pytest.mark.parametrize("persona", NOT_VIEWERS)
def test_list_refused_to_others(period, people, client_for, persona):
    assert client_for(getattr(people, persona)).get(reverse("assessment:period_list")).status_code == 403


def test_anonymous_is_sent_to_sign_in(period, client):
    for name in ["period_detail", "period_rules", "period_scores", "period_edit", "period_xlsx"]:
        response = client.get(url(name, period))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("assessment:period_list")).status_code == 302


def test_an_assessor_without_a_role_finds_the_period(published, people, client_for):
    published.assessors.add(people.staff)
    client = client_for(people.staff)
    response = client.get(reverse("assessment:period_list"))
    assert response.status_code == 200
    assert "去评分" in response.content.decode()
    assert client.get(url("period_scores", published)).status_code == 200


# --- The result page --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "discipline", "head", "liaison", "outsider"])
def test_draft_is_invisible_to_everyone_but_the_office(period, people, client_for, persona):
    client = client_for(getattr(people, persona))
    for name in ["period_detail", "period_rules", "period_xlsx"]:
        assert client.get(url(name, period)).status_code == 404


def test_office_sees_the_draft_as_a_trial(period, people, client_for):
    page = client_for(people.office).get(url("period_detail", period)).content.decode()
    assert "试算" in page and "教务处" in page and "人事处" in page


@pytest.mark.parametrize("persona", NOT_VIEWERS)
def test_result_refused_to_others(published, people, client_for, persona):
    client = client_for(getattr(people, persona))
    for name in ["period_detail", "period_rules", "period_xlsx", "period_scores"]:
        assert client.get(url(name, published)).status_code == 403


@pytest.mark.parametrize("persona", ["office", "leader", "discipline"])
def test_leaders_see_every_unit_with_its_parts(published, people, client_for, persona):
    page = client_for(getattr(people, persona)).get(url("period_detail", published)).content.decode()
    assert "教务处" in page and "人事处" in page
    assert "1/2 = 50.00%" in page  # 教务处: one of two items due finished on time
    assert "10.00" in page
    assert "无应考核事项，按满分计" in page  # 人事处 has nothing due yet
    assert "实时计算" in page
    # The rules in words and the formulas, so anyone can recompute.
    assert "得分 = 分值 × 比率" in page and "总分 = 基础分 + 各项得分之和" in page
    assert "优秀 ≥ 90" in page


@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [("head", "教务处", "人事处"), ("liaison", "教务处", "人事处"), ("outsider", "人事处", "教务处")],
)
def test_a_unit_sees_only_its_own_row_but_all_the_rules(published, people, client_for, persona, own, other):
    page = client_for(getattr(people, persona)).get(url("period_detail", published)).content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert own in rows and other not in rows
    assert "按期完成率" in page and "正面典型数" in page and "人工评分" in page
    assert "其他单位的得分不在此显示" in page


# --- Create and edit -----------------------------------------------------------------------------


def form_data(org, work, people, **changes):  # noqa: F811
    data = {
        "title": "2026年度考核",
        "year": "2026",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "base_score": "60",
        "note": "",
        "units": [org.academic.pk, org.hr.pk],
        "plans": [work.plan.pk],
        "assessors": [people.leader.pk],
    }
    data.update(changes)
    return data


def test_office_creates_a_period(work, org, people, client_for):  # noqa: F811
    client = client_for(people.office)
    page = client.get(reverse("assessment:period_create")).content.decode()
    assert "全选职能部门" in page and "党支部" in page
    response = client.post(reverse("assessment:period_create"), form_data(org, work, people))
    period = AssessmentPeriod.objects.get()
    assert response.status_code == 302 and response["Location"] == url("period_rules", period)
    assert period.state == PeriodState.DRAFT and period.created_by == people.office
    assert set(period.units.all()) == {org.academic, org.hr}
    assert list(period.assessors.all()) == [people.leader]


def test_create_errors_are_shown_in_chinese(work, org, people, client_for):  # noqa: F811
    response = client_for(people.office).post(
        reverse("assessment:period_create"), form_data(org, work, people, end="2025-12-31", units=[])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert ERR_END_BEFORE_START in page and "请至少选择一个被考核单位" in page
    assert not AssessmentPeriod.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "discipline", "head", "liaison", "staff", "outsider"])
def test_only_the_office_creates_and_edits(period, people, client_for, persona):
    client = client_for(getattr(people, persona))
    assert client.get(reverse("assessment:period_create")).status_code == 403
    assert client.get(url("period_edit", period)).status_code == 403
    assert client.post(url("period_edit", period), {"title": "x"}).status_code == 403


def test_published_period_keeps_its_units_but_assessors_may_change(published, work, org, people, client_for):  # noqa: F811
    client = client_for(people.office)
    page = client.get(url("period_edit", published)).content.decode()
    assert "评分规则已公布，不能再修改" in page
    data = form_data(org, work, people, units=[org.academic.pk], assessors=[people.leader.pk, people.head.pk])
    data["title"] = "2026年度督查督办工作考核（修订）"
    response = client.post(url("period_edit", published), data)
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title.endswith("（修订）")
    assert set(published.units.all()) == {org.academic, org.hr}  # disabled: the posted change is ignored
    assert set(published.assessors.all()) == {people.leader, people.head}


def test_closed_period_cannot_be_edited(published, people, client_for):
    period_close(acting_user=people.office, period=published)
    response = client_for(people.office).get(url("period_edit", published), follow=True)
    assert "考核结果已确定，不能再修改。" in response.content.decode()


# --- Rules and bands ----------------------------------------------------------------------------


def rules_post(period, rules, bands):
    data = {
        "rule-TOTAL_FORMS": str(len(rules)),
        "rule-INITIAL_FORMS": str(sum(1 for r in rules if r.get("id"))),
        "rule-MIN_NUM_FORMS": "0",
        "rule-MAX_NUM_FORMS": "1000",
        "band-TOTAL_FORMS": str(len(bands)),
        "band-INITIAL_FORMS": str(sum(1 for b in bands if b.get("id"))),
        "band-MIN_NUM_FORMS": "0",
        "band-MAX_NUM_FORMS": "1000",
    }
    for prefix, rows in (("rule", rules), ("band", bands)):
        for index, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{index}-{key}"] = value
    return data


def existing(period):
    rules = [
        {
            "id": r.pk,
            "position": r.order,
            "metric": r.metric,
            "label": r.label,
            "points": str(r.points),
            "cap": "" if r.cap is None else str(r.cap),
            "description": r.description,
        }
        for r in period.rules.order_by("order")
    ]
    bands = [{"id": b.pk, "label": b.label, "min_score": str(b.min_score)} for b in period.bands.all()]
    return rules, bands


def test_rules_formset_saves_rules_and_bands(period, people, client_for):
    rules, bands = existing(period)
    rules[0]["DELETE"] = "on"
    rules.append(
        {
            "position": "1",
            "metric": Metric.ACCOUNTABILITY,
            "label": "问责扣分",
            "points": "-2",
            "cap": "5",
            "description": "每次扣 2 分",
        }
    )
    bands.append({"label": "较差", "min_score": "-100"})
    response = client_for(people.office).post(url("period_rules", period), rules_post(period, rules, bands))
    assert response.status_code == 302
    saved = list(period.rules.order_by("order").values_list("metric", "order"))
    assert saved == [(Metric.ACCOUNTABILITY, 1), (Metric.GOOD_EXAMPLES, 2), (Metric.MANUAL, 3)]
    assert period.bands.filter(label="较差").exists()


def test_rules_formset_errors_in_chinese_and_nothing_saved(period, people, client_for):
    rules, bands = existing(period)
    rules.append({"position": "", "metric": Metric.RELAPSES, "label": "", "points": "-1", "cap": "-3"})
    rules.append({"position": "", "metric": Metric.MANUAL, "label": "", "points": "0", "cap": ""})
    bands.append({"label": "优秀", "min_score": "95"})
    response = client_for(people.office).post(url("period_rules", period), rules_post(period, rules, bands))
    page = response.content.decode()
    assert response.status_code == 200
    assert ERR_CAP_NEGATIVE in page and "必须大于 0" in page and "等次“优秀”重复了" in page
    assert period.rules.count() == 3 and period.bands.count() == 3


def test_rules_are_read_only_after_publish(published, people, client_for):
    rules, bands = existing(published)
    rules[0]["points"] = "50"
    client = client_for(people.office)
    response = client.post(url("period_rules", published), rules_post(published, rules, bands), follow=True)
    assert ERR_RULES_LOCKED in response.content.decode()
    assert published.rules.get(metric=Metric.ON_TIME_RATE).points == Decimal(20)
    page = client.get(url("period_rules", published)).content.decode()
    assert 'name="rule-TOTAL_FORMS"' not in page and "满分 20 分，得分 = 20 × 比率" in page


@pytest.mark.parametrize("persona", ["leader", "head"])
def test_others_read_the_published_rules_but_cannot_post(published, people, client_for, persona):
    client = client_for(getattr(people, persona))
    assert "得分 = 分值 × 比率" in client.get(url("period_rules", published)).content.decode()
    rules, bands = existing(published)
    assert client.post(url("period_rules", published), rules_post(published, rules, bands)).status_code == 403


# --- Publish, unpublish, close --------------------------------------------------------------------


def test_publish_and_unpublish(period, people, client_for):
    client = client_for(people.office)
    assert client.get(url("period_publish", period)).status_code == 405
    response = client.post(url("period_publish", period), follow=True)
    assert "评分规则已公布" in response.content.decode()
    period.refresh_from_db()
    assert period.state == PeriodState.PUBLISHED
    client.post(url("period_unpublish", period))
    period.refresh_from_db()
    assert period.state == PeriodState.DRAFT


def test_publish_refusal_is_shown(period, people, client_for):
    period.rules.all().delete()
    response = client_for(people.office).post(url("period_publish", period), follow=True)
    assert ERR_NO_RULES in response.content.decode()
    period.refresh_from_db()
    assert period.state == PeriodState.DRAFT


def test_unpublish_refused_once_scored(published, org, people, client_for):
    manual_score_set(acting_user=people.leader, rule=manual_rule(published), unit=org.academic, score="8")
    response = client_for(people.office).post(url("period_unpublish", published), follow=True)
    assert "已有评分人打分，不能撤回规则。" in response.content.decode()


@pytest.mark.parametrize("persona", ["leader", "discipline", "head", "liaison", "staff", "outsider"])
def test_only_the_office_publishes_and_closes(published, people, client_for, persona):
    client = client_for(getattr(people, persona))
    for name in ["period_publish", "period_unpublish", "period_close"]:
        assert client.post(url(name, published)).status_code == 403
    published.refresh_from_db()
    assert published.state == PeriodState.PUBLISHED


def test_close_fixes_the_result(published, org, people, client_for):
    manual_score_set(acting_user=people.leader, rule=manual_rule(published), unit=org.academic, score="8")
    client = client_for(people.office)
    assert client.get(url("period_close", published)).status_code == 405
    response = client.post(url("period_close", published), follow=True)
    assert "考核结果已确定" in response.content.decode()
    published.refresh_from_db()
    assert published.state == PeriodState.CLOSED
    before = {u["name"]: u["total"] for u in published.result["units"]}
    # A good example recognised later would move a live computation, not the fixed result.
    Example.objects.create(kind=ExampleKind.GOOD, title="后来的典型", summary="…", unit=org.hr, recognised_on=TODAY)
    page = client_for(people.leader).get(url("period_detail", published)).content.decode()
    assert "结果已确定" in page
    for total in before.values():
        assert total in page
    assert "评分 8.00，平均 8.00" in page


# --- The assessors' grid -----------------------------------------------------------------------------


def grid_data(period, org, **cells):
    rule = manual_rule(period)
    data = {}
    for unit, (score, note) in cells.items():
        key = f"{rule.pk}-{getattr(org, unit).pk}"
        data[f"s-{key}"] = score
        data[f"n-{key}"] = note
    return data


def test_assessor_scores_all_at_once(published, org, people, client_for):
    client = client_for(people.leader)
    page = client.get(url("period_scores", published)).content.decode()
    assert "保存全部评分" in page and "教务处" in page and "人事处" in page
    data = grid_data(published, org, academic=("8.5", "按时报送"), hr=("7", ""))
    response = client.post(url("period_scores", published), data, follow=True)
    assert "已保存 2 项评分" in response.content.decode()
    scores = dict(ManualScore.objects.filter(assessor=people.leader).values_list("unit__name", "score"))
    assert scores == {"教务处": Decimal("8.5"), "人事处": Decimal(7)}
    # The grid comes back prefilled with the assessor's own scores.
    assert 'value="8.5"' in client.get(url("period_scores", published)).content.decode()


def test_one_bad_cell_saves_nothing(published, org, people, client_for):
    data = grid_data(published, org, academic=("8", ""), hr=("11", ""))
    response = client_for(people.leader).post(url("period_scores", published), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "全部评分都没有保存" in page and "“人工评分”的分数应在 0 到 10.00 之间。" in page
    assert 'value="8"' in page and 'value="11"' in page  # the input is kept
    assert not ManualScore.objects.exists()
    data = grid_data(published, org, academic=("八分", ""), hr=("", ""))
    page = client_for(people.leader).post(url("period_scores", published), data).content.decode()
    assert "请填写数字分数。" in page


def test_a_saved_score_cannot_be_cleared(published, org, people, client_for):
    manual_score_set(acting_user=people.leader, rule=manual_rule(published), unit=org.academic, score="8")
    data = grid_data(published, org, academic=("", ""), hr=("6", ""))
    page = client_for(people.leader).post(url("period_scores", published), data).content.decode()
    assert ERR_SCORE_CLEARED in page
    assert ManualScore.objects.count() == 1


def test_office_sees_who_scored_not_the_scores(published, org, people, client_for):
    manual_score_set(acting_user=people.leader, rule=manual_rule(published), unit=org.academic, score="7.25")
    page = client_for(people.office).get(url("period_scores", published)).content.decode()
    assert "评分进度" in page and "李校长" in page and "周纪检" in page
    assert "7.25" not in page and "保存全部评分" not in page
    assert client_for(people.office).post(url("period_scores", published), {}).status_code == 403


@pytest.mark.parametrize("persona", ["head", "liaison", "outsider"])
def test_non_assessors_cannot_score(published, org, people, client_for, persona):
    client = client_for(getattr(people, persona))
    assert client.get(url("period_scores", published)).status_code == 403
    assert (
        client.post(url("period_scores", published), grid_data(published, org, academic=("8", ""))).status_code == 403
    )
    assert not ManualScore.objects.exists()


def test_scoring_closes_with_the_result(published, org, people, client_for):
    period_close(acting_user=people.office, period=published)
    client = client_for(people.leader)
    page = client.get(url("period_scores", published)).content.decode()
    assert "结果已确定，评分不能再修改" in page and "保存全部评分" not in page
    response = client.post(url("period_scores", published), grid_data(published, org, academic=("8", "")), follow=True)
    assert "考核结果已确定，不能再修改。" in response.content.decode()
    assert not ManualScore.objects.exists()


# --- The workbook ---------------------------------------------------------------------------------------


def open_book(response):
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))


def sheet_text(sheet):
    return [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]


def test_xlsx_has_every_unit_with_its_parts_and_the_rules(published, org, people, client_for):
    closed = period_close(acting_user=people.office, period=published)
    book = open_book(client_for(people.leader).get(url("period_xlsx", published)))
    result, rules = book.worksheets
    rows = sheet_text(result)
    header = rows[3]
    assert (
        header[:2] == ["名次", "单位"]
        and "按期完成率（情况）" in header
        and header[-4:] == ["基础分", "总分", "等次", "说明"]
    )
    units = {row[1]: row for row in result.iter_rows(min_row=5, values_only=True)}
    assert set(units) == {"教务处", "人事处"}
    assert "1/2 = 50.00%" in units["教务处"]
    for unit in closed.result["units"]:
        row = units[unit["name"]]
        assert (row[0], row[-3], row[-2]) == (unit["rank"], Decimal(unit["total"]), unit["band"])
    rule_rows = sheet_text(rules)
    flat = " ".join(str(c) for row in rule_rows for c in row)
    assert "按期完成率" in flat and "满分 20 分，得分 = 20 × 比率" in flat and "总分 = 基础分" in flat


def test_xlsx_of_a_unit_head_has_only_their_row(published, people, client_for):
    book = open_book(client_for(people.head).get(url("period_xlsx", published)))
    names = [row[1] for row in book.worksheets[0].iter_rows(min_row=5, values_only=True)]
    assert names == ["教务处"]

"""The voter's pages (/v/): no login, the same pages for anyone, each refusal, the
confirmation step, one accepted ballot per code, receipts, report access, headers, the
rate limit, and nothing about the voter kept beyond the marks and the group."""

import logging
import re

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client

from duban.assessment.models import (
    Ballot,
    BallotCode,
    CodeBatch,
    Dimension,
    PendingBallot,
    ReviewSession,
    SessionState,
    Subject,
)
from duban.assessment.sealing import pretty, unseal
from duban.assessment.services import sessions as svc
from duban.assessment.services.codes import batch_void, codes_generate
from duban.assessment.services.sessions import session_close
from duban.assessment.services.voting import (
    ERR_ENDED,
    ERR_FORMAT,
    ERR_NOT_STARTED,
    ERR_RECEIPT_FORMAT,
    ERR_UNKNOWN,
    ERR_USED,
    ERR_VOIDED,
)

from .conftest import all_marks, build_review

RULES = "每张选票评为“好”的不超过 6 人；须对全部 22 人作出评价。"
RECEIPT = re.compile(r"data-receipt>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<")
FINGERPRINT = re.compile(r"data-fingerprint>([0-9A-Z]{4}-[0-9A-Z]{4})<")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def code(review, people):
    return codes_generate(acting_user=people.office, group=review.groups["委员"], count=1)[0]


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def form(marks: dict, **extra) -> dict:
    return {**{f"m_{k}": v for k, v in marks.items()}, **extra}


def text(response) -> str:
    return response.content.decode()


def cast(client, code, marks) -> str:
    response = client.post(f"/v/{code}/", form(marks, confirm="1"))
    assert response.status_code == 200, text(response)
    return text(response)


def assert_private(response):
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


# --- Anyone, logged in or not, gets the same pages -------------------------------------------


def test_start_page_for_anonymous_voter(client):
    response = client.get("/v/")
    assert response.status_code == 200
    assert "输入投票码" in text(response)
    assert "bootstrap" not in text(response)  # the small stylesheet only
    assert_private(response)


@pytest.mark.parametrize("persona", [None, "leader", "office", "staff", "outsider", "norole"])
def test_ballot_page_is_the_same_for_everyone(persona, review, code, people, client_for):
    anonymous = Client().get(f"/v/{code}/")
    client = client_for(getattr(people, persona)) if persona else Client()
    response = client.get(f"/v/{code}/")
    assert response.status_code == 200
    assert_private(response)
    body = text(response)
    assert body == text(anonymous)
    if persona:
        assert getattr(people, persona).name not in body
    assert review.session.title in body
    assert RULES in body
    for subject in review.subjects:
        assert subject.name in body
    assert body.count("现场述职</span>") == 8
    assert body.count("书面述职</span>") == 14
    assert "data-rated>0</b>/22" in body
    assert body.count('type="radio"') == 22 * 4
    assert "<script>" not in body and "style=" not in body


def test_start_redirects_to_the_ballot_with_a_typed_code(client, code):
    typed = "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower()
    response = client.post("/v/", {"code": f"  {typed} "})
    assert response.status_code == 302
    assert response["Location"] == f"/v/{code}/"


@pytest.mark.parametrize(("typed", "message"), [("ABC", ERR_FORMAT), ("ABCD-EFGH-JKMN-PQRS", ERR_UNKNOWN)])
def test_start_says_what_is_wrong_with_the_code(client, review, typed, message):
    response = client.post("/v/", {"code": typed})
    assert response.status_code == 400
    assert message in text(response)
    assert f'value="{typed}"' in text(response)


# --- Refusals ------------------------------------------------------------------------------------


def test_refusal_invalid_format(client, review):
    response = client.get("/v/NOT-A-CODE/")
    assert response.status_code == 403
    assert ERR_FORMAT in text(response) and "投票码有误" in text(response)
    assert "重新输入投票码" in text(response)


def test_refusal_unknown_code(client, review):
    response = client.get("/v/ABCDEFGHJKMNPQRS/")
    assert response.status_code == 403
    assert ERR_UNKNOWN in text(response)


def test_refusal_used_code(client, review, code):
    cast(client, code, all_marks(review, top=6))
    response = client.get(f"/v/{code}/")
    assert response.status_code == 403
    assert ERR_USED in text(response) and "已经使用过" in text(response)
    assert "用回执码查询" in text(response)
    assert_private(response)


def test_refusal_voided_code(client, review, code, people):
    batch_void(acting_user=people.office, batch=CodeBatch.objects.get())
    response = client.get(f"/v/{code}/")
    assert response.status_code == 403
    assert ERR_VOIDED in text(response)


def test_refusal_not_started(client, people, org):
    draft = build_review(people, org, open_it=False)
    code = codes_generate(acting_user=people.office, group=draft.groups["代表"], count=1)[0]
    response = client.get(f"/v/{code}/")
    assert response.status_code == 403
    assert ERR_NOT_STARTED in text(response)


def end(review):
    """The session's state as after the close, with its codes left as they were."""
    ReviewSession.objects.filter(pk=review.session.pk).update(state=SessionState.CLOSED)


def test_refusal_ended(client, review, code):
    end(review)
    response = client.get(f"/v/{code}/")
    assert response.status_code == 403
    assert ERR_ENDED in text(response)
    assert review.session.title not in text(response)


def test_refusal_after_a_real_close_says_ended(client, review, code, people):
    session_close(acting_user=people.office, session=review.session)
    assert ERR_ENDED in text(client.get(f"/v/{code}/"))


# --- The ballot, the confirmation step and the cast -----------------------------------------


def test_validation_errors_keep_the_choices(client, review, code):
    marks = {str(s.pk): review.grades["好"] for s in review.subjects[:7]}
    marks[str(review.subjects[7].pk)] = review.grades["差"]
    response = client.post(f"/v/{code}/", form(marks))
    assert response.status_code == 400
    body = text(response)
    assert "选票还不能提交" in body
    assert "评为“好”的有 7 人，超过上限 6 人" in body
    assert "须对全部 22 人作出评价，尚有 14 人未评" in body
    for sid, order in marks.items():
        assert f'name="m_{sid}" value="{order}" checked' in body
    assert body.count(" checked") == 8
    assert body.count("is-missing") == 14
    assert "data-rated>8</b>/22" in body
    assert not BallotCode.objects.get().used


def test_a_tampered_grade_is_refused_in_chinese(client, review, code):
    marks = all_marks(review)
    marks[str(review.subjects[0].pk)] = "99"
    response = client.post(f"/v/{code}/", form(marks, confirm="1"))
    assert response.status_code == 400
    assert "无效的评价等次：99" in text(response)
    assert not BallotCode.objects.get().used


def test_confirmation_step_summarises_and_keeps_hidden_inputs(client, review, code):
    marks = all_marks(review, top=6)
    response = client.post(f"/v/{code}/", form(marks))
    assert response.status_code == 200
    body = text(response)
    assert "请核对您的选票" in body and "返回修改" in body and "确认提交" in body
    for subject in review.subjects:
        assert subject.name in body
        assert f'name="m_{subject.pk}" value="{marks[str(subject.pk)]}"' in body
    assert "<span>好</span><b>6</b>" in body and "<span>较好</span><b>16</b>" in body
    assert not BallotCode.objects.get().used
    assert PendingBallot.objects.count() == 0


def test_back_to_edit_keeps_the_choices(client, review, code):
    marks = all_marks(review, top=6)
    response = client.post(f"/v/{code}/", form(marks, edit="1"))
    assert response.status_code == 200
    body = text(response)
    assert "选票还不能提交" not in body
    assert body.count(" checked") == 22
    assert "data-rated>22</b>/22" in body
    assert not BallotCode.objects.get().used


def test_exactly_one_accept_then_used(client, review, code, client_for, people):
    marks = all_marks(review, top=6)
    body = cast(client, code, marks)
    assert "投票成功" in body
    assert PendingBallot.objects.count() == 1
    again = client_for(people.office).post(f"/v/{code}/", form(marks, confirm="1"))
    assert again.status_code == 403
    assert ERR_USED in text(again)
    assert PendingBallot.objects.count() == 1
    assert BallotCode.objects.get().used


def test_a_confirmed_ballot_costs_six_queries(client, review, people, django_assert_num_queries):
    """Find the code; then, under the write lock, re-read the session's state, spend the code
    and store the sealed ballot (the session's shape is read once per server process)."""
    first, second = codes_generate(acting_user=people.office, group=review.groups["代表"], count=2)
    cast(client, first, all_marks(review))
    with django_assert_num_queries(6):  # the four above, and the transaction's begin and end
        assert "投票成功" in cast(client, second, all_marks(review, top=6))


def test_a_logged_in_person_votes_like_anyone(client_for, people, review, code):
    body = cast(client_for(people.staff), code, all_marks(review, top=3))
    assert "投票成功" in body and people.staff.name not in body


def test_receipt_page(client, review, code):
    response = client.post(f"/v/{code}/", form(all_marks(review, top=6), confirm="1"))
    assert_private(response)
    body = text(response)
    receipt = RECEIPT.search(body).group(1)
    fingerprint = FINGERPRINT.search(body).group(1)
    assert len(receipt) == 14 and len(fingerprint) == 9
    assert "请抄下或截图保存回执码和核对值" in body
    assert "http://testserver/v/check/" in body
    assert "任何人（包括您自己）都不能用它看到您的选择" in body
    # Nowhere but in the page: no cookie, no session, no redirect.
    assert not response.cookies
    assert not client.session.keys()
    assert receipt.replace("-", "") not in str(response.headers)


def test_no_receipt_when_the_session_issues_none(client, review, code):
    review.session.show_receipts = False
    review.session.save(update_fields=["show_receipts"])
    body = cast(client, code, all_marks(review, top=6))
    assert "投票成功" in body
    assert "回执码" not in body and "data-receipt" not in body


# --- Checking a receipt --------------------------------------------------------------------------


def test_receipt_check_waiting_then_counted(client, review, code, people):
    body = cast(client, code, all_marks(review, top=6))
    receipt, fingerprint = RECEIPT.search(body).group(1), FINGERPRINT.search(body).group(1)

    response = client.post("/v/check/", {"receipt": receipt.lower()})
    assert response.status_code == 200
    assert_private(response)
    assert "已收到，将在投票结束后计入" in text(response)
    assert fingerprint in text(response)

    session_close(acting_user=people.office, session=review.session)
    response = Client().post("/v/check/", {"receipt": receipt})
    body = text(response)
    assert "已计入" in body and review.session.title in body
    assert f"data-fingerprint>{fingerprint}<" in body
    assert receipt not in body  # not echoed back


def test_receipt_check_unknown_and_bad_format(client, review):
    assert "未找到" in text(client.post("/v/check/", {"receipt": "ABCD-EFGH-JKMN"}))
    response = client.post("/v/check/", {"receipt": "123"})
    assert response.status_code == 400
    assert ERR_RECEIPT_FORMAT in text(response)
    assert client.get("/v/check/").status_code == 200


# --- Reports -----------------------------------------------------------------------------------


@pytest.fixture
def reports(review, media):
    pdf, docx = review.subjects[0], review.subjects[1]
    pdf.report.save("a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    pdf.report_name = "陈晓明述职报告.pdf"
    pdf.save()
    docx.report.save("b.docx", ContentFile(b"PK\x03\x04 docx"), save=False)
    docx.report_name = "林文静述职报告.docx"
    docx.save()
    return pdf, docx


def test_report_link_and_files(client, review, code, reports):
    pdf, docx = reports
    body = text(client.get(f"/v/{code}/"))
    assert body.count("查看述职报告") == 2
    assert f"/v/{code}/report/{pdf.pk}/" in body

    response = client.get(f"/v/{code}/report/{pdf.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert_private(response)

    response = client.get(f"/v/{code}/report/{docx.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert "wordprocessingml" in response["Content-Type"]


def test_report_refused_for_other_sessions_missing_reports_and_spent_codes(client, review, code, reports, people, org):
    other = Subject.objects.create(session=build_review(people, org, subjects=2).session, name="外人")
    other.report.save("c.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    assert client.get(f"/v/{code}/report/{other.pk}/").status_code == 404
    assert client.get(f"/v/{code}/report/{review.subjects[5].pk}/").status_code == 404
    assert client.get(f"/v/ABCDEFGHJKMNPQRS/report/{reports[0].pk}/").status_code == 403

    cast(client, code, all_marks(review, top=6))
    response = client.get(f"/v/{code}/report/{reports[0].pk}/")
    assert response.status_code == 403
    assert ERR_USED in text(response)


def test_report_refused_after_the_close(client, review, code, reports, people):
    end(review)
    response = client.get(f"/v/{code}/report/{reports[0].pk}/")
    assert response.status_code == 403
    assert ERR_ENDED in text(response)


# --- Rate limit ----------------------------------------------------------------------------------


def test_failed_code_lookups_are_rate_limited(client, review, code, settings):
    settings.DUBAN_VOTE_FAILURES = 3
    for n in range(3):
        assert client.get(f"/v/ABCDEFGHJKMNPQR{n}/").status_code == 403
    response = client.get(f"/v/{code}/")
    assert response.status_code == 429
    assert "尝试次数过多" in text(response)
    assert client.post("/v/", {"code": code}).status_code == 429
    # Another address is not affected, and nothing is in the database about either.
    assert Client(REMOTE_ADDR="10.0.0.9").get(f"/v/{code}/").status_code == 200
    assert "127.0.0.1" not in dump_database()


def test_mistyped_codes_of_the_wrong_length_do_not_count(client, review, code, settings):
    settings.DUBAN_VOTE_FAILURES = 2
    for _ in range(5):
        client.post("/v/", {"code": "ABC"})
    assert client.get(f"/v/{code}/").status_code == 200


def test_failed_receipt_lookups_are_rate_limited(client, review, settings):
    settings.DUBAN_VOTE_FAILURES = 2
    for _ in range(2):
        assert "未找到" in text(client.post("/v/check/", {"receipt": "ABCD-EFGH-JKMN"}))
    response = client.post("/v/check/", {"receipt": "ABCD-EFGH-JKMN"})
    assert response.status_code == 429


# --- What is kept: the marks and the group, nothing else -------------------------------------------


def dump_database() -> str:
    """Every row of every table as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            rows.extend(repr(r) for r in cursor.fetchall())
    return "\n".join(rows)


def test_nothing_beyond_marks_and_group_is_kept(client_for, people, review, code, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(people.staff)
    marks = all_marks(review, top=6)
    client.get(f"/v/{code}/")
    client.post(f"/v/{code}/", form(marks))
    body = cast(client, code, marks)
    client.post(f"/v/{code}/", form(marks, confirm="1"))  # refused: used
    receipt = RECEIPT.search(body).group(1)

    (pending,) = PendingBallot.objects.all()
    assert {f.name for f in PendingBallot._meta.concrete_fields} == {"id", "session", "payload"}
    content = unseal(pending.payload)
    assert set(content) == {"group", "marks", "receipt"}
    assert content["group"] == review.groups["委员"].pk and content["marks"] == marks
    assert receipt.replace("-", "") not in content["receipt"]

    session_close(acting_user=people.office, session=review.session)
    (ballot,) = Ballot.objects.all()
    assert {f.name for f in Ballot._meta.concrete_fields} == {
        "id",
        "session",
        "group",
        "source",
        "marks",
        "valid",
        "invalid_reason",
        "receipt",
    }
    assert ballot.marks == marks and ballot.group == review.groups["委员"] and ballot.invalid_reason == ""

    # Neither the code nor the receipt is anywhere: database, logs, session, cookies.
    everything = dump_database()
    plain = receipt.replace("-", "")
    for secret in (code, pretty(code), plain, receipt):
        assert secret not in everything
        assert secret.lower() not in everything
        assert not any(secret in r.getMessage() for r in caplog.records)
        assert not any(secret in m.value for m in client.cookies.values())
    # Besides the login itself: its time and whether the person has a second factor, set at login.
    login_keys = {"_auth_user_id", "_auth_user_backend", "_auth_user_hash", "duban_login_at", "duban_otp_device"}
    assert set(client.session.keys()) <= login_keys


def test_a_ballot_with_dimensions(client, people, org):
    review = build_review(people, org, open_it=False, subjects=4, onsite=1)
    dims = [
        svc.part_save(acting_user=people.office, obj=Dimension(session=review.session, order=n, name=name))
        for n, name in enumerate(["政治建设", "履职尽责"], start=1)
    ]
    svc.session_open(acting_user=people.office, session=review.session)
    code = codes_generate(acting_user=people.office, group=review.groups["委员"], count=1)[0]
    body = text(client.get(f"/v/{code}/"))
    assert (
        "每个测评维度评为“好”的不超过 1 人；须对全部 4 人作出评价；每人须在“政治建设”、“履职尽责” 2 个维度上分别评价。"
        in body
    )
    assert body.count('class="v-dim"') == 8
    marks = {f"{s.pk}:{d.pk}": review.grades["较好"] for s in review.subjects for d in dims}
    half = dict(list(marks.items())[:7])
    response = client.post(f"/v/{code}/", form(half))
    assert "评价不完整" in text(response)
    assert "投票成功" in cast(client, code, marks)

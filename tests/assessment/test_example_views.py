"""Typical examples: the registry, what staff see of a published example (never the people of
a bad one), the office's form with its evidence check, and the evidence download."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duban.assessment.forms_examples import ERR_BAD_NEEDS_PUBLIC_TEXT
from duban.assessment.models import Example, ExampleKind
from duban.org.models import Person
from tests.conftest import PASSWORD

EVERYONE = ["office", "leader", "discipline", "head", "liaison", "staff", "outsider", "norole"]
FULL = ["office", "leader", "discipline"]
PARTIAL = ["head", "liaison", "staff", "outsider", "norole"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


class Examples:
    """Handles to the fixture examples."""


@pytest.fixture
def examples(org, people):
    e = Examples()
    e.good = Example.objects.create(
        kind=ExampleKind.GOOD,
        title="一流课程建设成效突出",
        summary="教务处钱联络牵头完成12门一流课程申报。",
        unit=org.academic,
        recognised_on=datetime.date(2026, 10, 1),
        source="第三季度督查通报",
        published=True,
    )
    e.good.people.set([people.liaison])
    e.good.evidence.save("good.pdf", ContentFile(PDF), save=False)
    e.good.evidence_name = "课程建设总结.pdf"
    e.good.save()
    e.bad = Example.objects.create(
        kind=ExampleKind.BAD,
        title="人才引进工作严重滞后",
        summary="人事处孔敷衍对督办事项敷衍应付，三次缺报。",
        unit=org.hr,
        recognised_on=datetime.date(2026, 9, 1),
        published=True,
        published_summary="某部门对督办事项敷衍应付，多次缺报，已予以通报。",
    )
    e.culprit = Person.objects.create_user(username="kong", password=PASSWORD, name="孔敷衍", unit=org.hr)
    e.bad.people.set([e.culprit])
    e.bad.evidence.save("bad.pdf", ContentFile(PDF), save=False)
    e.bad.evidence_name = "通报.pdf"
    e.bad.save()
    e.hidden = Example.objects.create(
        kind=ExampleKind.GOOD,
        title="尚未公开的好做法",
        summary="待核实。",
        unit=org.academic,
        recognised_on=datetime.date(2026, 11, 1),
    )
    return e


def detail(example):
    return reverse("assessment:example_detail", args=[example.pk])


def evidence(example):
    return reverse("assessment:example_evidence", args=[example.pk])


# --- The list -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(examples, client):
    for target in [reverse("assessment:example_list"), detail(examples.good), evidence(examples.good)]:
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", EVERYONE)
def test_everyone_signed_in_sees_published_examples(examples, people, client_for, persona):
    page = client_for(getattr(people, persona)).get(reverse("assessment:example_list")).content.decode()
    assert examples.good.title in page and examples.bad.title in page
    assert (examples.hidden.title in page) == (persona in FULL)
    assert "ex-good" in page and "ex-bad" in page


def test_list_filters_by_kind_and_unit(examples, org, people, client_for):
    client = client_for(people.office)
    page = client.get(reverse("assessment:example_list"), {"kind": "bad"}).content.decode()
    assert examples.bad.title in page and examples.good.title not in page
    page = client.get(reverse("assessment:example_list"), {"unit": org.academic.pk}).content.decode()
    assert examples.good.title in page and examples.hidden.title in page and examples.bad.title not in page
    page = client.get(reverse("assessment:example_list"), {"published": "0"}).content.decode()
    assert examples.hidden.title in page and examples.good.title not in page
    # A stray value is ignored rather than an error.
    assert client.get(reverse("assessment:example_list"), {"unit": "x"}).status_code == 200


# --- The detail -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PARTIAL)
def test_staff_see_the_public_text_and_not_the_people_of_a_bad_example(examples, people, client_for, persona):
    client = client_for(getattr(people, persona))
    page = client.get(detail(examples.bad)).content.decode()
    assert examples.bad.published_summary in page
    assert "孔敷衍" not in page and "三次缺报" not in page
    assert "相关人员" not in page and "通报.pdf" not in page
    assert client.get(evidence(examples.bad)).status_code == 404
    good = client.get(detail(examples.good)).content.decode()
    assert "钱联络" in good and "课程建设总结.pdf" in good
    assert client.get(detail(examples.hidden)).status_code == 404
    assert client.get(evidence(examples.hidden)).status_code == 404


@pytest.mark.parametrize("persona", FULL)
def test_the_office_leaders_and_discipline_see_everything(examples, people, client_for, persona):
    client = client_for(getattr(people, persona))
    page = client.get(detail(examples.bad)).content.decode()
    assert "三次缺报" in page and "孔敷衍" in page and examples.bad.published_summary in page
    assert client.get(detail(examples.hidden)).status_code == 200
    assert ("编辑" in page) == (persona == "office")


def test_evidence_is_an_attachment(examples, people, client_for):
    response = client_for(people.staff).get(evidence(examples.good))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_for(people.office).get(evidence(examples.bad)).status_code == 200


# --- Create, edit, delete ---------------------------------------------------------------------------


def form_data(org, people, **changes):
    data = {
        "kind": "good",
        "title": "整改销号及时",
        "summary": "教务处按期完成全部整改措施。",
        "unit": org.academic.pk,
        "people": [people.head.pk],
        "items": [],
        "recognised_on": "2026-10-20",
        "source": "整改工作推进会",
        "published": "on",
        "published_summary": "",
    }
    data.update(changes)
    return data


def test_office_registers_an_example_with_evidence(org, people, client_for):
    client = client_for(people.office)
    page = client.get(reverse("assessment:example_create")).content.decode()
    assert "佐证材料" in page and "data-filter-for" in page
    upload = SimpleUploadedFile("推进会纪要.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("assessment:example_create"), {**form_data(org, people), "evidence_file": upload})
    example = Example.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(example)
    assert example.created_by == people.office and example.evidence_name == "推进会纪要.pdf"
    assert list(example.people.all()) == [people.head]
    assert not example.evidence.name.endswith("推进会纪要.pdf")  # stored under a random name


def test_evidence_with_the_wrong_content_is_refused(org, people, client_for):
    upload = SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for(people.office).post(
        reverse("assessment:example_create"), {**form_data(org, people), "evidence_file": upload}
    )
    assert response.status_code == 200
    assert "的内容与扩展名不符" in response.content.decode()
    assert not Example.objects.exists()
    upload = SimpleUploadedFile("工具.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client_for(people.office).post(
        reverse("assessment:example_create"), {**form_data(org, people), "evidence_file": upload}
    )
    assert "的类型不允许" in response.content.decode()
    assert not Example.objects.exists()


def test_a_published_bad_example_needs_its_public_text(org, people, client_for):
    response = client_for(people.office).post(
        reverse("assessment:example_create"), form_data(org, people, kind="bad", title="反面")
    )
    assert ERR_BAD_NEEDS_PUBLIC_TEXT in response.content.decode()
    assert not Example.objects.exists()


def test_office_edits_and_deletes(examples, org, people, client_for):
    client = client_for(people.office)
    edit = reverse("assessment:example_edit", args=[examples.good.pk])
    assert "课程建设总结.pdf" in client.get(edit).content.decode()
    data = form_data(org, people, title="一流课程建设成效突出（更新）", published="")
    response = client.post(edit, data)
    assert response.status_code == 302
    examples.good.refresh_from_db()
    assert examples.good.title.endswith("（更新）") and not examples.good.published
    assert examples.good.evidence_name == "课程建设总结.pdf"  # kept when no new file
    delete = reverse("assessment:example_delete", args=[examples.good.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not Example.objects.filter(pk=examples.good.pk).exists()


@pytest.mark.parametrize("persona", ["leader", "discipline", "head", "liaison", "staff", "outsider", "norole"])
def test_only_the_office_writes(examples, org, people, client_for, persona):
    client = client_for(getattr(people, persona))
    assert client.get(reverse("assessment:example_create")).status_code == 403
    assert client.post(reverse("assessment:example_create"), form_data(org, people)).status_code == 403
    assert client.get(reverse("assessment:example_edit", args=[examples.good.pk])).status_code == 403
    assert client.post(reverse("assessment:example_delete", args=[examples.good.pk])).status_code == 403
    assert Example.objects.count() == 3


def test_anonymous_cannot_write(examples, client):
    response = client.post(reverse("assessment:example_delete", args=[examples.good.pk]))
    assert response.status_code == 302 and Example.objects.count() == 3

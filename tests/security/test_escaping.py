"""What a user typed, even a file name, is shown as text: a form field's help text is escaped
unless the code marked it as HTML itself (the password rules list)."""

import datetime

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from duban.assessment.models import Example, ExampleKind
from tests.assessment.conftest import build_review

pytestmark = pytest.mark.django_db

PAYLOAD_NAME = "<img src=x onerror=alert(2)>.pdf"
ESCAPED_NAME = "&lt;img src=x onerror=alert(2)&gt;.pdf"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_field_help_text_is_escaped():
    class Form(forms.Form):
        name = forms.CharField(help_text="已上传：<script>alert(1)</script>")

    html = render_to_string("includes/field.html", {"field": Form()["name"]})
    assert "<script>" not in html
    assert "已上传：&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_password_rules_are_still_a_list(client_for, people):
    html = client_for(people.staff).get(reverse("accounts:password_change")).content.decode()
    assert "<ul><li>" in html and "&lt;ul&gt;" not in html


def test_a_report_file_name_is_shown_as_text(client_for, people, org):
    review = build_review(people, org, open_it=False, subjects=1)
    subject = review.subjects[0]
    edit = reverse("assessment:subject_edit", args=[review.session.pk, subject.pk])
    client = client_for(people.office)
    data = {"order": 1, "name": subject.name, "report_mode": "written"}
    upload = SimpleUploadedFile(PAYLOAD_NAME, PDF, content_type="application/pdf")
    assert client.post(edit, {**data, "report_file": upload}).status_code == 302
    subject.refresh_from_db()
    assert subject.report_name == PAYLOAD_NAME

    html = client.get(edit).content.decode()
    assert "<img src=x" not in html
    assert f"已上传：{ESCAPED_NAME}。" in html


def test_an_evidence_file_name_is_shown_as_text(client_for, people, org):
    example = Example.objects.create(
        kind=ExampleKind.GOOD,
        title="整改销号及时",
        summary="按期完成",
        unit=org.academic,
        recognised_on=datetime.date(2026, 10, 20),
    )
    example.evidence.save("e.pdf", SimpleUploadedFile("e.pdf", PDF), save=False)
    example.evidence_name = PAYLOAD_NAME
    example.save()

    html = client_for(people.office).get(reverse("assessment:example_edit", args=[example.pk])).content.decode()
    assert "<img src=x" not in html
    assert f"已上传：{ESCAPED_NAME}。" in html

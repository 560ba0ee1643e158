"""Evidence files: checked by size, extension and content; downloaded only as attachments,
only by those who can see the item; refused files leave nothing behind."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from duban.lib import uploads
from duban.supervision.models import Attachment, ReportStatus

PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    with time_machine.travel(datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_lead_unit_uploads_and_anyone_who_sees_the_item_downloads(work, people, client_for):
    url = reverse("supervision:attachment_upload", args=[work.teaching.pk])
    client_for(people.liaison).post(url, {"files": [upload("../../方案.pdf", PDF)]})
    attachment = Attachment.objects.get()
    assert attachment.original_name == "方案.pdf" and attachment.uploaded_by == people.liaison
    response = client_for(people.leader).get(reverse("supervision:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_people_who_cannot_see_the_item_get_404(work, people, client_for):
    client_for(people.liaison).post(
        reverse("supervision:attachment_upload", args=[work.teaching.pk]), {"files": [upload("a.pdf", PDF)]}
    )
    attachment = Attachment.objects.get()
    assert (
        client_for(people.taskforce).get(reverse("supervision:attachment_download", args=[attachment.pk])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ\x90\x00", uploads.ERR_TYPE.format(name="run.exe")),
        ("fake.pdf", b"<html><script>alert(1)</script>", uploads.ERR_CONTENT.format(name="fake.pdf")),
        ("page.svg", b"<svg onload=alert(1)>", uploads.ERR_TYPE.format(name="page.svg")),
        ("empty.pdf", b"", uploads.ERR_EMPTY.format(name="empty.pdf")),
    ],
)
def test_bad_files_are_refused_with_a_reason(work, people, client_for, name, content, message):
    response = client_for(people.liaison).post(
        reverse("supervision:attachment_upload", args=[work.teaching.pk]),
        {"files": [upload(name, content)]},
        follow=True,
    )
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_size_limit(work, people, client_for, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = client_for(people.liaison).post(
        reverse("supervision:attachment_upload", args=[work.teaching.pk]),
        {"files": [upload("big.pdf", PDF + b"0" * (1024 * 1024))]},
        follow=True,
    )
    assert "超过 1 MB 的上限" in response.content.decode()


def test_others_cannot_upload_or_delete(work, people, client_for):
    url = reverse("supervision:attachment_upload", args=[work.teaching.pk])
    assert client_for(people.staff).post(url, {"files": [upload("a.pdf", PDF)]}).status_code == 403
    client_for(people.liaison).post(url, {"files": [upload("a.pdf", PDF)]})
    attachment = Attachment.objects.get()
    delete = reverse("supervision:attachment_delete", args=[attachment.pk])
    assert client_for(people.head).post(delete).status_code == 403
    client_for(people.office).post(delete)
    assert not Attachment.objects.exists()


def test_report_with_files_is_all_or_nothing(work, people, client_for):
    report = work.teaching.reports.order_by("-period_start").first()
    url = reverse("supervision:report_fill", args=[report.pk])
    data = {"progress_text": "完成论证", "percent": 30, "save": "1"}
    response = client_for(people.liaison).post(
        url, {**data, "files": [upload("ok.pdf", PDF), upload("bad.pdf", b"not a pdf")]}
    )
    assert uploads.ERR_CONTENT.format(name="bad.pdf") in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN and not Attachment.objects.exists()
    client_for(people.liaison).post(url, {**data, "files": [upload("ok.pdf", PDF)]})
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert Attachment.objects.get().report == report


def test_safe_names():
    assert uploads.safe_name("C:\\Users\\x\\报告.pdf") == "报告.pdf"
    assert uploads.safe_name("\x00\x1f.hidden.pdf") == "hidden.pdf"
    assert len(uploads.safe_name("长" * 300 + ".pdf")) == 120

"""The system administrator imports people from Excel through the browser (a bad row first);
the audit administrator verifies the security-event chain and reads the record history."""

import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from duban.org.demo import load_demo
from duban.org.models import Person
from tests.browser.test_office_clerk import login
from tests.system.smtp_sink import SmtpSink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def people_workbook(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    sheet.append(["姓名", "登录名", "所在单位", "职级", "职务", "手机号", "电子邮箱"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(page, name, content):
    page.locator("input[type=file]").set_input_files(
        {
            "name": name,
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": content,
        }
    )
    page.get_by_role("button", name=re.compile("上传")).click()


def test_sys_admin_imports_people(live_server, page_factory, shot, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    load_demo()
    page = page_factory()
    login(page, live_server.url, "sysadmin")
    page.get_by_role("link", name="导入单位和人员").click()
    expect(page.get_by_role("link", name=re.compile("模板"))).to_be_visible()
    shot(page, "20-import-upload")

    bad = people_workbook([["甲新人", "jia01", "教务处", "科员"], ["乙新人", "yi01", "不存在的处", "处长"]])
    upload(page, "people.xlsx", bad)
    expect(page.get_by_text(re.compile("不存在的处"))).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    shot(page, "21-import-preview-errors")
    assert not Person.objects.filter(username="jia01").exists()

    page.goto(live_server.url + "/org/import/")
    good = people_workbook([["甲新人", "jia01", "教务处", "科员"], ["乙新人", "yi01", "人事处", "正处级"]])
    upload(page, "people.xlsx", good)
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("jia01").first).to_be_visible()
    shot(page, "22-import-done")
    assert Person.objects.get(username="yi01").unit.name == "人事处"
    assert Person.objects.get(username="jia01").must_change_password
    assert page.console_errors == [], page.console_errors


def test_audit_admin_verifies_the_chain(live_server, page_factory, shot):
    load_demo()
    admin = page_factory()
    login(admin, live_server.url, "sysadmin")
    admin.goto(live_server.url + "/system/")
    admin.get_by_label("系统名称").fill("督查督办管理平台")
    admin.get_by_role("button", name="保存设置").click()
    expect(admin.get_by_text("系统设置已保存。")).to_be_visible()
    # The mail server, with a password that is encrypted and never shown again.
    sink = SmtpSink()
    try:
        admin.get_by_label("启用此邮件服务器").check()
        admin.get_by_label("SMTP 服务器").fill("127.0.0.1")
        admin.get_by_role("spinbutton", name="端口").fill(str(sink.port))
        admin.get_by_label("不加密（端口 25）").check()
        admin.get_by_role("textbox", name="账号").fill("duban@example.edu.cn")
        admin.get_by_label("口令", exact=True).fill("Auth-Code-2026")
        admin.get_by_label("发件人地址").fill("duban@example.edu.cn")
        admin.get_by_role("button", name="保存邮件设置").click()
        expect(admin.get_by_text("邮件服务器设置已保存。")).to_be_visible()
        expect(admin.get_by_text("已保存口令（加密存放，不再显示）。")).to_be_visible()
        assert "Auth-Code-2026" not in admin.content()
        admin.get_by_label("收件地址").fill("office@example.edu.cn")
        admin.get_by_role("button", name="发送测试邮件").click()
        expect(admin.get_by_text("测试邮件已发往 office@example.edu.cn，请查收。")).to_be_visible()
        shot(admin, "25-mail-settings")
        assert sink.logins == [("duban@example.edu.cn", "Auth-Code-2026")]
    finally:
        sink.close()

    page = page_factory()
    login(page, live_server.url, "auditadmin")
    page.get_by_role("link", name="安全审计日志").click()
    expect(page.locator("table").get_by_text("修改系统设置").first).to_be_visible()
    page.get_by_role("button", name="校验审计链").click()
    expect(page.get_by_text(re.compile("审计链完好"))).to_be_visible()
    shot(page, "23-audit-events")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出（JSON Lines）").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert any(json.loads(line)["kind"] == "settings_changed" for line in lines)
    page.get_by_role("link", name="数据变更记录").click()
    expect(page.get_by_text(re.compile("督查督办管理平台")).first).to_be_visible()
    shot(page, "24-audit-history")
    assert page.console_errors == [] and admin.console_errors == []

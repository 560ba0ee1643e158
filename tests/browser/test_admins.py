"""The system administrator adds a unit (and sees a forgiving error first); the security
administrator grants a role; a new person is forced to change the initial password."""

import re

import pytest
from playwright.sync_api import expect

from duban.org.demo import load_demo
from duban.org.models import Person, RoleGrant, Unit
from tests.browser.test_office_clerk import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sys_admin_adds_a_unit(live_server, page_factory, shot):
    load_demo()
    page = page_factory()
    login(page, live_server.url, "sysadmin")
    page.goto(live_server.url + "/org/units/new/")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("请修改以下问题后再提交")).to_be_visible()
    shot(page, "10-unit-form-errors")
    page.get_by_label("单位名称").fill("质量管理处")
    page.get_by_label("上级单位").select_option(label="江城航空学院")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name=re.compile("质量管理处"))).to_be_visible()
    expect(page.get_by_text("单位“质量管理处”已保存。")).to_be_visible()
    assert Unit.objects.get(name="质量管理处").parent.name == "江城航空学院"
    assert page.console_errors == [], page.console_errors


def test_sec_admin_grants_and_new_person_changes_password(live_server, page_factory, shot):
    load_demo()
    person = Person.objects.create_user(username="xinren", password="Initial-Pass1", name="新入职", unit=None)
    page = page_factory()
    login(page, live_server.url, "secadmin")
    page.goto(live_server.url + f"/org/grants/?person={person.pk}")
    page.locator("#id_role").select_option(label="督查办")
    page.get_by_role("button", name="授予").click()
    expect(page.get_by_text(re.compile("已授予"))).to_be_visible()
    shot(page, "11-person-after-grant")
    assert RoleGrant.objects.filter(person=person, role="office").exists()

    other = page_factory()
    other.goto(live_server.url + "/")
    other.get_by_label("登录名").fill("xinren")
    other.get_by_label("密码").fill("Initial-Pass1")
    other.get_by_role("button", name="登录").click()
    expect(other).to_have_url(re.compile(r"/accounts/password/"))
    other.get_by_label("当前密码").fill("Initial-Pass1")
    other.locator("#id_new_password1").fill("abcdefgh1")
    other.get_by_label("再次输入新密码").fill("abcdefgh1")
    other.get_by_role("button", name="保存新密码").click()
    expect(other.get_by_text("密码须包含大写字母、小写字母、数字和符号中的至少三类。").first).to_be_visible()
    shot(other, "12-password-rules")
    other.get_by_label("当前密码").fill("Initial-Pass1")
    other.locator("#id_new_password1").fill("Better-Pass2")
    other.get_by_label("再次输入新密码").fill("Better-Pass2")
    other.get_by_role("button", name="保存新密码").click()
    expect(other.get_by_role("heading", name="我的工作")).to_be_visible()
    expect(other.get_by_text("待我审核")).to_be_visible()
    assert page.console_errors == [] and other.console_errors == []

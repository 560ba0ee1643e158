"""An administrator's first login binds an authenticator app; the next login asks for its code;
the security administrator resets it when the phone is lost."""

import re

import pytest
from playwright.sync_api import expect

from duban.org.demo import DEMO_PASSWORD, load_demo
from tests.browser.test_office_clerk import current_code, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_administrator_binds_an_authenticator_and_is_asked_for_it(live_server, page_factory, shot):
    load_demo()
    base = live_server.url
    page = page_factory()
    password_step(page, base, "auditadmin")
    expect(page).to_have_url(re.compile(r"/accounts/otp/setup/"))
    expect(page.get_by_role("heading", name="启用两步验证")).to_be_visible()
    expect(page.locator(".db-otp-qr svg")).to_be_visible()
    expect(page.get_by_label("密钥")).to_contain_text(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$"))
    shot(page, "70-otp-setup")
    page.get_by_label("验证码").fill("12345")
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_text("验证码不正确或已过期")).to_be_visible()
    page.wait_for_timeout(1100)  # a failed code holds the next try back a second
    page.get_by_label("验证码").fill(current_code("auditadmin"))
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_text("两步验证已启用")).to_be_visible()
    page.goto(base + "/audit/events/")
    expect(page.get_by_role("cell", name="启用两步验证").first).to_be_visible()
    assert page.console_errors == [], page.console_errors

    # The next login: password, then the code.
    again = page_factory(width=390, height=844)
    password_step(again, base, "auditadmin")
    expect(again).to_have_url(re.compile(r"/accounts/otp/\?next="))
    expect(again.get_by_text("请打开手机上的身份验证器")).to_be_visible()
    shot(again, "71-otp-verify-phone")

    # The phone is lost: the security administrator resets it; the next login binds again.
    sec = page_factory()
    login(sec, base, "secadmin")
    sec.goto(base + "/org/people/?q=auditadmin")
    sec.get_by_role("link", name=re.compile("郑鹏明|审计管理员")).first.click()
    sec.get_by_role("button", name="重置两步验证").click()
    expect(sec.get_by_text("已重置")).to_be_visible()
    shot(sec, "72-otp-reset")
    third = page_factory()
    password_step(third, base, "auditadmin")
    expect(third).to_have_url(re.compile(r"/accounts/otp/setup/"))

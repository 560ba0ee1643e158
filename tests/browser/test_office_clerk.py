"""The office clerk signs in, sees 我的工作 and browses the unit tree (screenshots in var/screenshots/)."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from duban.org.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("登录名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    pass_second_factor(page, username)


def current_code(username) -> str:
    """What the person's authenticator app shows now (the newest device: the one being enrolled)."""
    device = TOTPDevice.objects.filter(user__username=username).order_by("-id").first()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def pass_second_factor(page, username):
    """An administrator is asked to enrol an authenticator (first login) or for its code."""
    if "/accounts/otp/" not in page.url:
        return
    page.get_by_label("验证码").fill(current_code(username))
    page.get_by_role("button", name=re.compile("完成绑定|验证")).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/otp/"))


def test_office_clerk_home_and_unit_tree(live_server, page_factory, shot):
    load_demo()
    page = page_factory()
    login(page, live_server.url, "office")

    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()
    expect(page.get_by_text("待我审核")).to_be_visible()
    shot(page, "01-office-home")

    page.get_by_role("link", name="单位", exact=True).first.click()
    expect(page.get_by_role("heading", name="单位")).to_be_visible()
    expect(page.get_by_role("link", name="机关党委")).to_be_visible()
    page.get_by_role("button", name="全部展开").click()
    expect(page.get_by_role("link", name="航空运输系党支部")).to_be_visible()
    shot(page, "02-unit-tree")

    page.get_by_label("查找单位").fill("联络组")
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_text("找到 7 个单位")).to_be_visible()
    page.get_by_role("link", name="第一联络组").click()
    expect(page.get_by_role("heading", name=re.compile("第一联络组"))).to_be_visible()
    expect(page.get_by_role("link", name="航空运输系党支部")).to_be_visible()
    shot(page, "03-grid-group")

    page.get_by_role("link", name="人员", exact=True).first.click()
    expect(page.get_by_text(re.compile(r"共 \d+ 人符合条件"))).to_be_visible()
    shot(page, "04-people")

    assert page.console_errors == [], page.console_errors


def test_home_on_a_phone(live_server, page_factory, shot):
    load_demo()
    page = page_factory(390, 844)
    login(page, live_server.url, "unithead")
    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()
    shot(page, "05-phone-home")
    page.get_by_role("button", name="打开导航").click()
    expect(page.locator("#db-sidebar.show")).to_be_visible()
    expect(page.get_by_role("link", name="单位", exact=True)).to_be_visible()
    page.wait_for_timeout(400)  # let the slide-in finish before the screenshot
    shot(page, "06-phone-nav")
    assert page.console_errors == [], page.console_errors

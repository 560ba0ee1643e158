"""manage.py create_api_token."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from duban.accounts.models import ApiToken, token_digest

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_only_the_token(people):
    out, err = _run("head", "--name", "数据同步")
    raw = out.strip()
    assert out == raw + "\n"
    assert raw.startswith("dbn_")
    token = ApiToken.objects.get(person=people.head)
    assert token.digest == token_digest(raw)
    assert token.name == "数据同步"
    assert err == ""
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/me")
    assert response.json()["username"] == "head"


def test_default_name(people):
    _run("head")
    assert ApiToken.objects.get(person=people.head).name == "命令行创建"


def test_unknown_user(people):
    with pytest.raises(CommandError, match="不存在"):
        _run("nobody")
    assert not ApiToken.objects.exists()


def test_inactive_user(people):
    people.head.is_active = False
    people.head.save()
    with pytest.raises(CommandError, match="已停用"):
        _run("head")
    assert not ApiToken.objects.exists()


def test_warns_when_the_password_must_be_changed(people):
    people.head.must_change_password = True
    people.head.save()
    out, err = _run("head")
    assert out.strip().startswith("dbn_")
    assert "修改初始密码" in err


def test_exit_status_from_the_command_line(people, monkeypatch, capsys):
    """As from a shell: Chinese message on stderr, non-zero status, nothing on stdout."""
    import django.core.management.base as base

    from duban.accounts.management.commands.create_api_token import Command

    # run_from_argv closes every connection when done; keep the test's transaction open.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "create_api_token", "nobody"])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert "登录名“nobody”不存在。" in captured.err
    assert captured.out == ""

"""Security baseline: response headers, the deployment checklist, and templates that
the strict Content-Security-Policy does not break."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(settings.BASE_DIR)
TEMPLATE_ROOT = ROOT / "duban"
VENDOR = TEMPLATE_ROOT / "static" / "vendor"

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=\s*[\"']", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


def _csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("logged_in", [False, True])
def test_page_headers(people, client_for, logged_in):
    client = client_for(people.office) if logged_in else Client()
    response = client.get("/" if logged_in else "/accounts/login/")
    assert response.status_code == 200

    csp = _csp_directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_error_pages_carry_the_headers_too(people, client_for):
    response = client_for(people.staff).get("/system/")
    assert response.status_code == 403
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_deploy_checklist_passes_with_https():
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DUBAN_HTTPS": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "duban.example.edu.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "?:" not in output, output
    assert "System check identified no issues" in output, output


def _templates():
    for path in sorted(TEMPLATE_ROOT.rglob("*.html")):
        if VENDOR in path.parents:
            continue
        yield path


def test_there_are_templates_to_scan():
    names = {p.relative_to(ROOT).as_posix() for p in _templates()}
    assert "duban/templates/base.html" in names
    assert "duban/audit/templates/audit/events.html" in names


def test_templates_have_no_inline_script_style_or_handlers():
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        for label, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("event-handler attribute", EVENT_HANDLER),
            ('style="" attribute', STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("javascript: URL", JAVASCRIPT_URL),
        ):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{name}:{line}: {label}: {match.group(0).strip()}")
    assert not problems, "Templates that break the Content-Security-Policy:\n" + "\n".join(problems)


def test_scanner_catches_what_it_should():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/duban.js" defer></script>')
    assert EVENT_HANDLER.search('<button onclick="x()">')
    assert EVENT_HANDLER.search('<img src="a.png" onerror = "x()">')
    assert EVENT_HANDLER.search('<div hx-on:click="x()">')
    assert not EVENT_HANDLER.search('<form data-confirm="确定？" action="/x/">')
    assert STYLE_ATTRIBUTE.search('<div style="color: red">')
    assert not STYLE_ATTRIBUTE.search('<div class="db-card" data-style="x">')

"""The statistics page in the browser: the chart draws under the CSP without console errors."""

import pytest
import time_machine
from django.urls import reverse

from tests.rectification.conftest import FROZEN, rect  # noqa: F401  (the fixture plan)
from tests.rectification.test_stats import make_history


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_stats_page_in_the_browser(rect, people, live_server, page_factory, shot):  # noqa: F811
    """The chart draws under the CSP without console errors (screenshot in var/screenshots/)."""
    from django.conf import settings
    from django.test import Client

    with time_machine.travel(FROZEN, tick=False):
        make_history(rect, people)
    client = Client()
    client.force_login(people.office, backend="django.contrib.auth.backends.ModelBackend")
    page = page_factory()
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
    page.context.add_cookies([{**cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}{reverse('rectification:stats')}?plan={rect.plan.pk}")
    page.wait_for_selector("[data-rect-chart] canvas")
    shot(page, "rect-stats")
    assert page.console_errors == []

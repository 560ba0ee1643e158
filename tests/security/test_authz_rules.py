"""The rules the authorisation matrix must obey, whatever is recorded in it.

The matrix (authz_matrix.txt) is checked against the running application by
test_authz_matrix.py; these tests check the matrix itself against the access rules the product
promises, so that re-recording it cannot quietly open a door.
"""

from tests.security import matrix

ROWS = matrix.read()
REACHED = matrix.REACHED

# What anyone may open without logging in: the login page, the ballot pages (a voting code is
# the credential), the public disclosure page and the calendar feed (a secret token in the URL).
PUBLIC = {
    "accounts:login",
    "vote:start",
    "vote:check",
    "vote:ballot",
    "vote:report",
    "rectification:public_page",
    "ical:feed",
}

# Business namespaces the three administrators (三员) have no part in.
BUSINESS = ("supervision:", "rectification:", "assessment:", "minutes:", "meetings:")
BUSINESS_API = ("/api/plans", "/api/items", "/api/reports", "/api/notices", "/api/rectification", "/api/meetings")
ADMIN_PERSONAL = {
    # Their own lists, which are empty for them.
    "supervision:my_reports",
    "assessment:example_list",
    # Pages reached with a token, which say the token is not theirs.
    "meetings:sign_in",
    "rectification:public_page",
    # The sample decision is refused (422) before the report or deferral is looked up.
    "/api/reports/{report_id}/review",
    "/api/deferrals/{deferral_id}/decide",
    # The list of published examples, empty to them.
    "/api/assessment/examples",
}

# Routes naming an object that 何后勤 (head of a unit no object involves) may still open, and why.
STRANGER_MAY = {
    # Every unit head follows the institution's plans: their pages, league tables, battle map,
    # weekly summary, circulars and exports (items shown are filtered to what they may see).
    **dict.fromkeys(
        [
            "supervision:plan_detail",
            "supervision:plan_dashboard",
            "supervision:league_table",
            "supervision:league_table_export",
            "supervision:battle_map",
            "supervision:battle_map_data",
            "supervision:weekly_summary",
            "supervision:weekly_xlsx",
            "supervision:weekly_docx",
            "supervision:meeting_pack",
            "supervision:ledger_export",
            "supervision:circular_list",
            "supervision:circular_detail",
            "supervision:circular_docx",
            "/api/plans/{plan_id}",
            "/api/plans/{plan_id}/items",
            "/api/plans/{plan_id}/dashboard",
            "/api/plans/{plan_id}/league",
            "/api/plans/{plan_id}/lagging-units",
            "/api/plans/{plan_id}/battle-map",
            "/api/plans/{plan_id}/weekly",
            "/api/plans/{plan_id}/circulars",
        ],
        "institution-wide plan pages",
    ),
    # The rectification ledger is open to unit heads; findings and measures not theirs are not.
    **dict.fromkeys(
        [
            "rectification:ledger",
            "rectification:ledger_export",
            "rectification:round_list",
            "rectification:round_detail",
            "rectification:round_report",
            "rectification:disclosure_page",
            "rectification:feedback_send",
            "/api/rectification/plans/{plan_id}",
            "/api/rectification/plans/{plan_id}/lookback",
            "/api/rectification/plans/{plan_id}/disclosure",
            "/api/rectification/plans/{plan_id}/feedback",
            "/api/rectification/lookback/{round_id}",
            "/api/rectification/lookback/{round_id}/report",
            "/api/rectification/checklists/{measure_type}",
        ],
        "the rectification plan's ledger and disclosure",
    ),
    # The directory of units and people (contact details are masked by can_see_contact).
    **dict.fromkeys(
        ["org:unit_detail", "org:person_detail", "/api/units/{unit_id}", "/api/people/{person_id}"],
        "the directory",
    ),
    **dict.fromkeys(["vote:ballot", "vote:report", "rectification:public_page", "ical:feed"], "public, by token"),
    "meetings:sign_in": "the door page says the person is not invited",
    "leave:act": "the empty decision is refused before the step is looked up; the service checks the assignee",
    "/api/reports/{report_id}/review": "the sample decision is refused (422) before the report is looked up",
    "/api/deferrals/{deferral_id}/decide": "the sample decision is refused (422) before the deferral is looked up",
}

# Routes no persona of the matrix reaches, and why.
NOBODY = {
    "accounts:logout": "logging out redirects to the login page, which the matrix reads as refused",
    "assessment:result_docx": "results are exported after the session closes (tests/assessment/test_result_views.py)",
    "assessment:result_xlsx": "results are exported after the session closes (tests/assessment/test_result_views.py)",
    "leave:balances": "kept by the personnel office's clerk (tests/leave/test_balances.py)",
    "org:import_preview": "the matrix's upload token has expired",
    "/api/assessment/periods/{pk}/scores": "assessors score a published period; the matrix's period is a draft",
    "supervision:ledger_import_preview": "the matrix's upload token has expired",
}


def reached(code: str) -> set[str]:
    return {key for (key, _method), cells in ROWS.items() if cells[code] in REACHED}


def test_the_matrix_is_recorded():
    assert len(ROWS) > 500
    assert all("?" not in cells.values() for cells in ROWS.values())


def test_anonymous_reaches_only_the_public_pages():
    assert reached("a") == PUBLIC


def test_the_api_refuses_anonymous_callers_everything():
    cells = {(key, method): c["a"] for (key, method), c in ROWS.items() if key.startswith("/api/")}
    assert set(cells.values()) == {"-"}


def test_only_the_audit_administrator_reads_the_audit_log():
    for code in matrix.CODES:
        audit = {key for key in reached(code) if key.startswith("audit:")}
        assert audit == ({"audit:events", "audit:export", "audit:history", "audit:verify"} if code == "U" else set()), (
            code
        )


def test_only_the_security_administrator_grants_roles_and_unlocks_accounts():
    for key in (
        "org:grants",
        "org:grant_revoke",
        "org:person_unlock",
        "org:person_reset_password",
        "org:person_reset_otp",
    ):
        assert {code for code in matrix.CODES if key in reached(code)} == {"C"}, key


def test_only_the_system_administrator_configures():
    for key in (
        *("system:settings", "system:mail", "system:mail_test"),
        *("org:unit_create", "org:unit_edit", "org:person_create", "org:person_edit"),
    ):
        assert {code for code in matrix.CODES if key in reached(code)} == {"S"}, key


def test_the_three_administrators_have_no_part_in_the_business():
    for code in "SCU":
        business = {
            key
            for key in reached(code)
            if key.startswith(BUSINESS) or (key.startswith(BUSINESS_API) and key not in ADMIN_PERSONAL)
        }
        assert business <= ADMIN_PERSONAL, (code, sorted(business - ADMIN_PERSONAL))


def _names_an_object(key: str) -> bool:
    from tests.security.routes import page_kwargs_names

    return "{" in key if key.startswith("/api/") else key in page_kwargs_names()


def test_a_person_of_an_uninvolved_unit_reaches_no_object_outside_the_open_pages():
    opened = {key for key in reached("y") if _names_an_object(key)}
    assert opened <= set(STRANGER_MAY), sorted(opened - set(STRANGER_MAY))


def test_an_account_without_a_role_reaches_no_object_and_no_business_page():
    opened = {key for key in reached("n") if _names_an_object(key) or key.startswith(BUSINESS)}
    allowed = {
        "assessment:example_list",  # the good examples published to all staff
        "vote:ballot",
        "vote:report",
        "rectification:public_page",
        "ical:feed",
        "meetings:sign_in",
        "leave:act",
        "/api/reports/{report_id}/review",
        "/api/deferrals/{deferral_id}/decide",
    }
    assert opened <= allowed, sorted(opened - allowed)


def test_every_route_is_reached_by_someone():
    """A route nobody reaches usually means the matrix names the wrong object."""
    keys = {key for key, _method in ROWS}
    anyone = set().union(*(reached(code) for code in matrix.CODES))
    assert keys - anyone == set(NOBODY), sorted((keys - anyone) ^ set(NOBODY))

"""Every route of the product, read from the URL configuration and the API schema, with the
object of the world (tests/security/world.py) each one names.

A route nobody taught this module to fill fails the matrix test, so a new view or endpoint cannot
arrive without a row in the matrix.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Routes the matrix does not request, and why.
SKIPPED = {
    "api:api-root": "ninja's root pattern; every operation is in the matrix, read from the schema",
}
# The API's operations are checked one by one from its schema; of its URL names only the schema
# and its documentation page are pages.
API_NAMESPACE = "api"
API_PAGES = {"api:openapi-json", "api:openapi-view"}


@dataclass(frozen=True)
class Route:
    key: str  # a URL name ("supervision:item_detail") or an API path ("/api/items/{item_id}")
    method: str
    path: str  # concrete path with the world's ids
    body: dict | None = None
    form: bool = False  # send `body` as form data rather than JSON

    @property
    def is_api(self) -> bool:
        return self.key.startswith("/api/")


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern)


def page_names() -> list[str]:
    """Every named page of the URL configuration outside the API."""
    names = []
    for name, route in _walk(get_resolver()):
        if name is None:
            raise AssertionError(f"URL {route!r} has no name, so the authorisation matrix cannot list it")
        if name in SKIPPED or (name.split(":")[0] == API_NAMESPACE and name not in API_PAGES):
            continue
        names.append(name)
    return sorted(set(names))


def page_kwargs_names() -> set[str]:
    """Pages whose URL names an object (or carries a token)."""
    return {name for name, route in _walk(get_resolver()) if name and "<" in route}


def _each(prefix: str, names: str, kwargs: dict) -> dict:
    return {prefix + name: kwargs for name in names.split()}


def page_kwargs(w) -> dict:
    """URL name -> the keyword arguments naming the world's object."""
    people, org, work, rect = w.people, w.org, w.work, w.rect
    item, plan = work.teaching, work.plan
    session, meeting = w.review.session, w.meeting.meeting
    by_item = {"pk": item.pk}
    return {
        "accounts:token_revoke": {"pk": w.api_token.pk},
        "org:unit_detail": {"pk": org.academic.pk},
        "org:unit_edit": {"pk": org.academic.pk},
        "org:person_detail": {"pk": people.liaison.pk},
        "org:person_edit": {"pk": people.liaison.pk},
        "org:person_unlock": {"pk": people.liaison.pk},
        "org:person_reset_password": {"pk": people.liaison.pk},
        "org:person_reset_otp": {"pk": people.liaison.pk},
        "org:grant_revoke": {"pk": w.grant.pk},
        "org:import_preview": {"token": "expired-token"},
        # Supervision
        **_each(
            "supervision:",
            "plan_detail plan_edit plan_phases plan_dashboard league_table league_table_export battle_map "
            "battle_map_data weekly_summary weekly_xlsx weekly_docx meeting_pack ledger_export ledger_import "
            "ledger_import_template",
            {"pk": plan.pk},
        ),
        "supervision:ledger_import_preview": {"pk": plan.pk, "token": "expired-token"},
        **_each(
            "supervision:",
            "item_create circular_list circular_create ladder ladder_add ladder_reset",
            {"plan_pk": plan.pk},
        ),
        **_each(
            "supervision:",
            "item_detail item_edit item_nodes item_complete item_reopen deferral_request attachment_upload "
            "item_urge notice_create warning_create accountability_create instruction_create item_indicators",
            by_item,
        ),
        "supervision:node_done": {"pk": w.node.pk},
        "supervision:report_fill": {"pk": w.report.pk},
        "supervision:report_submit": {"pk": w.report.pk},
        "supervision:report_review": {"pk": w.report.pk},
        "supervision:deferral_decide": {"pk": w.deferral.pk},
        "supervision:attachment_download": {"pk": w.attachment.pk},
        "supervision:attachment_delete": {"pk": w.attachment.pk},
        "supervision:notice_detail": {"pk": w.notice.pk},
        "supervision:notice_docx": {"pk": w.notice.pk},
        "supervision:notice_answer": {"pk": w.notice.pk},
        "supervision:notice_close": {"pk": w.notice.pk},
        "supervision:accountability_file": {"pk": w.accountability.pk},
        "supervision:circular_detail": {"pk": w.circular.pk},
        "supervision:circular_docx": {"pk": w.circular.pk},
        "supervision:rung_delete": {"pk": w.rung.pk},
        # Rectification: most pages name the plan; the disclosure settings and the Excel round
        # trip name its rectification profile.
        **_each(
            "rectification:",
            "ledger plan_edit finding_create round_list round_open disclosure_page feedback_send",
            {"pk": rect.plan.pk},
        ),
        **_each("rectification:", "disclosure_settings ledger_export ledger_import", {"pk": rect.profile.pk}),
        "rectification:finding_detail": {"pk": rect.f1.pk},
        "rectification:finding_edit": {"pk": rect.f1.pk},
        "rectification:measure_create": {"finding_pk": rect.f1.pk},
        **_each("rectification:", "measure_detail measure_edit measure_document", {"pk": rect.deadline.pk}),
        "rectification:closure_request": {"pk": rect.rule.pk},
        "rectification:closure_review": {"pk": w.closure.pk},
        "rectification:closure_approve": {"pk": w.closure.pk},
        "rectification:recheck_record": {"pk": w.recheck.pk},
        **_each(
            "rectification:", "round_detail round_checklist round_finding round_close round_report", {"pk": w.round.pk}
        ),
        "rectification:round_review": {"pk": w.round.pk, "measure_pk": rect.deadline.pk},
        "rectification:public_page": {"token": rect.profile.public_token},
        "rectification:feedback_handle": {"pk": w.feedback.pk},
        "minutes:review": {"pk": w.minutes.pk},
        # Assessment
        **_each(
            "assessment:",
            "session_detail session_edit subjects scale groups session_open session_close session_reopen codes "
            "screen turnout turnout_live paper_index paper_enter result result_xlsx result_docx",
            {"pk": session.pk},
        ),
        **_each("assessment:subject_", "edit delete report", {"pk": session.pk, "sid": w.subject.pk}),
        "assessment:batch_void": {"pk": session.pk, "bid": w.batch.pk},
        "assessment:paper_resolve": {"pk": session.pk, "gid": w.group.pk, "slip": 1},
        **_each("assessment:period_", "detail edit rules publish unpublish scores close xlsx", {"pk": w.period.pk}),
        **_each("assessment:example_", "detail edit delete evidence", {"pk": w.example.pk}),
        "vote:ballot": {"code": w.codes[0]},
        "vote:report": {"code": w.codes[0], "sid": w.subject.pk},
        # Meetings
        **_each(
            "meetings:",
            "meeting_detail meeting_edit invitees announce cancel respond agenda pack attendance door door_qr "
            "leave_request close decisions decisions_to_items",
            {"pk": meeting.pk},
        ),
        "meetings:slot_edit": {"pk": meeting.pk, "sid": w.slot.pk},
        "meetings:sign_in": {"pk": meeting.pk, "token": meeting.sign_in_token},
        "meetings:leave_decide": {"pk": meeting.pk, "lid": w.meeting_leave.pk},
        "meetings:leave_withdraw": {"pk": meeting.pk, "lid": w.meeting_leave.pk},
        # Leave
        "leave:request_detail": {"pk": w.absence.pk},
        "leave:withdraw": {"pk": w.absence.pk},
        "leave:record_return": {"pk": w.absence.pk},
        "leave:act": {"pk": w.absence.pk, "sid": w.step.pk},
        "leave:delegation_revoke": {"did": w.delegation.pk},
        "leave:type_edit": {"tid": w.absence_type.pk},
        "ical:feed": {"token": w.ical_token},
        "notify:open": {"pk": w.message.pk},
    }


# --- The API ---------------------------------------------------------------------------------


def api_schema() -> dict:
    from duban.api.api import api

    return api.get_openapi_schema()


def api_operations(schema: dict) -> list[tuple[str, str, dict]]:
    """(METHOD, path template, operation) for every operation of the schema."""
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def api_params(w, path: str) -> dict:
    """Path parameter -> the world's object, read from where it sits in the path."""
    rect, people = w.rect, w.people
    section = path.split("/")[2]
    if section == "rectification":
        plan_id = rect.plan.pk
    else:
        plan_id = w.work.plan.pk
    pk = {
        "assessment": w.period.pk if "/periods/" in path else w.example.pk if "/examples/" in path else None,
        "meetings": w.meeting.meeting.pk,
        "leave": w.absence.pk,
    }.get(section)
    if section == "assessment" and "/sessions/" in path:
        pk = w.review.session.pk
    values = {
        "unit_id": w.org.academic.pk,
        "person_id": people.liaison.pk,
        "plan_id": plan_id,
        "item_id": w.work.teaching.pk,
        "node_id": w.node.pk,
        "report_id": w.report.pk,
        "deferral_id": w.deferral.pk,
        "notice_id": w.notice.pk,
        "rung_id": w.rung.pk,
        "message_id": w.message.pk,
        "finding_id": rect.f1.pk,
        "measure_id": rect.rule.pk if path.endswith("/closure") else rect.deadline.pk,
        "measure_type": "deadline",
        "closure_id": w.closure.pk,
        "recheck_id": w.recheck.pk,
        "round_id": w.round.pk,
        "template_id": w.template.pk,
        "feedback_id": w.feedback.pk,
        "pk": pk,
        "gid": w.group.pk,
        "lid": w.meeting_leave.pk,
        "sid": w.step.pk if section == "leave" else w.slot.pk,
        # Fields of request bodies that name objects.
        "lead_unit_id": w.org.academic.pk,
        "owner_unit_id": w.org.office.pk,
        "parent_id": w.org.school.pk,
        "responsible_person_id": people.liaison.pk,
        "patron_leader_id": people.leader.pk,
    }
    return values


def api_path(w, template: str) -> str:
    values = api_params(w, template)
    path = template
    for name in [part[1:-1] for part in template.split("/") if part.startswith("{")]:
        value = values.get(name)
        if value is None:
            raise AssertionError(f"the matrix does not know which object {name} names in {template}")
        path = path.replace("{" + name + "}", str(value))
    return path


# Values for required fields, by JSON-schema type and format: plausible for a clerk's input.
SAMPLE = {
    ("string", "date"): "2026-11-30",
    ("string", "date-time"): "2026-11-30T09:00:00+08:00",
    ("string", "email"): "someone@example.edu.cn",
    ("string", None): "测试内容",
    ("integer", None): 1,
    ("number", None): 1,
    ("boolean", None): False,
}


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].split("/")[-1]
        node = schema["components"]["schemas"][name]
    return node


# An id that names nothing: the same answer on every database, whatever its sequences are at.
NO_SUCH_ID = 987654321


def sample(schema: dict, node: dict, depth: int = 0, ids: dict | None = None):
    """A minimal value satisfying `node`: required fields only, first choices; a field naming an
    object (`unit_id`) gets the world's object from `ids`, or an id that names nothing."""
    ids = ids or {}
    node = _resolve(schema, node)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if _resolve(schema, o).get("type") != "null"]
            return sample(schema, options[0], depth, ids) if options else None
    if "enum" in node:
        return node["enum"][0]
    if "default" in node and depth:
        return node["default"]
    kind = node.get("type", "object")
    if kind == "object":
        properties = node.get("properties", {})
        required = node.get("required", [])
        return {
            name: ids.get(name, NO_SUCH_ID)
            if name.endswith("_id")
            else sample(schema, properties[name], depth + 1, ids)
            for name in required
        }
    if kind == "array":
        return []
    value = SAMPLE.get((kind, node.get("format")), SAMPLE.get((kind, None)))
    if kind == "string" and node.get("maxLength"):
        value = value[: node["maxLength"]]
    if kind in ("integer", "number") and "minimum" in node:
        value = max(value, node["minimum"])
    return value


def api_routes(w, schema: dict) -> list[Route]:
    routes = []
    for method, template, operation in api_operations(schema):
        body, form = None, False
        params = api_params(w, template)
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = sample(schema, content["application/json"]["schema"], ids=params)
        elif content:
            form = True
            body = sample(schema, next(iter(content.values()))["schema"], ids=params)
        routes.append(Route(template, method, api_path(w, template), body, form))
    return routes


def page_routes(w) -> list[Route]:
    from django.urls import NoReverseMatch, reverse

    kwargs = page_kwargs(w)
    routes = []
    for name in page_names():
        try:
            path = reverse(name, kwargs=kwargs.get(name))
        except NoReverseMatch as error:
            raise AssertionError(
                f"{name}: tests/security/routes.py does not say which object of the world this URL names"
            ) from error
        routes += [Route(name, "GET", path), Route(name, "POST", path)]
    return routes

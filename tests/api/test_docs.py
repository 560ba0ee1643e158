"""The OpenAPI schema and the offline Swagger UI page."""

import json
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATHS = {"/api/me", "/api/units", "/api/units/{unit_id}", "/api/people", "/api/people/{person_id}"}


def test_openapi_json(people, client_for):
    response = client_for(people.staff).get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "duban API"
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) >= PATHS
    assert set(schema["paths"]["/api/units"]) == {"get", "post"}
    assert set(schema["paths"]["/api/people/{person_id}"]) == {"get", "patch"}
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    assert not any("assets" in path for path in schema["paths"])


def test_openapi_json_with_a_token(people, api_for):
    assert api_for(people.norole).get("/api/openapi.json").status_code == 200


def test_openapi_json_needs_a_signed_in_person(people):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效。"}
    bad = Client(headers={"Authorization": "Bearer dbn_wrong"}).get("/api/openapi.json")
    assert bad.status_code == 401


def test_docs_page_sends_strangers_to_login(people):
    response = Client().get("/api/docs")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_docs_page_is_offline_and_csp_clean(people, client_for):
    client = client_for(people.staff)
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "cdn" not in html.lower()
    assert "http://" not in html and "https://" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attrs, body in scripts:
        # Either an external same-origin file, or a JSON data block (never executed).
        assert ('src="/api/' in attrs and not body.strip()) or 'type="application/json"' in attrs
    settings = json.loads(re.search(r'id="swagger-settings" type="application/json">(.*?)</script>', html, re.S)[1])
    assert settings["url"] == "/api/openapi.json"
    for src in re.findall(r'(?:src|href)="(/api/[^"]+)"', html):
        asset = client.get(src)
        assert asset.status_code == 200, src
        assert b"".join(asset.streaming_content)


def test_docs_assets_are_public_but_limited(people):
    client = Client()
    response = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "max-age" in response["Cache-Control"]
    assert client.get("/api/docs/assets/redoc.standalone.js").status_code == 404
    assert client.get("/api/docs/assets/..%2F__init__.py").status_code == 404


def test_unknown_api_path_is_json_404(people, client_for):
    response = client_for(people.staff).get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "对象不存在。"}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_schema_names_are_unique():
    """The OpenAPI components are keyed by class name: two input or output schemas of the same
    name make the published schema describe one endpoint with the other's fields (it once told
    clients that 审批延期 takes the meeting-leave decision's {approve, note})."""
    from ninja import Schema

    import duban.api.api  # noqa: F401 - loads every router and its schemas

    ours = [cls for cls in _subclasses(Schema) if cls.__module__.startswith("duban.")]
    seen: dict[str, str] = {}
    clashes = []
    for cls in ours:
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append(f"{cls.__name__}: {seen[cls.__name__]} and {where}")
        seen.setdefault(cls.__name__, where)
    assert not clashes, "schema classes sharing a name:\n" + "\n".join(clashes)


def test_each_write_operation_documents_its_own_body():
    from duban.api.api import api

    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/deferrals/{deferral_id}/decide"]["post"]["requestBody"]
    name = body["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(schema["components"]["schemas"][name]["properties"]) == {"decision", "comment"}

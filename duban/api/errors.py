"""Every API error is JSON `{"detail": "<中文说明>"}`, with the per-field list under
"errors" for validation failures:

- 401 not authenticated, 403 refused, 404 no such object;
- 422 the request does not match the schema (ninja/pydantic): "errors" is a list of
  {loc, field, type, msg, message} (msg is pydantic's English text, message Chinese);
- 400 the data is well-formed but breaks a rule (form or service validation):
  "errors" maps each field to its messages ("__all__" for the whole object);
- 409 the record changed since the caller read it (the `version` sent is not current):
  "version" is the current one and "changes" what others changed since;
- 500 anything unexpected (logged with its traceback).
"""

import datetime
import logging

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from duban.api.auth import ERR_UNAUTHENTICATED
from duban.lib.refusals import Stale

logger = logging.getLogger("duban.api")

ERR_FORBIDDEN = "无权访问。"
ERR_NOT_FOUND = "对象不存在。"
ERR_SERVER = "服务器内部错误，请稍后重试或联系系统管理员。"
ERR_SCHEMA = "请求数据不符合接口要求"
ERR_INVALID = "数据校验未通过"
ERR_THROTTLED = "请求过于频繁，请稍后再试。"

# pydantic error types -> Chinese.
PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "date_from_datetime_parsing": "应为日期（年-月-日）",
    "date_from_datetime_inexact": "应为日期（年-月-日）",
    "date_parsing": "应为日期（年-月-日）",
    "date_type": "应为日期（年-月-日）",
    "extra_forbidden": "不允许的字段",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为布尔值（true/false）",
    "bool_type": "应为布尔值（true/false）",
    "string_type": "应为字符串",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "enum": "取值无效",
    "literal_error": "取值无效",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "none_required": "应为空",
}
# Parts of a pydantic location that are not the client's field name.
_LOC_NOISE = {"body", "query", "path", "header", "cookie", "form", "file", "payload", "filters"}
SUMMARY_LIMIT = 5


# Messages ninja itself raises (in English) and the Chinese defaults by status.
NINJA_MESSAGES = {"Cannot parse request body": "请求体无法解析，须为有效的 JSON。"}
STATUS_MESSAGES = {
    400: "请求有误。",
    401: ERR_UNAUTHENTICATED,
    403: ERR_FORBIDDEN,
    404: ERR_NOT_FOUND,
    405: "不支持该请求方法。",
    429: ERR_THROTTLED,
}


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def http_message(status: int, message: str) -> str:
    """Our own Chinese messages pass through; ninja's English ones are replaced."""
    if message and _has_cjk(message):
        return message
    return NINJA_MESSAGES.get(message) or STATUS_MESSAGES.get(status, "请求失败。")


class ErrorOut(Schema):
    detail: str = Field(description="中文说明")


class InvalidOut(ErrorOut):
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="按字段列出的错误（__all__ 为整体错误；请求体无法解析时没有）"
    )


class StaleChangeOut(Schema):
    field: str = Field(description="字段（模型字段名）")
    label: str = Field(description="字段的中文名")
    old: str = Field(description="原值（多对多字段的增减见 note）")
    new: str = Field(description="新值")
    note: str = Field(description="多对多字段的增减，如“添加：教务处”；其他字段为空")
    who: str | None = Field(description="修改人；系统自动修改时为 null")
    when: datetime.datetime = Field(description="修改时间")


class StaleOut(ErrorOut):
    version: int = Field(description="当前版本号；核对 changes 后以它重新提交即可")
    changes: list[StaleChangeOut] = Field(description="您读取之后他人所做的修改，按时间先后")


# The response of an operation that takes a `version` (optimistic locking).
STALE_ERRORS = {409: StaleOut}


def stale_body(error: Stale) -> dict:
    """409's body: the shared message, the current version, and the record history since the
    version the caller sent, one row per changed field."""
    from duban.audit.selectors import changes_since_version

    rows = []
    if error.record is not None and error.loaded_version is not None:
        rows = changes_since_version(error.record, error.loaded_version)
    changes = [
        {
            "field": change.name,
            "label": change.label,
            "old": change.old,
            "new": change.new,
            "note": change.note,
            "who": (row.entry.actor.name or row.entry.actor.username) if row.entry.actor else None,
            "when": row.entry.timestamp,
        }
        for row in rows
        for change in row.changes
    ]
    return {"detail": error.message, "version": error.current_version, "changes": changes}


class SchemaErrorItem(Schema):
    loc: list[str] = Field(description='出错的位置，如 ["body", "title"]')
    field: str = Field(description="出错的字段")
    type: str = Field(description="错误类型（pydantic）")
    msg: str = Field(description="英文说明（pydantic 原文）")
    message: str = Field(description="中文说明")


class SchemaErrorOut(ErrorOut):
    errors: list[SchemaErrorItem] = Field(description="逐项列出的错误")


def document_schema_errors(schema: dict) -> dict:
    """Every operation that takes parameters or a body may answer 422 (the handler below), and
    one that takes a body 400 when the body is no JSON at all (ninja's own refusal); ninja does
    not say so, so the OpenAPI schema gets them here, with their response bodies."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    definition = SchemaErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(definition.pop("$defs", {}))
    components["SchemaErrorOut"] = definition
    components.setdefault("InvalidOut", InvalidOut.model_json_schema(ref_template="#/components/schemas/{model}"))
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/SchemaErrorOut"}}}
    invalid = {"application/json": {"schema": {"$ref": "#/components/schemas/InvalidOut"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if operation.get("parameters") or operation.get("requestBody"):
                operation.setdefault("responses", {}).setdefault(
                    422, {"description": "请求格式不符（参数或请求体不符合接口要求）", "content": body}
                )
            if operation.get("requestBody"):
                operation["responses"].setdefault(
                    400, {"description": "请求体无法解析，或数据校验未通过", "content": invalid}
                )
    return schema


class InvalidInput(Exception):
    """Well-formed input that breaks a rule; rendered as 400.

    `errors` maps API field names to messages; `labels` gives the Chinese names used
    in the summary."""

    def __init__(self, errors: dict[str, list[str]], labels: dict[str, str] | None = None):
        self.errors = errors
        self.labels = labels or {}
        super().__init__(errors)

    @property
    def detail(self) -> str:
        parts = []
        for field, messages in self.errors.items():
            label = self.labels.get(field, "" if field == NON_FIELD_ERRORS else field)
            for message in messages:
                parts.append(f"{label}：{message}" if label else message)
        return _summary(ERR_INVALID, parts)


def _summary(title: str, parts: list[str]) -> str:
    """The first few messages as one line: 标题：甲；乙（另有 N 处）。"""
    if not parts:
        return title + "。"
    shown = "；".join(part.rstrip("。；") for part in parts[:SUMMARY_LIMIT])
    more = f"（另有 {len(parts) - SUMMARY_LIMIT} 处）" if len(parts) > SUMMARY_LIMIT else ""
    return f"{title}：{shown}{more}。"


def django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}


def form_invalid(
    form, to_api: dict[str, str] | None = None, error: DjangoValidationError | None = None
) -> InvalidInput:
    """The form's errors (or `error`, raised by a service after the form passed) keyed
    by API field names (`to_api` maps form field -> API field), labelled as in the form."""
    to_api = to_api or {}
    raw = django_errors(error) if error is not None else {name: list(msgs) for name, msgs in form.errors.items()}
    errors: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for name, messages in raw.items():
        if name != NON_FIELD_ERRORS and name not in form.fields:
            name = NON_FIELD_ERRORS
        key = to_api.get(name, name)
        errors.setdefault(key, []).extend(messages)
        if name in form.fields and form.fields[name].label:
            labels[key] = str(form.fields[name].label)
    return InvalidInput(errors, labels)


def schema_error_items(errors: list[dict]) -> list[dict]:
    items = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        field = ".".join(part for part in loc if part not in _LOC_NOISE)
        kind = str(error.get("type", ""))
        items.append(
            {
                "loc": loc,
                "field": field,
                "type": kind,
                "msg": str(error.get("msg", "")),
                "message": PYDANTIC_MESSAGES.get(kind, "格式不正确"),
            }
        )
    return items


def register(api) -> None:
    """Install the handlers on `api` (replacing ninja's English defaults)."""

    def respond(request, status: int, detail: str, **extra):
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    def on_authentication(request, exc: AuthenticationError):
        return respond(request, 401, http_message(401, exc.message))

    def on_http_error(request, exc: HttpError):
        if isinstance(exc, Throttled):
            return respond(request, 429, ERR_THROTTLED)
        return respond(request, exc.status_code, http_message(exc.status_code, exc.message))

    def on_permission_denied(request, exc: PermissionDenied):
        # Services raise PermissionDenied with a Chinese reason; a bare one gets the default.
        return respond(request, 403, http_message(403, str(exc)))

    def on_not_found(request, exc: Http404):
        return respond(request, 404, ERR_NOT_FOUND)

    def on_schema_error(request, exc: NinjaValidationError):
        items = schema_error_items(exc.errors)
        parts = [f"{item['field']}：{item['message']}" if item["field"] else item["message"] for item in items]
        return respond(request, 422, _summary(ERR_SCHEMA, parts), errors=items)

    def on_stale(request, exc: Stale):
        return api.create_response(request, stale_body(exc), status=409)

    def on_invalid_input(request, exc: InvalidInput):
        return respond(request, 400, exc.detail, errors=exc.errors)

    def on_django_validation(request, exc: DjangoValidationError):
        error = InvalidInput(django_errors(exc))
        return respond(request, 400, error.detail, errors=error.errors)

    def on_exception(request, exc: Exception):
        logger.exception("API %s %s failed", request.method, request.path, exc_info=exc)
        return respond(request, 500, ERR_SERVER)

    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(NinjaValidationError, on_schema_error)
    api.add_exception_handler(Stale, on_stale)
    api.add_exception_handler(InvalidInput, on_invalid_input)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(Exception, on_exception)

"""Reading the audit trail: the security-event log and the record history.

Both pages are read-only; nothing here writes. Filters come from the URL and are
parsed leniently (a malformed value is ignored, never an error page).
"""

import datetime
import json
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from duban.audit.models import ChainHead, EventKind, SecurityEvent
from duban.lib import dates

EMPTY = "—"

# Keys that services put into SecurityEvent.detail, with the labels shown to the auditor.
DETAIL_LABELS = {
    "role": _("角色"),
    "unit": _("范围"),
    "token": _("令牌开头"),
    "institution_name": _("单位名称"),
    "system_name": _("系统名称"),
    "password_policy": _("密码规则"),
    "count": _("数量"),
    "rows": _("行数"),
    "file": _("文件"),
    "reason": _("原因"),
    "query": _("查询条件"),
    "enabled": _("启用"),
    "host": _("SMTP 服务器"),
    "port": _("端口"),
    "security": _("加密方式"),
    "username": _("账号"),
    "from_email": _("发件人地址"),
    "password": _("口令"),
    "result": _("结果"),
    "retention_days": _("保留天数"),
    "cutoff": _("清理此时间之前"),
    "through_seq": _("清理至序号"),
    "login_records": _("登录尝试记录"),
    "history_entries": _("记录历史"),
}

ACTION_LABELS = {
    LogEntry.Action.CREATE: _("创建"),
    LogEntry.Action.UPDATE: _("修改"),
    LogEntry.Action.DELETE: _("删除"),
}
ACTION_COLOURS = {LogEntry.Action.CREATE: "green", LogEntry.Action.UPDATE: "blue", LogEntry.Action.DELETE: "red"}


def _day_start(value: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def _parse_day(raw: str) -> datetime.date | None:
    try:
        return parse_date((raw or "").strip())
    except ValueError:
        return None


@dataclass
class DateRange:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @classmethod
    def from_query(cls, query) -> "DateRange":
        return cls(_parse_day(query.get("from", "")), _parse_day(query.get("to", "")))

    def apply(self, queryset, field_name: str):
        if self.date_from:
            queryset = queryset.filter(**{f"{field_name}__gte": _day_start(self.date_from)})
        if self.date_to:
            end = _day_start(self.date_to + datetime.timedelta(days=1))
            queryset = queryset.filter(**{f"{field_name}__lt": end})
        return queryset


# --- Security events ------------------------------------------------------------


@dataclass
class EventFilters:
    kind: str = ""
    username: str = ""
    dates: DateRange = field(default_factory=DateRange)

    @classmethod
    def from_query(cls, query) -> "EventFilters":
        kind = query.get("kind", "")
        if kind not in EventKind.values:
            kind = ""
        return cls(kind=kind, username=query.get("username", "").strip()[:150], dates=DateRange.from_query(query))

    @property
    def active(self) -> bool:
        return bool(self.kind or self.username or self.dates.date_from or self.dates.date_to)


def security_events(filters: EventFilters):
    """Events newest first, narrowed by the filters. The username matches the
    person who acted or the account acted upon."""
    rows = SecurityEvent.objects.order_by("-seq")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.username:
        rows = rows.filter(Q(actor_username__icontains=filters.username) | Q(target__icontains=filters.username))
    return filters.dates.apply(rows, "created_at")


KIND_COLOURS = {
    EventKind.LOGIN_SUCCESS: "green",
    EventKind.LOGOUT: "grey",
    EventKind.LOGIN_FAILURE: "yellow",
    EventKind.LOCKOUT: "red",
    EventKind.ACCOUNT_UNLOCKED: "blue",
    EventKind.PASSWORD_CHANGED: "blue",
    EventKind.PASSWORD_RESET: "yellow",
    EventKind.ROLE_GRANTED: "yellow",
    EventKind.ROLE_REVOKED: "yellow",
    EventKind.SETTINGS_CHANGED: "yellow",
    EventKind.TOKEN_CREATED: "blue",
    EventKind.TOKEN_REVOKED: "blue",
    EventKind.AUDIT_PRUNED: "yellow",
    EventKind.AUDIT_VERIFIED: "blue",
}


@dataclass
class Retention:
    days: int
    pruned_through_seq: int
    history_days: int | None


def retention_summary() -> Retention:
    from duban.audit.retention import history_retention_days, retention_days

    head = ChainHead.objects.filter(id=1).values("pruned_through_seq").first()
    return Retention(retention_days(), head["pruned_through_seq"] if head else 0, history_retention_days())


def event_rows(events) -> list[dict]:
    return [{"event": e, "colour": KIND_COLOURS.get(e.kind, "grey"), "detail": event_detail(e.detail)} for e in events]


def _plain(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _detail_value(key: str, value) -> str:
    if key == "role":
        from duban.org.models import Role

        return str(dict(Role.choices).get(value, value))
    if isinstance(value, list) and len(value) == 2:
        # A change recorded as [old, new] (system settings).
        old, new = (_choice_label(key, v) for v in value)
        return f"{old} → {new}"
    return _plain(value)


def _choice_label(key: str, value) -> str:
    if key == "password_policy":
        from duban.system.models import PasswordPolicy

        return str(dict(PasswordPolicy.choices).get(value, value))
    if key == "security":
        from duban.system.models import MailSecurity

        return str(dict(MailSecurity.choices).get(value, value))
    return _plain(value)


def event_detail(detail) -> list[tuple[str, str]]:
    """An event's detail as (label, text) pairs; the template escapes both."""
    if not detail:
        return []
    if not isinstance(detail, dict):
        return [("", _plain(detail))]
    return [(str(DETAIL_LABELS.get(key, key)), _detail_value(key, value)) for key, value in detail.items()]


# --- Record history (django-auditlog) -------------------------------------------


def history_models() -> list[type[models.Model]]:
    """Models whose history is recorded, in the order they were registered (单位, 人员, 角色授权, 系统设置, …)."""
    return list(auditlog.get_models())


def history_model_choices() -> list[tuple[str, str]]:
    return [(f"{m._meta.app_label}.{m._meta.model_name}", str(m._meta.verbose_name)) for m in history_models()]


@dataclass
class HistoryFilters:
    model: str = ""
    action: str = ""
    actor: str = ""
    dates: DateRange = field(default_factory=DateRange)

    @classmethod
    def from_query(cls, query) -> "HistoryFilters":
        model = query.get("model", "")
        if model not in dict(history_model_choices()):
            model = ""
        action = query.get("action", "")
        if action not in {str(a) for a in ACTION_LABELS}:
            action = ""
        return cls(
            model=model, action=action, actor=query.get("actor", "").strip()[:60], dates=DateRange.from_query(query)
        )

    @property
    def active(self) -> bool:
        return bool(self.model or self.action or self.actor or self.dates.date_from or self.dates.date_to)


def history_entries(filters: HistoryFilters):
    """Log entries of the registered models, newest first."""
    content_types = ContentType.objects.get_for_models(*history_models())
    rows = LogEntry.objects.filter(content_type__in=list(content_types.values())).select_related(
        "actor", "content_type"
    )
    if filters.model:
        app_label, model_name = filters.model.split(".", 1)
        rows = rows.filter(content_type__app_label=app_label, content_type__model=model_name)
    if filters.action:
        rows = rows.filter(action=int(filters.action))
    if filters.actor:
        rows = rows.filter(Q(actor__name__icontains=filters.actor) | Q(actor__username__icontains=filters.actor))
    rows = filters.dates.apply(rows, "timestamp")
    return rows.order_by("-timestamp", "-id")


@dataclass
class Change:
    label: str
    old: str
    new: str
    # Shown instead of "old → new": the value of a created or deleted record's field,
    # or for many-to-many changes "添加"/"移除" with the objects.
    note: str = ""
    name: str = ""  # the model field's name


@dataclass
class HistoryRow:
    entry: LogEntry
    model_label: str
    action_label: str
    action_colour: str
    changes: list[Change]


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _is_reverse(model_field) -> bool:
    """A reverse relation (e.g. a person's grants): auditlog may list it, but its
    "value" is only the related manager's name, which means nothing to a reader."""
    return model_field is not None and model_field.auto_created and not model_field.concrete


def _format_value(model_field, raw, fk_names: dict) -> str:
    """One stored value (auditlog keeps strings; "None" for null) made readable."""
    if raw is None or raw == "None" or raw == "":
        return EMPTY
    if model_field is None:
        return _plain(raw)
    if model_field.is_relation and model_field.many_to_one:
        return fk_names.get((model_field.related_model, str(raw)), f"#{raw}")
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(raw, raw))
    internal = model_field.get_internal_type() if hasattr(model_field, "get_internal_type") else ""
    if internal == "BooleanField":
        return {"True": "是", "False": "否"}.get(str(raw), str(raw))
    if internal == "DateTimeField":
        moment = parse_datetime(str(raw))
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return dates.cn_datetime(moment)
    if internal == "DateField":
        day = _parse_day(str(raw))
        if day is not None:
            return dates.cn_date(day, full=True)
    return _plain(raw)


def _foreign_names(entries) -> dict:
    """str() of every object a foreign-key change refers to, fetched in one query per model."""
    wanted: dict[type[models.Model], set[str]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes_dict or {}).items():
            model_field = _field(model, name)
            if model_field is None or not (model_field.is_relation and model_field.many_to_one):
                continue
            if not isinstance(values, list):
                continue
            for raw in values:
                if raw not in (None, "None", ""):
                    wanted.setdefault(model_field.related_model, set()).add(str(raw))
    names = {}
    for related, keys in wanted.items():
        pks = []
        for key in keys:
            try:
                pks.append(related._meta.pk.to_python(key))
            except Exception:  # noqa: S112 - a legacy value that is not a key stays as it is
                continue
        for obj in related._default_manager.filter(pk__in=pks):
            names[(related, str(obj.pk))] = str(obj)
    return names


def _in_field_order(model, changes: dict):
    """The changed fields in the order the model declares them (auditlog's order is arbitrary)."""
    if model is None:
        return list(changes.items())
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())}
    return sorted(changes.items(), key=lambda item: order.get(item[0], len(order)))


def history_rows(entries) -> list[HistoryRow]:
    """The page's entries with each change as "字段: 旧值 → 新值" in the model's own words."""
    entries = list(entries)
    fk_names = _foreign_names(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for name, values in _in_field_order(model, entry.changes_dict or {}):
            model_field = _field(model, name)
            if _is_reverse(model_field):
                continue
            label = str(getattr(model_field, "verbose_name", name)) if model_field is not None else name
            if isinstance(values, dict) and values.get("type") == "m2m":
                operation = "添加" if values.get("operation") == "add" else "移除"
                objects = "、".join(str(o) for o in values.get("objects", []))
                changes.append(Change(label, "", "", note=f"{operation}：{objects}", name=name))
                continue
            if not isinstance(values, list) or len(values) != 2:
                changes.append(Change(label, "", "", note=_plain(values), name=name))
                continue
            old, new = (_format_value(model_field, v, fk_names) for v in values)
            if entry.action == LogEntry.Action.CREATE:
                if new != EMPTY:
                    changes.append(Change(label, "", "", note=new, name=name))
            elif entry.action == LogEntry.Action.DELETE:
                if old != EMPTY:
                    changes.append(Change(label, "", "", note=old, name=name))
            else:
                changes.append(Change(label, old, new, name=name))
        rows.append(
            HistoryRow(
                entry=entry,
                model_label=str(model._meta.verbose_name) if model else entry.content_type.model,
                action_label=str(ACTION_LABELS.get(entry.action, entry.get_action_display())),
                action_colour=ACTION_COLOURS.get(entry.action, "grey"),
                changes=changes,
            )
        )
    return rows


# --- What others changed while someone was editing (optimistic locking) ---------------------
VERSION_FIELD = "version"


def changes_since_version(obj, version: int, limit: int = 50) -> list[HistoryRow]:
    """The record history of `obj` after the save that left it at `version`: what others
    changed while someone edited the copy they loaded at that version. The version counter
    itself is left out."""
    entries = list(
        LogEntry.objects.get_for_object(obj)
        .filter(action=LogEntry.Action.UPDATE)
        .select_related("actor", "content_type")
        .order_by("-id")[:limit]
    )
    since = []
    for entry in entries:  # newest first, back to the save that moved past `version`
        since.append(entry)
        moved = (entry.changes_dict or {}).get(VERSION_FIELD)
        if isinstance(moved, list) and len(moved) == 2 and str(moved[0]) == str(version):
            break
    rows = history_rows(reversed(since))
    for row in rows:
        row.changes = [c for c in row.changes if c.name != VERSION_FIELD]
    return [row for row in rows if row.changes]

"""The navigation: sections of entries, each shown only to those who may use it.

Later capabilities (督办, 整改, 考评, 会议) add their sections here.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duban.org.access import access_for


@dataclass(frozen=True)
class Entry:
    title: str
    url_name: str
    icon: str
    rule: object = None  # an Access method name or a function of Access; None = every signed-in person
    prefix: str | None = None  # marks the entry active for every path under it


def _supervision_rules():
    from duban.org.models import Role
    from duban.supervision import access as rules

    return {
        "plans": rules.can_see_plans,
        "office": rules.can_manage,
        "reporter": lambda a: a.has(Role.LIAISON, Role.UNIT_HEAD),
        "leader": lambda a: a.has(Role.LEADER),
    }


_S = _supervision_rules()


def _rectification_rules():
    from duban.org.models import Role
    from duban.rectification import access as rules

    return {
        "ledger": rules.can_see_ledger,
        "office": rules.can_manage,
        "reviewer": lambda a: a.has(Role.OFFICE, Role.TASKFORCE),
        "disclosure": rules.can_see_disclosure,
    }


_R = _rectification_rules()


def _assessment_rules():
    from duban.assessment import access as rules

    return {"sessions": rules.can_see_sessions, "periods": rules.can_see_periods}


_A = _assessment_rules()


def _meeting_rules():
    from duban.leave import access as leave_rules
    from duban.meetings import access as meeting_rules

    return {
        "meetings": meeting_rules.can_see_meetings,
        "stats": meeting_rules.can_see_stats,
        "request": leave_rules.can_request,
        "tasks": leave_rules.can_approve,
        "calendar": leave_rules.can_see_calendars,
        "balances": leave_rules.can_manage_balances,
        "feed": leave_rules.can_subscribe,
    }


_M = _meeting_rules()

SECTIONS = [
    (
        _("工作"),
        [
            Entry(_("我的工作"), "workbench:home", "bi-house-door"),
            Entry(_("消息"), "notify:inbox", "bi-bell", None, "/inbox/"),
        ],
    ),
    (
        _("督查督办"),
        [
            Entry(_("督办计划"), "supervision:plan_list", "bi-journal-check", _S["plans"], "/supervision/plans"),
            Entry(_("待填报"), "supervision:my_reports", "bi-pencil-square", _S["reporter"], "/supervision/my-reports"),
            Entry(_("待审核"), "supervision:review_queue", "bi-inboxes", _S["office"], "/supervision/reviews"),
            Entry(_("督办单"), "supervision:notice_list", "bi-file-earmark-text", _S["plans"], "/supervision/notices"),
            Entry(_("纪要转事项"), "minutes:draft_list", "bi-magic", _S["office"], "/minutes/"),
            Entry(_("我帮包的项目"), "supervision:leader_view", "bi-flag", _S["leader"], "/supervision/leader"),
            Entry(_("单位排名"), "supervision:league_all", "bi-trophy", _S["plans"], "/supervision/league"),
        ],
    ),
    (
        _("整改落实"),
        [
            Entry(_("整改台账"), "rectification:plan_list", "bi-clipboard-data", _R["ledger"], "/rectification/plans"),
            Entry(
                _("销号审核"),
                "rectification:closure_queue",
                "bi-patch-check",
                _R["reviewer"],
                "/rectification/closures",
            ),
            Entry(
                _("复查任务"),
                "rectification:recheck_queue",
                "bi-arrow-repeat",
                _R["reviewer"],
                "/rectification/rechecks",
            ),
            Entry(_("整改统计"), "rectification:stats", "bi-bar-chart", _R["ledger"], "/rectification/stats"),
            Entry(
                _("职工意见"),
                "rectification:feedback_queue",
                "bi-chat-left-text",
                _R["office"],
                "/rectification/feedback",
            ),
            Entry(
                _("整改公开"),
                "rectification:disclosure_index",
                "bi-megaphone",
                _R["disclosure"],
                "/rectification/disclosure",
            ),
        ],
    ),
    (
        _("考核评价"),
        [
            Entry(_("述职评议"), "assessment:session_list", "bi-people", _A["sessions"], "/assessment/sessions"),
            Entry(_("单位考核"), "assessment:period_list", "bi-award", _A["periods"], "/assessment/periods"),
            Entry(_("正反面典型"), "assessment:example_list", "bi-star", None, "/assessment/examples"),
        ],
    ),
    (
        _("会议与请假"),
        [
            Entry(_("会议"), "meetings:meeting_list", "bi-calendar-event", _M["meetings"], "/meetings/"),
            Entry(_("出勤统计"), "meetings:stats", "bi-clipboard-check", _M["stats"], "/meetings/stats"),
            Entry(_("请假出差"), "leave:my_requests", "bi-airplane", _M["request"], "/leave/"),
            Entry(_("待我审批"), "leave:task_list", "bi-person-check", _M["tasks"], "/leave/tasks"),
            Entry(_("谁不在岗"), "leave:calendar", "bi-calendar-week", _M["calendar"], "/leave/calendar"),
            Entry(_("年休假额度"), "leave:balances", "bi-calendar-check", _M["balances"], "/leave/balances"),
            Entry(_("日历订阅"), "leave:feed_page", "bi-calendar2-plus", _M["feed"], "/leave/feed"),
        ],
    ),
    (
        _("组织机构"),
        [
            Entry(_("单位"), "org:unit_tree", "bi-diagram-3", "can_browse_org", "/org/units"),
            Entry(_("人员"), "org:people", "bi-people", "can_browse_org", "/org/people"),
        ],
    ),
    (
        _("系统管理"),
        [
            Entry(_("导入单位和人员"), "org:import", "bi-file-earmark-arrow-up", "can_edit_org", "/org/import"),
            Entry(_("角色授权"), "org:grants", "bi-person-badge", "can_grant_roles", "/org/grants"),
            Entry(_("系统设置"), "system:settings", "bi-gear", "can_configure", "/system/"),
            Entry(_("请销假设置"), "leave:settings", "bi-sliders", "can_configure", "/leave/settings"),
            Entry(_("安全审计日志"), "audit:events", "bi-shield-check", "can_read_audit", "/audit/events"),
            Entry(_("数据变更记录"), "audit:history", "bi-clock-history", "can_read_audit", "/audit/history"),
        ],
    ),
]


def sections_for(request):
    access = access_for(request.user)
    path = request.path
    result = []
    best = None  # the shown entry whose URL or prefix matches the path most closely
    for title, entries in SECTIONS:
        shown = []
        for entry in entries:
            if entry.rule:
                allowed = entry.rule(access) if callable(entry.rule) else getattr(access, entry.rule)()
                if not allowed:
                    continue
            url = reverse(entry.url_name)
            row = {"title": entry.title, "url": url, "icon": entry.icon, "active": False}
            match = (
                len(url) + 1
                if path == url
                else len(entry.prefix)
                if entry.prefix and path.startswith(entry.prefix)
                else 0
            )
            if match and (best is None or match > best[0]):
                best = (match, row)
            shown.append(row)
        if shown:
            result.append({"title": title, "entries": shown})
    if best is not None:
        best[1]["active"] = True
    return result

"""What waits for each person on 我的工作, by role.

Each role contributes panels. A panel that has nothing yet says what will appear
there, so a new user learns what the page is for. Later capabilities add their
own panels (reports to file, closures to review, ballots to run) here.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from duban.org.access import ALL
from duban.org.models import Person, Role, RoleGrant, Unit


@dataclass
class Panel:
    title: str
    icon: str
    empty_text: str
    rows: list[dict] = field(default_factory=list)
    action_url: str = ""
    action_label: str = ""
    count: int | None = None


def _units_panel(access, role, title, empty_text) -> Panel:
    scope = access.scope(role)
    tree = access.tree
    if scope == ALL:
        # An institution-wide grant: show the units directly under the institution.
        title = _("全校各单位")
        ids = [node.id for node, depth in tree.walk() if depth == 1]
    else:
        ids = sorted(scope, key=lambda i: (tree.nodes[i].order, i))
    rows = [
        {"text": tree.nodes[i].name, "url": reverse("org:unit_detail", args=[i]), "meta": tree.path_name(i)}
        for i in ids[:12]
    ]
    return Panel(
        title,
        "bi-diagram-3",
        empty_text,
        rows,
        count=len(ids),
        action_url=reverse("org:unit_tree") if len(ids) > len(rows) else "",
        action_label=_("查看全部"),
    )


def panels_for(access) -> list[Panel]:
    from duban.workbench import rectification_panels as rp
    from duban.workbench import supervision_panels as sp

    panels: list[Panel] = []
    if access.has(Role.LEADER):
        panels.append(sp.patron_panel(access.person))
        panels.append(_units_panel(access, Role.LEADER, _("分管单位"), _("分管的单位会显示在这里。")))
    if access.has(Role.OFFICE):
        panels.append(sp.review_panel())
        panels.append(rp.office_panel())
        panels.append(sp.attention_panel(access))
    if access.has(Role.LIAISON):
        panels.append(sp.to_fill_panel(access))
    if access.has(Role.UNIT_HEAD):
        panels.append(sp.to_submit_panel(access))
    if access.has(Role.UNIT_HEAD, Role.LIAISON):
        panels.append(rp.unit_panel(access))
    if access.has(Role.UNIT_HEAD):
        panels.append(_units_panel(access, Role.UNIT_HEAD, _("我负责的单位"), _("您负责的单位会显示在这里。")))
    if access.has(Role.TASKFORCE):
        panels.append(
            _units_panel(access, Role.TASKFORCE, _("我联系的单位"), _("您所在联络组联系的单位会显示在这里。"))
        )
        panels.append(rp.grid_panel(access))
    if access.has(Role.DISCIPLINE) and not access.has(Role.OFFICE):
        panels.append(sp.attention_panel(access))
    if access.has(Role.DISCIPLINE):
        panels.append(rp.discipline_panel())
    if access.has(Role.STAFF) and len(panels) == 0:
        panels.append(rp.disclosure_panel())
    panels = _personal(access) + panels
    if access.has(Role.SYS_ADMIN):
        panels.append(_org_summary_panel())
    if access.has(Role.SEC_ADMIN):
        panels.append(_locked_accounts_panel())
        panels.append(_recent_grants_panel())
    if access.has(Role.AUDIT_ADMIN):
        panels.append(_recent_events_panel())
    return panels


def _personal(access) -> list[Panel]:
    """Meetings one is invited to and leave waiting for one's approval, first when there are any."""
    from duban.workbench import meetings_panels as mp

    if not access.grants:
        return []
    return [panel for panel in (mp.approvals_panel(access), mp.meetings_panel(access)) if panel is not None]


def _org_summary_panel() -> Panel:
    units = Unit.objects.filter(is_active=True).count()
    people = Person.objects.filter(is_active=True).count()
    without_unit = Person.objects.filter(is_active=True, unit__isnull=True).count()
    rows = [
        {"text": _("启用的单位"), "url": reverse("org:unit_tree"), "meta": str(units)},
        {"text": _("启用的账号"), "url": reverse("org:people"), "meta": str(people)},
    ]
    if without_unit:
        rows.append(
            {"text": _("未分配单位的人员"), "url": reverse("org:people") + "?unit=none", "meta": str(without_unit)}
        )
    return Panel(
        _("组织机构概况"),
        "bi-building",
        _("还没有单位。可以逐个新增，也可以用 Excel 批量导入。"),
        rows,
        action_url=reverse("org:import"),
        action_label=_("批量导入"),
    )


def _locked_accounts_panel() -> Panel:
    from duban.accounts.selectors import locked_usernames

    names = locked_usernames()
    rows = [{"text": name, "url": reverse("org:people") + "?q=" + name, "meta": _("已锁定")} for name in names[:10]]
    return Panel(
        _("被锁定的账号"),
        "bi-lock",
        _("连续 5 次输错密码的账号会被锁定 30 分钟，并显示在这里供您解锁。"),
        rows,
        count=len(names),
    )


def _recent_grants_panel() -> Panel:
    grants = RoleGrant.objects.select_related("person", "unit").order_by("-granted_at")[:6]
    rows = [
        {
            "text": f"{g.person.name} · {g.get_role_display()}",
            "url": reverse("org:person_detail", args=[g.person_id]),
            "meta": g.unit.name if g.unit_id else _("全校"),
        }
        for g in grants
    ]
    return Panel(
        _("最近的角色授权"),
        "bi-person-badge",
        _("还没有授予任何角色。"),
        rows,
        action_url=reverse("org:grants"),
        action_label=_("角色授权"),
    )


def _recent_events_panel() -> Panel:
    from duban.audit.models import SecurityEvent

    events = SecurityEvent.objects.order_by("-seq")[:8]
    rows = [
        {
            "text": f"{e.get_kind_display()} · {e.actor_username or '-'}",
            "url": reverse("audit:events") + f"?kind={e.kind}",
            "meta": e.created_at,
            "is_time": True,
        }
        for e in events
    ]
    return Panel(
        _("最近的安全事件"),
        "bi-shield-check",
        _("登录、锁定、授权、导出等安全事件会记录在这里。"),
        rows,
        action_url=reverse("audit:events"),
        action_label=_("查看全部"),
    )

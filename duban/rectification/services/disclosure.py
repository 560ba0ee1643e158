"""What the office discloses to staff (向职工公开): the plan's switches and, per finding,
whether it is disclosed and its public summary."""

from django.db import transaction

from duban.rectification.models import Finding, RectificationPlan
from duban.rectification.selectors.disclosure import names_in, person_names
from duban.rectification.services import Refused
from duban.rectification.services.findings import require_office

ERR_LIMIT = "每人每天意见上限应为 1 到 50 之间的整数。"
ERR_SUMMARY_LONG = "{where}公开摘要请控制在 300 字以内。"
ERR_SUMMARY_NAME = "{where}公开摘要含有人名“{name}”，公开内容不能出现人名，请删去后再保存。"
ERR_FOREIGN_FINDING = "所选问题不属于该整改方案。"
ERR_PUBLIC_NEEDS_DISCLOSED = "开放免登录公开页前，请先勾选“向职工公开”。"


def check_summary(summary: str, *, number: int | None = None, names: list[str] | None = None) -> str:
    """A public summary, stripped; refused if too long or naming a person. `number` is
    the finding's 序号, named in the message."""
    where = f"问题{number}的" if number else ""
    summary = (summary or "").strip()
    if len(summary) > 300:
        raise Refused(ERR_SUMMARY_LONG.format(where=where))
    found = names_in(summary, person_names() if names is None else names)
    if found:
        raise Refused(ERR_SUMMARY_NAME.format(where=where, name=found[0]))
    return summary


@transaction.atomic
def disclosure_save(
    *, acting_user, profile: RectificationPlan, findings: dict[int, tuple[bool, str]] | None = None
) -> RectificationPlan:
    """Save the plan's disclosure switches (set on `profile` by its form) and, for the
    findings given as {pk: (disclosed, public_summary)}, what is disclosed of each.
    All or nothing: one bad summary saves nothing."""
    require_office(acting_user)
    if not 1 <= int(profile.feedback_daily_limit or 0) <= 50:
        raise Refused(ERR_LIMIT)
    if profile.public_page and not profile.disclosed:
        raise Refused(ERR_PUBLIC_NEEDS_DISCLOSED)
    profile.save(
        update_fields=[
            "disclosed",
            "show_counts",
            "show_percent",
            "show_findings",
            "show_units",
            "show_monthly",
            "public_page",
            "feedback_open",
            "feedback_anonymous",
            "feedback_daily_limit",
        ]
    )
    findings = findings or {}
    rows = {f.pk: f for f in Finding.objects.select_for_update().filter(pk__in=list(findings), plan_id=profile.pk)}
    if len(rows) != len(findings):
        raise Refused(ERR_FOREIGN_FINDING)
    names = person_names()
    for pk, (disclosed, summary) in findings.items():
        finding = rows[pk]
        summary = check_summary(summary, number=finding.ordinal, names=names)
        if finding.disclosed == bool(disclosed) and finding.public_summary == summary:
            continue
        finding.disclosed, finding.public_summary = bool(disclosed), summary
        finding.version += 1
        finding.save(update_fields=["disclosed", "public_summary", "version"])
    return profile

"""Rectification plans: a supervision Plan of kind 整改方案 with its rectification side."""

from django.db import transaction

from duban.rectification.models import RectificationPlan
from duban.rectification.services import Refused
from duban.supervision.models import Plan, PlanKind
from duban.supervision.services.plans import plan_save, require_office

ERR_RECHECK_DAYS = "复查天数应为 1 到 730 之间的整数，用逗号分隔，例如 30,90,180。"


def parse_recheck_days(text) -> list[int]:
    """'30, 90，180' -> [30, 90, 180]; refuses anything else with a message."""
    if isinstance(text, list | tuple):
        parts = [str(p) for p in text]
    else:
        parts = str(text or "").replace("，", ",").replace("、", ",").split(",")
    days = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        # isdecimal, not isdigit: “²” is a digit that int() refuses.
        if not part.isdecimal() or not 1 <= int(part) <= 730:
            raise Refused(ERR_RECHECK_DAYS)
        days.append(int(part))
    return sorted(set(days))


@transaction.atomic
def rectification_plan_save(*, acting_user, plan: Plan, profile: RectificationPlan) -> RectificationPlan:
    """Create or update a rectification plan and its profile (validated by their forms)."""
    require_office(acting_user)
    plan.kind = PlanKind.RECTIFICATION
    plan_save(acting_user=acting_user, plan=plan)
    profile.plan = plan
    profile.recheck_days = parse_recheck_days(profile.recheck_days)
    profile.save()
    return profile


def profile_for(plan: Plan) -> RectificationPlan:
    """The plan's rectification side, created with defaults for a 整改方案 made elsewhere."""
    profile, _ = RectificationPlan.objects.get_or_create(plan=plan)
    return profile

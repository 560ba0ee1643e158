"""Who is away and the caller's annual-leave balance, through the API: the same rules as the
calendar page (duban.leave.access); reasons only where the caller may see them."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Query, Router, Schema

from duban.api.auth import api_user
from duban.api.errors import ErrorOut, InvalidOut
from duban.leave import access as rules
from duban.leave import selectors
from duban.leave.balances import balance
from duban.org.access import access_for
from duban.supervision.services import Refused

router = Router(tags=["请销假"])

READ = {400: InvalidOut, 401: ErrorOut, 403: ErrorOut}
MAX_DAYS = 366
FROM = Query(None, alias="from", description="开始日期 YYYY-MM-DD，默认今天")
TO = Query(None, alias="to", description="结束日期，默认开始后 30 天")
YEAR = Query(None, ge=2000, le=2100, description="年度，默认今年")
UNIT = Query(None, ge=1, le=2**31 - 1, description="单位 id，默认本人所在单位")


class AwayOut(Schema):
    id: int
    person_id: int
    person: str
    unit_id: int
    type: str
    starts_on: datetime.date
    ends_on: datetime.date
    days: float
    status: str
    reason: str | None = None
    destination: str | None = None


class BalanceOut(Schema):
    year: int
    entitled: float
    carried: float
    used: float
    pending: float
    available: float


def _range(start: datetime.date | None, end: datetime.date | None):
    today = timezone.localdate()
    start = start or today
    end = end or start + datetime.timedelta(days=30)
    if end < start:
        raise Refused("结束日期不能早于开始日期。")
    if (end - start).days > MAX_DAYS:
        raise Refused("查询范围不能超过一年。")
    return start, end


def _out(absence, details: set[int]) -> dict:
    shown = absence.pk in details
    return {
        "id": absence.pk,
        "person_id": absence.person_id,
        "person": absence.person.name,
        "unit_id": absence.unit_id,
        "type": absence.absence_type.name,
        "starts_on": absence.starts_on,
        "ends_on": absence.last_day,
        "days": float(absence.days),
        "status": absence.status,
        "reason": absence.reason if shown else None,
        "destination": absence.destination if shown else None,
    }


@router.get("/leave/calendar", response={200: list[AwayOut], **READ}, summary="谁不在岗")
def away_calendar(
    request,
    unit: int | None = UNIT,
    start: datetime.date | None = FROM,
    end: datetime.date | None = TO,
):
    """某单位（默认本人所在单位）在日期范围内（默认今天起 30 天）已批准和审批中的请假、出差。
    事由和目的地仅对申请人和审批人返回。参数：unit、from、to（YYYY-MM-DD）。"""
    access = access_for(api_user(request))
    start, end = _range(start, end)
    unit = unit or access.person.unit_id
    if unit is None or not rules.can_see_calendar(access, unit):
        raise PermissionDenied("无权查看该单位的请假出差日历。")
    rows = selectors.away([unit], start, end)
    details = rules.details_visible(access, rows)
    return [_out(a, details) for a in rows]


@router.get("/leave/leaders-away", response={200: list[AwayOut], **READ}, summary="校领导外出")
def leaders_away(
    request,
    start: datetime.date | None = FROM,
    end: datetime.date | None = TO,
):
    """日期范围内（默认今天起 30 天）请假或出差的校领导。参数：from、to。"""
    access = access_for(api_user(request))
    start, end = _range(start, end)
    rows = selectors.leaders_away(start, end)
    details = rules.details_visible(access, rows)
    return [_out(a, details) for a in rows]


@router.get("/leave/balance", response={200: BalanceOut, **READ}, summary="我的年休假余额")
def my_balance(request, year: int | None = YEAR):
    """本人某年度（默认今年）的年休假：应休、上年结转、已休、审批中、可休（天）。"""
    person = api_user(request)
    found = balance(person, year or timezone.localdate().year)
    return {
        "year": found.year,
        "entitled": float(found.entitled),
        "carried": float(found.carried),
        "used": float(found.used),
        "pending": float(found.pending),
        "available": float(found.available),
    }

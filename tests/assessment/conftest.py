"""A review session like seed 004: 22 branch secretaries (8 report on site), 32 voters in
three groups, the scale 好/较好/一般/差, at most 30% rated 好 on one ballot. Invented names."""

from decimal import Decimal

import pytest

from duban.assessment.models import ReportMode, ReviewSession, Subject, VoterGroup
from duban.assessment.services import sessions as svc

SURNAMES = "陈林黄张王刘杨赵周吴徐孙胡朱高何郭马罗梁宋郑"
GIVEN = [
    "晓明",
    "文静",
    "海涛",
    "丽君",
    "建华",
    "春燕",
    "志强",
    "雪梅",
    "国庆",
    "玉兰",
    "振宇",
    "慧敏",
    "立新",
    "秀英",
    "卫东",
    "晓燕",
    "永刚",
    "桂芳",
    "德胜",
    "美玲",
    "宏伟",
    "淑珍",
]
SUBJECT_NAMES = [s + g for s, g in zip(SURNAMES, GIVEN, strict=True)]


class Review:
    """Handles to the fixture session."""


def build_review(people, org, *, open_it=True, subjects=22, onsite=8):
    review = Review()
    session = ReviewSession(
        title="2025年度机关党支部书记抓党建工作述职评议",
        year=2025,
        organiser=org.party,
        place="图书馆九楼会议室",
        top_quota_percent=30,
        require_all=True,
    )
    review.session = svc.session_create(acting_user=people.office, session=session)
    review.subjects = []
    for i, name in enumerate(SUBJECT_NAMES[:subjects], start=1):
        subject = Subject(
            session=session,
            order=i,
            name=name,
            unit=org.branch if i == 1 else org.branch2,
            position="党支部书记",
            report_mode=ReportMode.ONSITE if i <= onsite else ReportMode.WRITTEN,
        )
        review.subjects.append(svc.part_save(acting_user=people.office, obj=subject))
    review.groups = {}
    for order, (name, weight, ballots) in enumerate(
        [("委员", Decimal("0.4"), 9), ("代表", Decimal("0.4"), 18), ("群众代表", Decimal("0.2"), 5)], start=1
    ):
        group = VoterGroup(session=session, order=order, name=name, weight=weight, ballots=ballots)
        review.groups[name] = svc.part_save(acting_user=people.office, obj=group)
    if open_it:
        review.session = svc.session_open(acting_user=people.office, session=session)
    review.grades = {g.label: g.order for g in session.grades.all()}
    return review


@pytest.fixture
def review(people, org):
    return build_review(people, org)


@pytest.fixture
def draft_review(people, org):
    return build_review(people, org, open_it=False)


def all_marks(review, grade="较好", top=None):
    """A ballot rating every subject `grade`, the first `top` subjects 好."""
    marks = {str(s.pk): review.grades[grade] for s in review.subjects}
    for s in review.subjects[: top or 0]:
        marks[str(s.pk)] = review.grades["好"]
    return marks

"""The ballot rules and the count, without a database."""

from decimal import Decimal

import pytest

from duban.assessment.rules import Shape, ballot_errors, clean_marks, rated_count, tally

GRADES = [
    (1, "好", Decimal(100), True),
    (2, "较好", Decimal(80), True),
    (3, "一般", Decimal(60), False),
    (4, "差", 0, False),
]


def shape(n=22, quota=30, require_all=True, min_rated=None, dims=(), groups=None):
    return Shape(
        subjects=[(i, f"人{i}") for i in range(1, n + 1)],
        dimensions=list(dims),
        grades=GRADES,
        top_quota_percent=quota,
        require_all=require_all,
        min_rated=min_rated,
        groups=groups or {1: ("委员", Decimal("0.4")), 2: ("代表", Decimal("0.4")), 3: ("群众代表", Decimal("0.2"))},
    )


def marks(n=22, top=0, grade=2):
    m = {str(i): grade for i in range(1, n + 1)}
    for i in range(1, top + 1):
        m[str(i)] = 1
    return m


def test_quota_is_floor_of_percent_of_subjects():
    assert shape(22, 30).top_max() == 6
    assert shape(10, 30).top_max() == 3
    assert shape(22, None).top_max() is None


def test_valid_ballot_at_the_quota():
    assert ballot_errors(shape(), marks(top=6)) == []


def test_quota_exceeded_is_explained():
    errors = ballot_errors(shape(), marks(top=7))
    assert errors == ["评为“好”的有 7 人，超过上限 6 人（被测评人数的 30%）。"]


def test_every_subject_must_be_rated():
    m = marks()
    del m["3"], m["22"]
    (error,) = ballot_errors(shape(), m)
    assert "须对全部 22 人作出评价，尚有 2 人未评" in error
    assert "人3" in error and "人22" in error


def test_minimum_rated_when_not_all_required():
    s = shape(require_all=False, min_rated=20)
    m = marks()
    for k in ("1", "2", "3"):
        del m[k]
    assert ballot_errors(s, m) == ["至少须评价 20 人，目前已评 19 人。"]
    assert ballot_errors(s, {k: v for k, v in marks().items() if k not in ("1", "2")}) == []


def test_dimensions_need_every_dimension_and_quota_per_dimension():
    s = shape(n=10, dims=[(7, "政治建设", Decimal(1)), (8, "履职尽责", Decimal(1))])
    m = {f"{i}:{d}": 2 for i in range(1, 11) for d in (7, 8)}
    assert ballot_errors(s, m) == []
    del m["4:8"]
    assert ballot_errors(s, m)[0] == "对人4的评价不完整：每个测评维度都须选择等次。"
    m["4:8"] = 2
    for i in range(1, 5):
        m[f"{i}:8"] = 1
    (error,) = ballot_errors(s, m)
    assert error.startswith("在“履职尽责”维度评为“好”的有 4 人，超过上限 3 人")
    assert rated_count(s, m) == 10


def test_clean_marks_drops_unknown_cells_and_refuses_unknown_grades():
    s = shape(n=3)
    assert clean_marks(s, {"1": "2", "99": "1", "2": "", "3": 4}) == {"1": 2, "3": 4}
    with pytest.raises(ValueError, match="无效的评价等次"):
        clean_marks(s, {"1": "9"})
    with pytest.raises(ValueError, match="无效的评价等次"):
        clean_marks(s, {"1": "<script>"})


def ballot(group, m, valid=True, source="online"):
    return {"group": group, "marks": m, "valid": valid, "source": source}


def test_tally_counts_weighted_score_rate_and_rank():
    s = shape(n=3, quota=None)
    ballots = [
        # 委员 (0.4): subject 1 好, 好; subject 2 一般, 较好; subject 3 差, 较好
        ballot(1, {"1": 1, "2": 3, "3": 4}),
        ballot(1, {"1": 1, "2": 2, "3": 2}),
        # 代表 (0.4): subject 1 较好; subject 2 好; subject 3 一般
        ballot(2, {"1": 2, "2": 1, "3": 3}),
        # 群众代表 (0.2): subject 1 差; subject 2 好; subject 3 好
        ballot(3, {"1": 4, "2": 1, "3": 1}),
        # an invalid paper slip never counts
        ballot(3, {"1": 1, "2": 1, "3": 1}, valid=False, source="paper"),
    ]
    result = tally(s, ballots)
    rows = {r["subject"]: r for r in result["subjects"]}
    # subject 1: 0.4*100 + 0.4*80 + 0.2*0 = 72
    assert rows[1]["score"] == "72.00"
    # subject 2: 0.4*70 + 0.4*100 + 0.2*100 = 88
    assert rows[2]["score"] == "88.00"
    # subject 3: 0.4*40 + 0.4*60 + 0.2*100 = 60
    assert rows[3]["score"] == "60.00"
    assert [rows[i]["rank"] for i in (1, 2, 3)] == [2, 1, 3]
    assert rows[1]["counts"] == {"1": 2, "2": 1, "3": 0, "4": 1}
    assert rows[1]["ratings"] == 4
    assert rows[1]["positive_rate"] == "75.00"
    assert result["ballots"] == {"valid": 4, "invalid": 1, "online": 4, "paper": 0}


def test_tally_ties_share_a_rank():
    s = shape(n=3, quota=None)
    result = tally(s, [ballot(1, {"1": 2, "2": 2, "3": 1})])
    assert [r["rank"] for r in result["subjects"]] == [2, 2, 1]


def test_groups_missing_from_a_subject_do_not_pull_its_score_down():
    s = shape(n=2, quota=None, require_all=False, min_rated=1)
    result = tally(s, [ballot(1, {"1": 1}), ballot(2, {"1": 3, "2": 2})])
    rows = {r["subject"]: r for r in result["subjects"]}
    assert rows[1]["score"] == "80.00"  # (0.4*100 + 0.4*60) / 0.8
    assert rows[2]["score"] == "80.00"  # only 代表 rated subject 2


def test_dimension_weights():
    s = shape(n=1, quota=None, dims=[(7, "甲", Decimal(3)), (8, "乙", Decimal(1))])
    result = tally(s, [ballot(1, {"1:7": 1, "1:8": 3})])
    row = result["subjects"][0]
    assert row["dimension_scores"] == {"7": "100.00", "8": "60.00"}
    assert row["score"] == "90.00"


def test_no_breakdown_for_groups_under_five():
    s = shape(n=1, quota=None)
    ballots = [ballot(1, {"1": 1}) for _ in range(5)] + [ballot(3, {"1": 4}) for _ in range(4)]
    result = tally(s, ballots)
    row = result["subjects"][0]
    assert set(row["by_group"]) == {"1"}
    groups = {g["id"]: g for g in result["groups"]}
    assert groups[1]["broken_down"] is True
    assert groups[3]["broken_down"] is False


def test_subject_nobody_rated_has_no_score_or_rank():
    s = shape(n=2, quota=None, require_all=False, min_rated=1)
    result = tally(s, [ballot(1, {"1": 1})])
    assert result["subjects"][1]["score"] is None
    assert result["subjects"][1]["rank"] is None
    assert result["subjects"][1]["positive_rate"] is None

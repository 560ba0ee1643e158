"""The default leave types and approval chains, after seed 003's rules:

- 正处级干部出差，要向主管领导请假，给办公室打招呼；副处级以下干部出差要向部门领导请假。
- 凡是需要年休假的干部，要经主管领导批准，在人事部门办理手续后，要给办公室和政工部备案。

事假 and 病假 follow the travel chain; 外出报备 only informs the unit head. All of it is data
(the 审批规则 page edits it); `install_defaults` only fills an empty table.
"""

SENIOR = ["school", "division"]  # 校级 and 正处级

TYPES = [
    # code, name, uses_balance, needs_destination, report_only
    ("travel", "出差", False, True, False),
    ("annual", "年休假", True, False, False),
    ("personal", "事假", False, False, False),
    ("sick", "病假", False, False, False),
    ("outing", "外出报备", False, True, True),
]

# code -> [(ranks, note, [(approver, action), ...]), ...]; the first matching rule applies.
CHAINS = {
    "travel": [
        (SENIOR, "正处级以上出差向主管领导请假，给办公室打招呼", [("leader", "approve"), ("office", "notify")]),
        ([], "副处级以下出差向部门领导请假", [("unit_head", "approve")]),
    ],
    "annual": [
        (
            [],
            "年休假经主管领导批准，人事部门办理，办公室和政工部门备案",
            [("leader", "approve"), ("hr", "handle"), ("office", "file"), ("political", "file")],
        ),
    ],
    "personal": [
        (SENIOR, "正处级以上向主管领导请假，给办公室打招呼", [("leader", "approve"), ("office", "notify")]),
        ([], "副处级以下向部门领导请假", [("unit_head", "approve")]),
    ],
    "sick": [
        (SENIOR, "正处级以上向主管领导请假，给办公室打招呼", [("leader", "approve"), ("office", "notify")]),
        ([], "副处级以下向部门领导请假", [("unit_head", "approve")]),
    ],
    "outing": [([], "外出报备：告知本单位负责人", [("unit_head", "notify")])],
}


def install_defaults(AbsenceType, ChainRule, ChainStep) -> None:  # noqa: N803  (models passed by migrations)
    if AbsenceType.objects.exists():
        return
    for order, (code, name, uses_balance, needs_destination, report_only) in enumerate(TYPES, start=1):
        kind = AbsenceType.objects.create(
            code=code,
            name=name,
            uses_balance=uses_balance,
            needs_destination=needs_destination,
            report_only=report_only,
            order=order,
        )
        for rule_order, (ranks, note, steps) in enumerate(CHAINS[code], start=1):
            rule = ChainRule.objects.create(absence_type=kind, ranks=ranks, order=rule_order, note=note)
            for step_order, (approver, action) in enumerate(steps, start=1):
                ChainStep.objects.create(rule=rule, order=step_order, approver=approver, action=action)

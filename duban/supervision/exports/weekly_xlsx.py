"""The weekly summary as an .xlsx workbook: each item's progress this week, the
indicator totals and the lagging units, one styled sheet each."""

from duban.lib.dates import cn_date
from duban.supervision.exports.sheets import SheetColumn, StyledSheet, write_only_workbook
from duban.supervision.summaries import WeeklySummary, lag_reasons

PROGRESS_COLUMNS = [
    SheetColumn("序号", 7, "center"),
    SheetColumn("事项", 30),
    SheetColumn("牵头单位", 14),
    SheetColumn("本周工作进展", 40),
    SheetColumn("存在问题", 30),
    SheetColumn("下一步计划", 30),
    SheetColumn("完成进度", 10, "percent"),
    SheetColumn("填报情况", 10, "center"),
    SheetColumn("状态", 9, "center"),
    SheetColumn("说明", 24),
]
INDICATOR_COLUMNS = [
    SheetColumn("指标", 28),
    SheetColumn("计量单位", 10, "center"),
    SheetColumn("事项数", 8, "number"),
    SheetColumn("目标合计", 12, "number"),
    SheetColumn("截至本周", 12, "number"),
    SheetColumn("截至上周", 12, "number"),
    SheetColumn("本周新增", 12, "number"),
    SheetColumn("完成率", 10, "percent"),
]
LAGGING_COLUMNS = [
    SheetColumn("牵头单位", 16),
    SheetColumn("序号", 7, "center"),
    SheetColumn("事项", 30),
    SheetColumn("滞后情况", 30),
    SheetColumn("存在问题", 40),
]


def _number(value):
    """Decimals as plain numbers (12, or 12.5) so Excel can add them up."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def weekly_workbook(summary: WeeklySummary):
    workbook = write_only_workbook()
    subtitle = f"统计日期：{cn_date(summary.today, full=True)}　状态为统计当日的状态"
    sheet = StyledSheet(workbook, "各项目进展", PROGRESS_COLUMNS, title=summary.title, subtitle=subtitle)
    for row in summary.rows:
        report = row.filed
        state = row.item.state
        sheet.row(
            [
                row.number,
                row.item.title,
                row.item.lead_unit.name,
                report.progress_text if report else "",
                report.problems if report else "",
                report.next_steps if report else "",
                report.percent if report else None,
                row.filing_label,
                state.get_status_display(),
                state.reason,
            ]
        )
    sheet.finish()

    sheet = StyledSheet(workbook, "指标完成情况", INDICATOR_COLUMNS, title=f"{summary.title}·指标完成情况")
    for total in summary.indicators:
        sheet.row(
            [
                total.name,
                total.unit,
                total.items,
                _number(total.target),
                _number(total.current),
                _number(total.previous),
                _number(total.change),
                total.rate,
            ]
        )
    sheet.finish()

    sheet = StyledSheet(workbook, "滞后单位及问题", LAGGING_COLUMNS, title=f"{summary.title}·滞后单位及问题")
    for unit in summary.lagging:
        for row in unit.rows:
            report = row.filed
            sheet.row(
                [
                    unit.name,
                    row.number,
                    row.item.title,
                    "；".join(lag_reasons(row)),
                    (report.problems or "（未说明）") if report else "未填报",
                ]
            )
    sheet.finish()
    return workbook


def weekly_filename(summary: WeeklySummary, extension: str) -> str:
    return f"{summary.plan.title}第{summary.number}周工作进展汇总.{extension}"

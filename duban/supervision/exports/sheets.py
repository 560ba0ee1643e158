"""Styled sheets in openpyxl's write-only mode (constant memory, fast enough for a
ledger of tens of thousands of rows): a merged title row, a filled header with
borders, column widths, a frozen header and wrapped text.

Styles are built once per sheet. The body rows are written by
`duban.lib.xlsx_stream.SheetBody` (the XML openpyxl would write, without a cell object
per cell): openpyxl's own cells cost 13 s for a ledger of 30,000 rows.
"""

import copy
import datetime
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from duban.lib.xlsx import HEADER_FILL, HEADER_FONT
from duban.lib.xlsx_stream import SheetBody

THIN = Side(style="thin", color="9AA5B1")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = '0"%"'


@dataclass(frozen=True)
class SheetColumn:
    title: str
    width: int = 14
    kind: str = "text"  # text (wrapped), center, number, date, percent


class StyledSheet:
    """A write-only sheet: a merged title row (and an optional note row), a frozen
    header row, then bordered body rows added with `row()`.

    A write-only sheet writes its column widths, frozen panes and row heights with
    the first row, so everything about the layout is set here, before any row."""

    def __init__(self, workbook: Workbook, name: str, columns: list[SheetColumn], *, title: str, subtitle: str = ""):
        self.sheet = workbook.create_sheet(name[:31])
        self.columns = columns
        self._styles = {kind: self._style(kind) for kind in ("text", "center", "number", "date", "percent", "head")}
        last = get_column_letter(len(columns))
        for index, column in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.header_row = 3 if subtitle else 2
        self.sheet.freeze_panes = f"A{self.header_row + 1}"
        self.sheet.row_dimensions[1].height = 30
        self.sheet.row_dimensions[self.header_row].height = 22

        cell = WriteOnlyCell(self.sheet, value=title)
        cell.font = Font(bold=True, size=16)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        self.sheet.append([cell])
        self.sheet.merged_cells.add(f"A1:{last}1")
        if subtitle:
            cell = WriteOnlyCell(self.sheet, value=subtitle)
            cell.alignment = Alignment(horizontal="right")
            self.sheet.append([cell])
            self.sheet.merged_cells.add(f"A2:{last}2")
        self.sheet.append([self._cell(column.title, "head") for column in columns])
        self.rows = self.header_row
        self._body = SheetBody(self.sheet, self.header_row + 1)
        self._style_ids: dict[str, int] = {}
        self._column_styles = None
        self._has_dates = any(column.kind == "date" for column in columns)

    def _style(self, kind: str):
        cell = WriteOnlyCell(self.sheet)
        cell.border = BORDER
        if kind == "head":
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        elif kind == "text":
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        elif kind == "center":
            cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
        else:
            cell.alignment = Alignment(horizontal="right", vertical="top")
            if kind == "date":
                cell.number_format = DATE_FORMAT
            elif kind == "percent":
                cell.number_format = PERCENT_FORMAT
        return cell._style

    def _cell(self, value, kind: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        if cell.data_type == "f":
            # Text people typed is never a formula: “=HYPERLINK(…)” in a report stays text.
            cell.data_type = "s"
        if kind == "date" and not isinstance(value, datetime.date):
            kind = "center"  # "长期坚持" and other words in a date column
        cell._style = copy.copy(self._styles[kind])
        return cell

    def _style_id(self, kind: str) -> int:
        # Registered on first use, so the workbook lists only the styles its cells use.
        if kind not in self._style_ids:
            self._style_ids[kind] = self._body.style_id(self._styles[kind])
        return self._style_ids[kind]

    def row(self, values) -> None:
        if len(values) != len(self.columns):
            raise ValueError("a row needs one value per column")
        if self._column_styles is None:
            self._column_styles = [self._style_id(column.kind) for column in self.columns]
        styles = self._column_styles
        if self._has_dates:
            # "长期坚持" and other words in a date column are centred like text.
            styles = [
                self._style_id("center") if column.kind == "date" and not isinstance(value, datetime.date) else style
                for value, column, style in zip(values, self.columns, styles, strict=True)
            ]
        self._body.append(values, styles)
        self.rows += 1

    def finish(self) -> None:
        """An auto-filter over the header and the body; call after the last row."""
        if self.rows > self.header_row:
            self.sheet.auto_filter.ref = f"A{self.header_row}:{get_column_letter(len(self.columns))}{self.rows}"


def write_only_workbook() -> Workbook:
    return Workbook(write_only=True)

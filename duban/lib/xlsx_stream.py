"""Body rows of a write-only openpyxl sheet written as sheet XML directly.

openpyxl builds a cell object and an lxml element for every cell, which costs about
40 µs a cell: 13 s for a ledger of 30,000 rows × 11 columns. Here openpyxl still
writes everything around the body (column widths, frozen panes, the title and header
rows, merged cells, the auto-filter, styles and the rest of the package) and the body
rows go to a temporary file as the XML openpyxl would have written for the same
values and styles (the same cell types, style ids, number serials and escaping;
characters stay UTF-8 instead of character references). When openpyxl closes the
sheet, at save time, the rows are spliced in before `</sheetData>`.

Text is always text: “=HYPERLINK(…)” someone typed is never written as a formula.
Only plain values take the fast path (text, None, whole numbers, floats and dates);
anything else is bound by an openpyxl cell, so it is typed and checked exactly as
openpyxl would. Rows must be added after every row written through openpyxl itself.
"""

import datetime
import shutil
import tempfile

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel, to_ISO8601
from openpyxl.utils.exceptions import IllegalCharacterError

MAX_TEXT = 32_767  # openpyxl truncates longer text (Excel's limit)
CHUNK_ROWS = 2_000  # rows kept in memory before they go to the temporary file
_PLAIN = {int: "n", float: "n", datetime.date: "d", datetime.datetime: "d"}


def _escape(text: str) -> str:
    # What lxml escapes in text content; a bare \r would become \n when read back.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class SheetBody:
    """The body of a write-only worksheet: `append(values, style_ids)` one row at a
    time (style ids from `style_id`), numbered from `first_row`."""

    def __init__(self, sheet, first_row: int):
        self.sheet = sheet
        self.workbook = sheet.parent
        self.next_row = first_row
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed once spliced in)
        self._chunk: list[str] = []
        self._letters: list[str] = []
        # openpyxl calls close() when it saves the workbook: splice the rows in then.
        self._close = sheet.close
        sheet.close = self._close_and_splice

    def style_id(self, style_array) -> int:
        """The workbook's id of a cell style (a cell's `_style`), as openpyxl writes it."""
        cell = WriteOnlyCell(self.sheet)
        cell._style = style_array
        return cell.style_id

    def append(self, values, style_ids) -> None:
        row = self.next_row
        self.next_row += 1
        letters = self._letters
        while len(letters) < len(values):
            letters.append(get_column_letter(len(letters) + 1))
        parts = [f'<row r="{row}">']
        for index, value in enumerate(values):
            ref = f"{letters[index]}{row}"
            style = style_ids[index]
            if type(value) is str:
                parts.append(self._text(ref, style, value))
            elif value is None:
                parts.append(f'<c r="{ref}" s="{style}" t="n"></c>')
            else:
                parts.append(self._other(ref, style, value))
        parts.append("</row>")
        self._chunk.append("".join(parts))
        if len(self._chunk) >= CHUNK_ROWS:
            self._flush()

    def _text(self, ref: str, style: int, value: str) -> str:
        value = value[:MAX_TEXT]
        if ILLEGAL_CHARACTERS_RE.search(value):
            raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
        if not value:
            return f'<c r="{ref}" s="{style}" t="inlineStr"></c>'
        if value in ERROR_CODES:
            return f'<c r="{ref}" s="{style}" t="e"><v>{value}</v></c>'
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'

    def _other(self, ref: str, style: int, value) -> str:
        kind = _PLAIN.get(type(value))
        if kind is None:
            # Let openpyxl type (or refuse) anything unusual, exactly as it would.
            cell = WriteOnlyCell(self.sheet, value=value)
            kind, value = cell.data_type, cell._value
            if kind in ("s", "f", "e"):  # bytes: text
                return self._text(ref, style, value)
        if kind == "d":
            if self.workbook.iso_dates and not isinstance(value, datetime.timedelta):
                return f'<c r="{ref}" s="{style}" t="d"><v>{to_ISO8601(value)}</v></c>'
            kind, value = "n", to_excel(value, self.workbook.epoch)
        return f'<c r="{ref}" s="{style}" t="{kind}"><v>{safe_string(value)}</v></c>'

    def _flush(self) -> None:
        if self._chunk:
            self._file.write("".join(self._chunk).encode())
            self._chunk = []

    def _close_and_splice(self) -> None:
        self._close()
        self._flush()
        path = self.sheet._writer.out  # the sheet's XML, written by openpyxl
        with open(path, "r+b") as out:
            xml = out.read()  # small: the rows above the body and what follows them
            end = xml.rfind(b"</sheetData>")
            if end >= 0:
                head, tail = xml[:end], xml[end:]
            else:  # no row at all: <sheetData/>
                empty = xml.index(b"<sheetData/>")
                head, tail = xml[:empty] + b"<sheetData>", b"</sheetData>" + xml[empty + len(b"<sheetData/>") :]
            out.seek(0)
            out.truncate()
            out.write(head)
            self._file.seek(0)
            shutil.copyfileobj(self._file, out, 1024 * 1024)
            out.write(tail)
        self._file.close()

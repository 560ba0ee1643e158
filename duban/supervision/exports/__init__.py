"""Downloads of supervision data: the weekly summary (.xlsx and .docx), the meeting pack
for a scheduling meeting (.docx) and the ledger (督办台账, .xlsx).

Each module turns data from `duban.supervision.summaries` into a file; the views
authorize, record the export and send it.
"""

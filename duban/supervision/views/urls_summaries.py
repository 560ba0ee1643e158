"""The weekly summary, the meeting pack and the ledger's Excel export and import."""

from django.urls import path

from duban.supervision.views import ledger, summaries

urlpatterns = [
    path("plans/<int:pk>/weekly/", summaries.weekly_summary, name="weekly_summary"),
    path("plans/<int:pk>/weekly.xlsx", summaries.weekly_xlsx, name="weekly_xlsx"),
    path("plans/<int:pk>/weekly.docx", summaries.weekly_docx, name="weekly_docx"),
    path("plans/<int:pk>/meeting-pack.docx", summaries.meeting_pack, name="meeting_pack"),
    path("plans/<int:pk>/ledger.xlsx", ledger.ledger_export, name="ledger_export"),
    path("plans/<int:pk>/import/", ledger.ledger_import_upload, name="ledger_import"),
    path("plans/<int:pk>/import/template.xlsx", ledger.ledger_import_template, name="ledger_import_template"),
    path("plans/<int:pk>/import/<str:token>/", ledger.ledger_import_preview, name="ledger_import_preview"),
]

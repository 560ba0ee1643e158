"""The voter's pages: no login, made for phones (helper C)."""

from django.urls import path

from duban.assessment.views import vote

app_name = "vote"

urlpatterns = [
    path("", vote.start, name="start"),
    path("check/", vote.receipt_check, name="check"),
    path("<str:code>/", vote.ballot, name="ballot"),
    path("<str:code>/report/<int:sid>/", vote.report, name="report"),
]

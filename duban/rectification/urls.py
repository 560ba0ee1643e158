"""Rectification URLs. Each area keeps its own module so the folder reads like the product."""

from django.urls import include, path

app_name = "rectification"
urlpatterns = [
    path("", include("duban.rectification.views.urls_ledger")),
    path("", include("duban.rectification.views.urls_lookback")),
    path("", include("duban.rectification.views.urls_disclosure")),
    path("", include("duban.rectification.views.urls_reports")),
]

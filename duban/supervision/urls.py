"""Supervision URLs. Each area keeps its own module so the folder reads like the product."""

from django.urls import include, path

app_name = "supervision"
urlpatterns = [
    path("", include("duban.supervision.views.urls_core")),
    path("", include("duban.supervision.views.urls_actions")),
    path("", include("duban.supervision.views.urls_dashboards")),
    path("", include("duban.supervision.views.urls_summaries")),
    path("", include("duban.supervision.views.urls_ladder")),
]

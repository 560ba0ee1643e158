from django.urls import path

from duban.rectification.views import lookback

urlpatterns = [
    path("plans/<int:pk>/lookback/", lookback.round_list, name="round_list"),
    path("plans/<int:pk>/lookback/new/", lookback.round_open, name="round_open"),
    path("lookback/<int:pk>/", lookback.round_detail, name="round_detail"),
    path("lookback/<int:pk>/checklist/", lookback.round_checklist, name="round_checklist"),
    path("lookback/<int:pk>/measures/<int:measure_pk>/", lookback.round_review, name="round_review"),
    path("lookback/<int:pk>/findings/new/", lookback.round_finding, name="round_finding"),
    path("lookback/<int:pk>/close/", lookback.round_close, name="round_close"),
    path("lookback/<int:pk>/report/", lookback.round_report, name="round_report"),
    path("lookback/templates/", lookback.template_list, name="template_list"),
]

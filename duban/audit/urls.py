from django.urls import path

from duban.audit import views

app_name = "audit"
urlpatterns = [
    path("events/", views.security_events, name="events"),
    path("events/export/", views.events_export, name="export"),
    path("events/verify/", views.chain_verify, name="verify"),
    path("history/", views.record_history, name="history"),
]
